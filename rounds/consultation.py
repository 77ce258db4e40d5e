"""Whether the staff answer consultations right now ("咨询时间：工作日9:30-16:30").

Pure functions: the caller passes the moment and the round's hours, nothing reads the clock.

A working day (工作日) in China is not simply Monday to Friday: statutory holidays close weekdays
and make-up workdays (调休) open weekends. `chinese_calendar` carries the State Council's yearly
schedule; for a year it does not know yet we fall back to Monday to Friday and say so.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")

# How far ahead to look for the next consultation day (the longest holiday is about 8 days).
_LOOKAHEAD_DAYS = 31


@dataclass(frozen=True)
class WorkingDay:
    is_working: bool
    # False when the holiday table does not cover the year and Monday to Friday was assumed.
    from_official_calendar: bool


@dataclass(frozen=True)
class ConsultationStatus:
    is_open: bool
    is_working_day: bool
    from_official_calendar: bool
    # Start of the next consultation period when closed now (Asia/Shanghai); None when open.
    next_opens_at: dt.datetime | None


def working_day(day: dt.date) -> WorkingDay:
    """Whether `day` is a working day in mainland China, holidays and 调休 included."""
    try:
        return WorkingDay(is_working=chinese_calendar.is_workday(day), from_official_calendar=True)
    except NotImplementedError:
        return WorkingDay(is_working=day.weekday() < 5, from_official_calendar=False)


def consultation_status(now: dt.datetime, *, start: dt.time, end: dt.time) -> ConsultationStatus:
    """Consultation is open on working days from `start` to `end`, both minutes included.

    "9:30-16:30" reads as: open from 9:30:00 through 16:30:59; 9:29 and 16:31 are outside.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("consultation_status needs a timezone-aware datetime")
    local = now.astimezone(SHANGHAI)
    minute = local.replace(second=0, microsecond=0).time()
    today = working_day(local.date())
    is_open = today.is_working and start <= minute <= end
    next_opens_at = None
    if not is_open:
        next_opens_at = _next_opening(local, start=start, end=end)
    return ConsultationStatus(
        is_open=is_open,
        is_working_day=today.is_working,
        from_official_calendar=today.from_official_calendar,
        next_opens_at=next_opens_at,
    )


def _next_opening(local: dt.datetime, *, start: dt.time, end: dt.time) -> dt.datetime | None:
    day = local.date()
    if local.time() >= start:
        day += dt.timedelta(days=1)
    for _ in range(_LOOKAHEAD_DAYS):
        if working_day(day).is_working:
            return dt.datetime.combine(day, start, tzinfo=SHANGHAI)
        day += dt.timedelta(days=1)
    return None
