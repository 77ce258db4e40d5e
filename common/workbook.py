"""One safe way to read an uploaded .xlsx workbook (payment lists, class lists, scores).

An .xlsx file is a zip of XML parts, and a few kilobytes can unpack into gigabytes (a
``styles.xml`` of millions of empty elements, millions of shared strings). Before openpyxl parses
anything, the zip directory is checked: member count, each member's unpacked size, the total and
the compression ratio. openpyxl then parses with defusedxml (installed as a dependency; openpyxl
uses it when present), in read-only mode, with the sheet's ``<dimension>`` ignored (a file may
claim fewer rows than it holds), counting rows and cells as it goes.

Limits (documented in the README):

- upload at most ``MAX_UPLOAD_BYTES`` (5 MB), at most ``MAX_MEMBERS`` zip members;
- each member unpacks to at most ``MAX_MEMBER_BYTES`` (styles and other parts:
  ``MAX_SMALL_PART_BYTES``), all together at most ``MAX_TOTAL_BYTES``;
- a member larger than ``RATIO_FLOOR_BYTES`` may not be compressed more than ``MAX_RATIO`` : 1;
- at most ``max_rows`` non-empty rows (default ``MAX_ROWS``), ``SCAN_ROWS`` rows in all (empty
  ones included) and ``MAX_CELLS`` cells are read; more is refused with a message.

API: ``workbook_rows(source)`` takes bytes, a path or a file object and returns the first sheet as
a list of rows (lists of cell values; row *n* of the sheet is ``rows[n - 1]``). A formula cell comes
back as a ``Formula`` (a ``str``) so the caller can refuse it. Every problem raises
``WorkbookError`` whose ``message`` is Chinese and fit to show to the user.
"""

import io
import os
import zipfile

from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_MEMBERS = 200
MAX_MEMBER_BYTES = 30 * 1024 * 1024
MAX_SMALL_PART_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 60 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_ROWS = 20000
SCAN_ROWS = 3 * MAX_ROWS
MAX_COLUMNS = 64
# Cells in all sheets, counted in the XML before openpyxl parses anything (20,000 rows × 10
# columns; about 3 s of parsing): 800,000 cells in a 4.9 MB upload held a worker 10 s before.
MAX_CELLS = 200_000
# Shared strings are parsed whole when the workbook is opened, before any row: 28 MB of them
# held a worker 15 s. An honest list of 20,000 people (names, ID numbers, student numbers, all
# distinct) has about 2 MB of them.
MAX_SHARED_STRINGS_BYTES = 4 * 1024 * 1024
_CELL_TAGS = (b"<c ", b"<c>", b":c ", b":c>")
_CHUNK = 1024 * 1024

NOT_XLSX = _("文件不是有效的 Excel（.xlsx）文件。请在 Excel 或 WPS 中“另存为” .xlsx 后再上传。")
TOO_LARGE = _("文件过大（超过5MB），请拆分后上传。")
BOMB = _(
    "文件解压后异常庞大（“%(part)s”），可能已损坏或被恶意构造，已拒绝读取。"
    "请在 Excel 中把数据复制到新建的工作簿，另存为 .xlsx 后重新上传。"
)
TOO_MANY_ROWS = _("文件行数超过%(max)d行，请拆分后上传。")
TOO_MANY_CELLS = _("文件中的单元格过多（超过%(max)d个），请只保留需要的列后重新上传。")
TOO_MANY_STRINGS = _("文件中的文字内容过多（超过%(max)dMB），请只保留需要的列和行后重新上传。")
NO_SHEET = _("文件中没有工作表。")
UNREADABLE = _("无法读取文件内容（文件可能已损坏）。请在 Excel 中另存为 .xlsx 后重新上传。")

# Parts that are small in any honest workbook, whatever the number of rows.
_SHEET_PREFIXES = ("xl/worksheets/", "xl/sharedStrings.xml")


class WorkbookError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class Formula(str):
    """The text of a formula cell (the workbook stores no value we could trust)."""


def _content(source) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        if os.path.getsize(source) > MAX_UPLOAD_BYTES:
            raise WorkbookError(TOO_LARGE)
        with open(source, "rb") as handle:
            return handle.read()
    data = source.read(MAX_UPLOAD_BYTES + 1)
    return data


