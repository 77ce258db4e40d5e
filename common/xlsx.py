"""Safe, streaming building blocks for .xlsx files written with openpyxl's write-only mode.

Write-only mode keeps one row in memory at a time (rows go to per-sheet temporary files), so an
export's memory stays flat however many rows it has. Every text cell goes through `text_cell`,
which keeps anything a student typed from becoming a formula.
"""

import datetime as dt
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# Characters that make Excel, LibreOffice or WPS treat a typed cell as a formula (or a DDE call).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_CELL_LENGTH = 32767
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Tabs, line breaks (CR, LF, U+2028/9) and other control characters: Excel refuses a workbook
# whose sheet name holds one ("We found a problem with some content"). A class name typed with
# a line break or pasted with a tab becomes one space.
SHEET_NAME_BLANKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# Excel refuses a sheet called "History" (it is reserved for change tracking).
SHEET_NAMES_RESERVED = {"history"}

TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"  # a fraction shown as a percentage (0.825 -> 82.5%)

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)


def clean_text(value: str) -> str:
    """Drop characters XML cannot carry; CR becomes LF (XML readers would do it anyway)."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    return value[:MAX_CELL_LENGTH]


def is_formula_like(value: str) -> bool:
    """Whether a spreadsheet could read the text as a formula, also after leading blanks."""
    return value.startswith(FORMULA_TRIGGERS) or value.lstrip().startswith(FORMULA_TRIGGERS[:4])


def text_cell(ws: WriteOnlyWorksheet, value: str, *, number_format: str | None = None):
    """A cell that Excel stores and shows as text, whatever the text starts with.

    openpyxl turns a string that starts with "=" into a formula and one like "#REF!" into an error
    value; forcing data type "s" writes an inline string instead. Strings that start with a
    formula trigger also get Excel's quote prefix (the stored form of a typed leading apostrophe),
    so the cell stays text even after someone edits it in Excel.
    """
    # Cleaned first: a control character in front of "=" would hide the trigger from the check
    # and then be dropped, leaving a live formula.
    value = clean_text(value)
    risky = is_formula_like(value) or value in ERROR_CODES
    if not risky and number_format is None:
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    if risky:
        cell.quotePrefix = True
    if number_format:
        cell.number_format = number_format
    return cell


@dataclass(frozen=True)
class Column:
    """One column of an export: header, width in Excel character units, a getter and a kind.

    Kinds: "text" (formula-safe string), "code" (string forced to Excel's text format, for ID
    numbers, phones and student numbers, so an 18-digit ID never becomes a rounded number),
    "date", "datetime", "money", "int", "number" (a score such as 85.5, written as a number),
    "percent" (a fraction written as a number in a percent format: 0.825 shows 82.5%).
    """

    header: str
    width: float
    get: Callable[[Any], Any]
    kind: str = "text"


def typed_cell(ws: WriteOnlyWorksheet, value: Any, kind: str):
    if value is None or value == "":
        return None
    if kind == "code":
        return text_cell(ws, str(value), number_format=TEXT_FORMAT)
    if kind == "text":
        return text_cell(ws, str(value))
    if kind == "date":
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if kind == "datetime":
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if kind == "money":
        cell = WriteOnlyCell(ws, value=Decimal(value))
        cell.number_format = MONEY_FORMAT
        return cell
    if kind == "int":
        return int(value)
    if kind == "percent":
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = PERCENT_FORMAT
        return cell
    if kind == "number":
        return value if isinstance(value, int | float | Decimal) else Decimal(str(value))
    raise ValueError(f"unknown column kind {kind!r}")


def _values_to_row(ws: WriteOnlyWorksheet, values, row_idx: int):
    """openpyxl's WriteOnlyWorksheet._values_to_row without its slow path for ready cells.

    openpyxl first tries a ready cell (a styled one of `sheet_append`) as a *value*, which raises
    and catches a ValueError, and then builds a fresh cell for the next value: about a tenth of a
    roster export's time. Here a cell passes straight through; plain values fill one plain cell,
    replaced once openpyxl has styled it (a date gets a date format), exactly as openpyxl does.
    """
    cell = WriteOnlyCell(ws)
    for col_idx, value in enumerate(values, 1):
        if value is None:
            continue
        if isinstance(value, Cell):
            value.column = col_idx
            value.row = row_idx
            yield value
            continue
        cell.value = value
        cell.column = col_idx
        cell.row = row_idx
        yield cell
        if cell.has_style:
            cell = WriteOnlyCell(ws)


def sheet_add(wb: Workbook, title: str, columns: list[Column]) -> WriteOnlyWorksheet:
    """A sheet with a bold, frozen, filterable header row and set column widths."""
    ws = wb.create_sheet(title=title)
    ws._values_to_row = partial(_values_to_row, ws)
    for index, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=clean_text(column.header))
        cell.data_type = "s"
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        header.append(cell)
    ws.append(header)
    return ws


_KIND_FORMATS = {
    "code": TEXT_FORMAT,
    "date": DATE_FORMAT,
    "datetime": DATETIME_FORMAT,
    "money": MONEY_FORMAT,
    "percent": PERCENT_FORMAT,
}
# How each column of a sheet turns a non-blank value into what `ws.append` takes, chosen once per
# sheet rather than per cell. Styled kinds reuse one cell per column row after row: a write-only
# sheet serialises a row as soon as it is appended, and building and styling a fresh cell for
# each value was half of the export's time (benchmarks/RESULTS.md).
_row_makers: "weakref.WeakKeyDictionary[WriteOnlyWorksheet, list]" = weakref.WeakKeyDictionary()
# Distinct texts a column remembers as checked and cleaned; a roster repeats most of its texts
# (class, level, labels, conditions) thousands of times. Cleared when full, so memory stays flat.
TEXT_MEMO_SIZE = 1024
_UNSEEN = object()


def _text_maker(ws: WriteOnlyWorksheet) -> Callable[[Any], Any]:
    """`text_cell` of a column's values, worked out once per distinct text.

    A safe text is remembered as its cleaned string; a risky one (formula-like or an error code)
    as None and given a fresh cell of its own each time, as `typed_cell` does.
    """
    seen: dict[str, str | None] = {}

    def make(value: Any):
        text = str(value)
        plain = seen.get(text, _UNSEEN)
        if plain is _UNSEEN:
            if len(seen) >= TEXT_MEMO_SIZE:
                seen.clear()
            made = text_cell(ws, text)
            seen[text] = made if isinstance(made, str) else None
            return made
        return text_cell(ws, text) if plain is None else plain

    return make


def _styled_maker(ws: WriteOnlyWorksheet, kind: str) -> Callable[[Any], Any]:
    """One cell in the kind's number format, given each row's value."""
    cell = WriteOnlyCell(ws)
    cell.number_format = _KIND_FORMATS[kind]
    if kind == "code":

        def make(value: Any):
            text = clean_text(str(value))
            if is_formula_like(text) or text in ERROR_CODES:  # rare: a cell of its own
                return typed_cell(ws, value, kind)
            cell.value = text
            return cell

    elif kind == "money":

        def make(value: Any):
            cell.value = Decimal(value)
            return cell

    else:

        def make(value: Any):
            cell.value = value
            return cell

    return make


def _maker(ws: WriteOnlyWorksheet, kind: str) -> Callable[[Any], Any]:
    if kind == "text":
        return _text_maker(ws)
    if kind in _KIND_FORMATS:
        return _styled_maker(ws, kind)
    return partial(typed_cell, ws, kind=kind)


def sheet_append(ws: WriteOnlyWorksheet, columns: list[Column], obj: Any) -> None:
    """One row of `columns`' values for `obj`, each typed as `typed_cell` types it."""
    makers = _row_makers.get(ws)
    if makers is None:
        makers = _row_makers[ws] = [_maker(ws, column.kind) for column in columns]
    ws.append(
        [
            None if value is None or value == "" else make(value)
            for make, value in zip(makers, (column.get(obj) for column in columns), strict=True)
        ]
    )


