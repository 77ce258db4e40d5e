"""Workbooks built to cost a server time: many cells, or many megabytes of shared strings.

Written as raw parts (not through openpyxl) so that building one takes well under a second. Each
is a valid .xlsx under the 5 MB upload limit with a header row that lacks a required column, as
in the attacks of issue 24 (800k cells in 4.9 MB held a worker 10 s; 28 MB of shared strings
15 s, and only then was a column found missing).
"""

import io
import zipfile

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def xlsx(sheet_xml: bytes, shared_strings: bytes | None = None) -> bytes:
    overrides = [
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>',
    ]
    rels = [
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>',
    ]
    if shared_strings is not None:
        overrides.append(
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        rels.append(
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_CT}">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(overrides)
            + "</Types>"
        ).encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
            + "".join(rels)
            + "</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def _sheet(rows) -> bytes:
    body = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>']
    body.extend(rows)
    body.append("</sheetData></worksheet>")
    return "".join(body).encode()


def _header(titles) -> str:
    cells = "".join(
        f'<c r="{_column(i)}1" t="inlineStr"><is><t>{title}</t></is></c>'
        for i, title in enumerate(titles)
    )
    return f'<row r="1">{cells}</row>'


def many_cells(cells: int = 800_000, columns: int = 40, header=("学号", "姓名")) -> bytes:
    """`cells` numeric cells under a header without 身份证号 (issue 24: 800k cells, 4.9 MB)."""
    rows = [_header(header)]
    names = [_column(i) for i in range(columns)]
    for r in range(2, cells // columns + 2):
        rows.append(
            f'<row r="{r}">'
            + "".join(f'<c r="{n}{r}"><v>{(r * 7 + i) % 1000}</v></c>' for i, n in enumerate(names))
            + "</row>"
        )
    return xlsx(_sheet(rows))


def big_shared_strings(megabytes: float = 28, header=("学号", "姓名")) -> bytes:
    """About `megabytes` MB of distinct shared strings, a few used, under a header without
    身份证号 (issue 24: 28 MB of shared strings took 15 s)."""
    entries = []
    size = 0
    i = 0
    target = int(megabytes * 1024 * 1024)
    while size < target:
        entry = f"<si><t>学生{i:08d}号</t></si>"
        entries.append(entry)
        size += len(entry.encode())
        i += 1
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="{i}" '
        f'uniqueCount="{i}">' + "".join(entries) + "</sst>"
    ).encode()
    rows = [_header(header)]
    for r in range(2, 52):
        rows.append(f'<row r="{r}"><c r="A{r}" t="s"><v>{r}</v></c></row>')
    return xlsx(_sheet(rows), strings)