def workbook_check(content: bytes) -> None:
    """Refuse a file that is not a zip of sane size before any XML is parsed (milliseconds)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise WorkbookError(TOO_LARGE)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise WorkbookError(NOT_XLSX) from None
    if len(members) > MAX_MEMBERS:
        raise WorkbookError(BOMB % {"part": f"{len(members)} 个部件"})
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names:
        raise WorkbookError(NOT_XLSX)
    total = 0
    for member in members:
        size = member.file_size
        limit = (
            MAX_MEMBER_BYTES
            if member.filename.startswith(_SHEET_PREFIXES)
            else MAX_SMALL_PART_BYTES
        )
        if size > limit:
            raise WorkbookError(BOMB % {"part": member.filename})
        if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(member.compress_size, 1):
            raise WorkbookError(BOMB % {"part": member.filename})
        if member.filename == "xl/sharedStrings.xml" and size > MAX_SHARED_STRINGS_BYTES:
            raise WorkbookError(TOO_MANY_STRINGS % {"max": MAX_SHARED_STRINGS_BYTES >> 20})
        total += size
        if total > MAX_TOTAL_BYTES:
            raise WorkbookError(BOMB % {"part": member.filename})
    _cells_check(content, [m for m in members if m.filename.startswith("xl/worksheets/")])


def _cells_check(content: bytes, sheets) -> None:
    """Count the cell elements of every sheet in the raw XML (a C-speed byte count while
    unzipping, about 0.1 s for 30 MB) and refuse more than MAX_CELLS before any parsing.

    It counts `<c ` and `<c>` (and a namespace-prefixed `:c `), which no other element of a
    worksheet starts with; a string that contains such text can only make the count larger."""
    cells = 0
    tail = b""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for member in sheets:
            try:
                with archive.open(member) as part:
                    while chunk := part.read(_CHUNK):
                        window = tail + chunk
                        cells += sum(window.count(tag) for tag in _CELL_TAGS)
                        # A tag split across two chunks is counted in the next window; the
                        # two bytes kept cannot hold a whole tag, so none is counted twice.
                        tail = window[-2:]
                        if cells > MAX_CELLS:
                            raise WorkbookError(TOO_MANY_CELLS % {"max": MAX_CELLS})
            except WorkbookError:
                raise
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError):
                raise WorkbookError(NOT_XLSX) from None
            tail = b""


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _shared_strings_upto(archive, wanted: set[int]) -> dict[int, str]:
    """The shared strings of the indices wanted, streamed only as far as the largest one."""
    if not wanted or "xl/sharedStrings.xml" not in archive.namelist():
        return {}
    from defusedxml.ElementTree import iterparse

    found: dict[int, str] = {}
    last = max(wanted)
    index = 0
    with archive.open("xl/sharedStrings.xml") as part:
        for _event, element in iterparse(part, events=("end",)):
            if _local(element.tag) != "si":
                continue
            if index in wanted:
                found[index] = "".join(
                    node.text or "" for node in element.iter() if _local(node.tag) == "t"
                )
            element.clear()
            if index >= last:
                break
            index += 1
    return found


def header_peek(content: bytes) -> list | None:
    """The first non-empty row of the first sheet, read straight from the XML before openpyxl
    opens the workbook (which, without a `<dimension>` in the sheet, parses the whole sheet, and
    always parses every shared string first). None when it cannot be found this way; values are
    the cells' text."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.reader.excel import ExcelReader

    try:
        reader = ExcelReader(io.BytesIO(content), read_only=True)
        reader.read_manifest()
        reader.read_workbook()
        target = next(rel.target for _sheet, rel in reader.parser.find_sheets())
        archive = reader.archive
        with archive.open(target) as part:
            for _event, element in iterparse(part, events=("end",)):
                if _local(element.tag) != "row":
                    continue
                cells = []
                for cell in element:
                    if _local(cell.tag) != "c":
                        continue
                    kind = cell.get("t", "n")
                    if kind == "inlineStr":
                        text = "".join(n.text or "" for n in cell.iter() if _local(n.tag) == "t")
                        cells.append(("text", text))
                    else:
                        value = next((n.text for n in cell if _local(n.tag) == "v"), None)
                        cells.append(("shared" if kind == "s" else "text", value))
                element.clear()
                if any(value not in (None, "") for _kind, value in cells):
                    break
            else:
                return None
        wanted = {int(v) for kind, v in cells[:MAX_COLUMNS] if kind == "shared" and v}
        strings = _shared_strings_upto(archive, wanted)
        return [
            strings.get(int(v)) if kind == "shared" and v else v for kind, v in cells[:MAX_COLUMNS]
        ]
    except Exception:  # an odd but maybe valid file: openpyxl will read it, or refuse it
        return None


def workbook_rows(source, *, max_rows: int = MAX_ROWS, header_check=None) -> list[list]:
    """The first sheet's rows as lists of values; see the module docstring for the limits.

    `header_check`, when given, is called with the first non-empty row (its values) as soon as
    it is read, before any further row: it raises WorkbookError (a missing column) to stop there.
    """
    content = _content(source)
    workbook_check(content)
    if header_check is not None:
        header = header_peek(content)
        if header is not None:
            header_check(header)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except WorkbookError:
        raise
    except Exception:  # openpyxl raises many types for broken files
        raise WorkbookError(NOT_XLSX) from None
    try:
        if not workbook.worksheets:
            raise WorkbookError(NO_SHEET)
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            # Read-only sheets stop at the row <dimension> claims; a file may lie about it.
            sheet.reset_dimensions()
        rows: list[list] = []
        filled = cells = 0
        for scanned, row in enumerate(sheet.iter_rows(), start=1):
            if scanned > SCAN_ROWS:
                raise WorkbookError(TOO_MANY_ROWS % {"max": max_rows})
            values = []
            for cell in row[:MAX_COLUMNS]:
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f" and value is not None:
                    value = Formula(value)
                values.append(value)
            cells += len(row)
            if cells > MAX_CELLS:
                raise WorkbookError(TOO_MANY_CELLS % {"max": MAX_CELLS})
            while values and values[-1] in (None, ""):
                values.pop()
            if values:
                filled += 1
                if filled == 1 and header_check is not None:
                    header_check(values)
                if filled > max_rows + 1:  # the header row does not count
                    raise WorkbookError(TOO_MANY_ROWS % {"max": max_rows})
            rows.append(values)
    except WorkbookError:
        raise
    except Exception:  # a broken part found while streaming rows
        raise WorkbookError(UNREADABLE) from None
    finally:
        workbook.close()
    while rows and not rows[-1]:
        rows.pop()
    return rows
