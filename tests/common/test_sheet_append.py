"""sheet_append writes what typed_cell makes of every value, also for texts it has seen before."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from common import xlsx
from common.xlsx import Column, sheet_add, sheet_append, typed_cell

COLUMNS = [
    Column("序号", 6, lambda r: r[0], "int"),
    Column("文本", 10, lambda r: r[1]),
    Column("号码", 10, lambda r: r[2], "code"),
    Column("日期", 10, lambda r: r[3], "date"),
    Column("时间", 10, lambda r: r[4], "datetime"),
    Column("金额", 10, lambda r: r[5], "money"),
    Column("分数", 10, lambda r: r[6], "number"),
]
TEXTS = ["一班", "=1+1", "一班", " -2", "#REF!", "a\r\nb\x01", 42, "一班", "=1+1", "", None, "二班"]


def _rows():
    for i, text in enumerate(TEXTS * 3):
        yield (
            i,
            text,
            ("=A1", "420111200409093214", "", None, "#N/A")[i % 5],
            dt.date(2026, 1, 1 + i % 28) if i % 3 else None,
            dt.datetime(2026, 1, 2, 8, i % 60),
            (Decimal("320"), "82.5", None, 0)[i % 4],
            (85.5, "90", None, 3)[i % 4],
        )


def _written(append) -> tuple[bytes, list]:
    """The sheet's XML, and each cell as Excel sees it (its style ids may number differently)."""
    wb = Workbook(write_only=True)
    ws = sheet_add(wb, "s", COLUMNS)
    for row in _rows():
        append(ws, row)
    output = io.BytesIO()
    wb.save(output)
    with zipfile.ZipFile(output) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet1.xml")
    cells = [
        (c.coordinate, c.value, c.data_type, c.number_format, c.quotePrefix, c.font.b)
        for row in load_workbook(output)["s"].iter_rows()
        for c in row
    ]
    return sheet_xml, cells


def test_sheet_append_writes_what_typed_cell_makes(monkeypatch):
    monkeypatch.setattr(xlsx, "TEXT_MEMO_SIZE", 3)  # the memo also fills up and starts again

    def by_typed_cell(ws, row):
        ws.append([typed_cell(ws, column.get(row), column.kind) for column in COLUMNS])

    def by_sheet_append(ws, row):
        sheet_append(ws, COLUMNS, row)

    xml, cells = _written(by_sheet_append)
    expected_xml, expected_cells = _written(by_typed_cell)
    assert cells == expected_cells
    # The same style ids too: typed_cell's path registers one more (unused) number format.
    assert xml == expected_xml


def test_a_control_character_cannot_hide_a_formula():
    """XML cannot carry "\\x01", so it is dropped; the check must look at what is left, or
    "\\x01=1+1" (typed into a counselor's note) would open in Excel as a live formula."""
    columns = [Column("备注", 10, lambda r: r[0]), Column("号码", 10, lambda r: r[1], "code")]
    wb = Workbook(write_only=True)
    ws = sheet_add(wb, "s", columns)
    for row in (("\x01=1+1", "\x02=2+2"), ("\x01=1+1", "\x02=2+2")):  # the second from the memo
        sheet_append(ws, columns, row)
    output = io.BytesIO()
    wb.save(output)
    with zipfile.ZipFile(output) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")
    cells = [c for row in load_workbook(output)["s"].iter_rows(min_row=2) for c in row]
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [
        ("=1+1", "s", True),
        ("=2+2", "s", True),
    ] * 2
