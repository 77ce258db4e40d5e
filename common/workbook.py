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
MAX_CELLS = 1_000_000

NOT_XLSX = _("文件不是有效的 Excel（.xlsx）文件。请在 Excel 或 WPS 中“另存为” .xlsx 后再上传。")
TOO_LARGE = _("文件过大（超过5MB），请拆分后上传。")
BOMB = _(
    "文件解压后异常庞大（“%(part)s”），可能已损坏或被恶意构造，已拒绝读取。"
    "请在 Excel 中把数据复制到新建的工作簿，另存为 .xlsx 后重新上传。"
)
TOO_MANY_ROWS = _("文件行数超过%(max)d行，请拆分后上传。")
TOO_MANY_CELLS = _("文件中的单元格过多（超过%(max)d个），请只保留需要的列后重新上传。")
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
        total += size
        if total > MAX_TOTAL_BYTES:
            raise WorkbookError(BOMB % {"part": member.filename})


def workbook_rows(source, *, max_rows: int = MAX_ROWS) -> list[list]:
    """The first sheet's rows as lists of values; see the module docstring for the limits."""
    content = _content(source)
    workbook_check(content)
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
