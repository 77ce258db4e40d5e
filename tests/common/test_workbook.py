"""The safe workbook reader refuses the three workbook attacks fast and never trusts <dimension>."""

import io
import re
import time
import zipfile

import pytest
from openpyxl import Workbook

from common import workbook
from common.workbook import Formula, WorkbookError, workbook_rows
from payments import imports as payments

HEADER = ["身份证号", "金额", "缴费日期", "收费项目"]


def honest(rows=3) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([f"11010519491231{i:04d}", 320, "2022-05-19", "报名费"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(content: bytes, part: str, data: bytes, *, extra: dict | None = None) -> bytes:
    """The same workbook with one zip member replaced (as an attacker would edit it)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            body = data if info.filename == part else source.read(info.filename)
            target.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def styles_bomb() -> bytes:
    # 12M empty elements (48 MB, under the old 50 MB total check): ~50 KB zipped, which openpyxl
    # took 13-16 s and 1.3 GB to parse.
    body = (
        b'<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><cellXfs>' + b"<x/>" * 12_000_000 + b"</cellXfs></styleSheet>"
    )
    return rewritten(honest(), "xl/styles.xml", body)


def shared_strings_bomb() -> bytes:
    count = 3_000_000
    body = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main" count="%d" uniqueCount="%d">'
        % (count, count)
        + b"<si><t/></si>" * count
        + b"</sst>"
    )
    content = honest()
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    if "xl/sharedStrings.xml" in names:
        return rewritten(content, "xl/sharedStrings.xml", body)
    return rewritten(content, "", b"", extra={"xl/sharedStrings.xml": body})


def lying_dimension(rows=50) -> bytes:
    content = honest(rows)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:D2"', sheet)
    assert b'<dimension ref="A1:D2"' in sheet
    return rewritten(content, "xl/worksheets/sheet1.xml", sheet)


@pytest.mark.parametrize("build", [styles_bomb, shared_strings_bomb], ids=["styles", "strings"])
def test_workbook_bombs_are_refused_in_well_under_a_second(build):
    content = build()
    assert len(content) < workbook.MAX_UPLOAD_BYTES
    started = time.perf_counter()
    with pytest.raises(WorkbookError, match="解压后异常庞大") as caught:
        workbook_rows(content)
    assert time.perf_counter() - started < 0.5
    assert "已拒绝读取" in str(caught.value.message)


@pytest.mark.django_db
def test_a_bomb_is_refused_by_the_payment_upload_with_a_chinese_message():
    from tests.factories import UserFactory

    with pytest.raises(payments.PaymentFileError, match="解压后异常庞大"):
        payments.payment_import_preview(
            file_name="a.xlsx", content=styles_bomb(), user=UserFactory()
        )


def test_a_lying_dimension_does_not_truncate_the_rows():
    rows = workbook_rows(lying_dimension(50))
    assert len(rows) == 51
    assert rows[-1][0] == "110105194912310049"
    parsed = payments.payment_file_read(lying_dimension(50))
    assert len(parsed.rows) == 50


def test_too_many_members_are_refused():
    extra = {f"xl/media/image{i}.png": b"x" for i in range(workbook.MAX_MEMBERS)}
    with pytest.raises(WorkbookError, match="异常庞大"):
        workbook_rows(rewritten(honest(), "", b"", extra=extra))


def test_rows_are_counted_as_read_and_reading_stops_at_the_limit():
    with pytest.raises(WorkbookError, match="超过3行"):
        workbook_rows(honest(4), max_rows=3)
    assert len(workbook_rows(honest(3), max_rows=3)) == 4


def test_a_far_away_empty_row_is_counted_and_stops_reading():
    content = honest(1)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b"</sheetData>", b'<row r="900000"/></sheetData>')
    with pytest.raises(WorkbookError, match="行数超过"):
        workbook_rows(rewritten(content, "xl/worksheets/sheet1.xml", sheet))


@pytest.mark.parametrize(
    "content",
    [b"", b"plain text", b"PK\x03\x04broken", honest()[:-200]],
    ids=["empty", "text", "broken-zip", "truncated"],
)
def test_every_parse_error_is_a_chinese_message(content):
    with pytest.raises(WorkbookError) as caught:
        workbook_rows(content)
    assert "文件" in str(caught.value.message)


def test_a_corrupt_sheet_is_a_message_not_a_crash():
    broken = rewritten(honest(), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row")
    with pytest.raises(WorkbookError):
        workbook_rows(broken)


def test_formula_cells_come_back_marked(tmp_path):
    book = Workbook()
    book.active.append(["金额", "=1+1"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    [row] = workbook_rows(path)
    assert isinstance(row[1], Formula)
    assert row[1] == "=1+1"


def test_entities_are_not_expanded():
    """defusedxml is installed, so openpyxl refuses DTD entity tricks (billion laughs)."""
    import defusedxml  # noqa: F401  (the dependency this relies on)

    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    with pytest.raises(WorkbookError):
        workbook_rows(rewritten(honest(), "xl/worksheets/sheet1.xml", laughs))


def test_sheet_rows_keep_each_cells_own_format():
    """Ready (styled) cells and plain values mixed in one row: each keeps its own format."""
    import datetime as dt
    import io
    from decimal import Decimal

    from openpyxl import Workbook, load_workbook

    from common.xlsx import Column, sheet_add, sheet_append

    columns = [
        Column("日期", 10, lambda r: r[0], "date"),
        Column("文本", 10, lambda r: r[1]),
        Column("号码", 10, lambda r: r[2], "code"),
        Column("金额", 10, lambda r: r[3], "money"),
        Column("公式", 10, lambda r: r[4]),
        Column("数", 10, lambda r: r[5], "int"),
    ]
    wb = Workbook(write_only=True)
    ws = sheet_add(wb, "s", columns)
    rows = [
        (dt.date(2026, 1, 2), "张三", "420111200409093214", Decimal("320"), "=1+1", 7),
        (None, "李四", "", None, "@x", 8),
    ]
    for row in rows:
        sheet_append(ws, columns, row)
    output = io.BytesIO()
    wb.save(output)
    sheet = load_workbook(io.BytesIO(output.getvalue()))["s"]
    first = [cell for cell in sheet[2]]
    assert first[0].value.date() == dt.date(2026, 1, 2)
    assert first[0].number_format == "yyyy-mm-dd"
    assert (first[1].value, first[1].number_format) == ("张三", "General")
    assert (first[2].value, first[2].number_format) == ("420111200409093214", "@")
    assert (first[3].value, first[3].number_format) == (320, "#,##0.00")
    assert (first[4].value, first[4].data_type, first[4].quotePrefix) == ("=1+1", "s", True)
    assert (first[5].value, first[5].number_format) == (7, "General")
    second = [cell for cell in sheet[3]]
    assert second[0].value is None and second[2].value is None and second[3].value is None
    assert (second[1].value, second[1].number_format) == ("李四", "General")
    assert (second[4].value, second[4].quotePrefix) == ("@x", True)
