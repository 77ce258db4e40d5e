"""Reading an uploaded .xlsx safely: one function that every class-list import goes through.

The zip container is checked before openpyxl sees it (member count, each member's and the total
uncompressed size, compression ratio), so a "zip bomb" is refused in milliseconds. The sheet's
`<dimension>` is not trusted (it may claim fewer rows than there are): dimensions are reset and
rows are read until the end, up to MAX_ROWS. Cells come back as text, so an ID number or a
student number never turns into a rounded number.

The payment-list reader in fees/payments.py does the same job for finance; the two are meant to
become one shared reader.
"""

import datetime as dt
import io
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_MEMBERS = 200
MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_ROWS = 20000
MAX_COLUMNS = 50

NOT_XLSX = _("文件不是有效的 Excel（.xlsx）文件。请在 Excel 或 WPS 中“另存为 .xlsx”后上传。")
TOO_LARGE = _("文件过大（超过5MB），请拆分后上传。")
SUSPICIOUS = _("文件结构异常（解压后过大），已拒绝。请在 Excel 或 WPS 中另存为新文件后上传。")
TOO_MANY_ROWS = _("文件行数超过%(max)d行，请拆分后上传。")
NO_SHEET = _("文件中没有工作表。")


class WorkbookError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _check_container(content: bytes) -> None:
    if len(content) > MAX_UPLOAD_BYTES:
        raise WorkbookError(TOO_LARGE)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookError(NOT_XLSX) from None
    if not any(info.filename == "[Content_Types].xml" for info in infos):
        raise WorkbookError(NOT_XLSX)
    if len(infos) > MAX_MEMBERS:
        raise WorkbookError(SUSPICIOUS)
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or (
            info.file_size > 1024 * 1024 and ratio > MAX_RATIO
        ):
            raise WorkbookError(SUSPICIOUS)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(SUSPICIOUS)


def cell_text(value) -> str:
    """A cell as the text a person sees: 2021001.0 -> "2021001", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def workbook_rows(content: bytes) -> Iterator[tuple[int, list]]:
    """(row number, raw cell values) of the first sheet, blank rows skipped.

    Raw values are handed out so the caller can tell an ID number that Excel stored as a number
    (its last digits are lost) from one stored as text; `cell_text` turns a value into text.
    """
    _check_container(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl and its XML parser raise many kinds for broken files
        raise WorkbookError(NOT_XLSX) from None
    try:
        if not workbook.worksheets:
            raise WorkbookError(NO_SHEET)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # never trust <dimension>: read every row there is
        try:
            for number, row in enumerate(
                sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
            ):
                if number > MAX_ROWS + 1:
                    raise WorkbookError(TOO_MANY_ROWS % {"max": MAX_ROWS})
                values = list(row)
                if all(cell_text(v) == "" for v in values):
                    continue
                yield number, values
        except WorkbookError:
            raise
        except Exception:
            raise WorkbookError(NOT_XLSX) from None
    finally:
        workbook.close()
