"""Class lists read through the one guarded workbook reader (common.workbook).

Every import (payment lists, class lists, later scores) goes through `common.workbook`, which checks
the zip container before openpyxl parses anything, never trusts <dimension>, and stops at
documented row and cell limits (docs/security.md). This module only adapts its rows to what the
class-list import reads: (sheet row number, raw values) with blank rows skipped, and cell text as
a person sees it.
"""

import datetime as dt
from collections.abc import Iterator

from common.workbook import MAX_UPLOAD_BYTES, TOO_LARGE, WorkbookError
from common.workbook import workbook_rows as _guarded_rows

__all__ = ["MAX_UPLOAD_BYTES", "TOO_LARGE", "WorkbookError", "cell_text", "workbook_rows"]


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


def workbook_rows(content: bytes, *, header_check=None) -> Iterator[tuple[int, list]]:
    """(row number, raw cell values) of the first sheet, blank rows skipped.

    Raw values are handed out so the caller can tell an ID number that Excel stored as a number
    (its last digits are lost) from one stored as text. A formula cell arrives as
    `common.workbook.Formula` (its text, e.g. "=A1"), which no name, ID or student number accepts.
    `header_check` is called with the first non-empty row before any other row is read.
    """
    for number, values in enumerate(_guarded_rows(content, header_check=header_check), start=1):
        if all(cell_text(v) == "" for v in values):
            continue
        yield number, values
