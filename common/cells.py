"""Reading one cell of an uploaded workbook: text, dates and person identifiers, forgivingly.

Shared by every import (payment lists, score lists, certificate lists). A cell that cannot be
read raises `RowError` with a Chinese message naming the column; the caller reports the row and
goes on with the next.
"""

import datetime as dt
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.idcard import normalise_id_number
from common.normalize import bounded

BAD_DATE = _("%(label)s“%(value)s”不是有效日期（如 2026-11-20 或 2026年11月20日）。")
FUTURE_DATE = _("%(label)s %(value)s 晚于今天。")
ID_AS_NUMBER = _("身份证号被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新导出。")

_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日")
_DASHED_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[ T])")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMBER_AS_TEXT = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


class RowError(ValueError):
    pass


def cell_text(value) -> str:
    """Cell text with full-width digits, letters and signs folded (NFKC) and spaces trimmed.

    A cell may hold 32,767 characters and a sheet repeat one shared string in every cell: text
    over RAW_MAX_LENGTH characters is cut and not normalised (no column read here is that long;
    the cut text is refused by the column's own check)."""
    text = str(value)
    cut = bounded(text)
    if cut is not None:
        return cut
    return unicodedata.normalize("NFKC", text).strip()


def cell_date(value, *, label: str) -> dt.date:
    """A date cell, an Excel serial number, or text such as 2026-11-20 / 2026年11月20日; never
    later than today. `label` names the column in the message."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial date (the cell lost its date format): days since 1899-12-30.
        if not 20000 <= value <= 80000:
            raise RowError(BAD_DATE % {"label": label, "value": value})
        day = EXCEL_EPOCH + dt.timedelta(days=int(value))
    else:
        text = cell_text(value or "")
        match = _CHINESE_DATE.match(text) or _DASHED_DATE.match(text) or _COMPACT_DATE.match(text)
        if text.isascii() and text.isdigit() and not match and 20000 <= int(text) <= 80000:
            return cell_date(int(text), label=label)
        if not match:
            raise RowError(BAD_DATE % {"label": label, "value": text})
        try:
            day = dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise RowError(BAD_DATE % {"label": label, "value": text}) from None
    if day > timezone.localdate():
        raise RowError(FUTURE_DATE % {"label": label, "value": f"{day:%Y-%m-%d}"})
    return day


def cell_person(id_value, other_value=None) -> str:
    """The ID number of a row (normalised), else its other identifier (registration or ticket
    number) as text; "" when both are empty. An ID number Excel turned into a number is refused:
    its last digits are already lost."""
    if isinstance(id_value, int | float) and not isinstance(id_value, bool):
        raise RowError(ID_AS_NUMBER)
    id_text = cell_text(id_value) if id_value is not None else ""
    if _NUMBER_AS_TEXT.match(id_text):
        raise RowError(ID_AS_NUMBER)
    person = normalise_id_number(id_text)
    if not person:
        if isinstance(other_value, float) and other_value.is_integer():
            other_value = int(other_value)
        person = cell_text(other_value) if other_value is not None else ""
    return person