def sheet_finish(ws: WriteOnlyWorksheet, columns: list[Column], rows: int) -> None:
    """Put an autofilter on the header over the data rows (written when the workbook is saved)."""
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"


def local_naive(value: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: write Beijing time without tzinfo."""
    if value is None:
        return None
    from django.utils import timezone

    return timezone.localtime(value).replace(tzinfo=None)


def local_naive_now_zone() -> Callable[[dt.datetime | None], dt.datetime | None]:
    """`local_naive` in the time zone current now, looked up once instead of on every value
    (a column of 10,000 datetimes spent most of its time finding the zone)."""
    from django.utils import timezone

    zone = timezone.get_current_timezone()

    def convert(value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        return timezone.localtime(value, zone).replace(tzinfo=None)

    return convert


class SheetNames:
    """Valid, unique sheet names: at most 31 characters, none of []:*?/\\ and no control
    characters, no leading or trailing apostrophe, not "History", unique ignoring case (as Excel
    compares them)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def make(self, wanted: str) -> str:
        base = SHEET_NAME_FORBIDDEN.sub("_", SHEET_NAME_BLANKS.sub(" ", wanted))
        base = base.strip().strip("'").strip() or "Sheet"
        if base.lower() in SHEET_NAMES_RESERVED:
            base = f"{base}_"
        name = base[:SHEET_NAME_MAX]
        counter = 1
        while name.lower() in self._taken:
            counter += 1
            suffix = f"({counter})"
            name = base[: SHEET_NAME_MAX - len(suffix)].rstrip("'") + suffix
        self._taken.add(name.lower())
        return name


_FILENAME_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """`attachment` with an ASCII `filename` for old clients and RFC 5987 `filename*` in UTF-8.

    Browsers that understand `filename*` (all current ones) use it and show the Chinese name.
    """
    filename = _FILENAME_UNSAFE.sub("_", filename).strip() or ascii_fallback
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
