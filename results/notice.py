"""The 公示 period in working days, with statutory holidays and make-up workdays (调休).

It uses the same calendar as the consultation hours (rounds.consultation.working_day,
backed by `chinese_calendar`); for a year that table does not know yet, Monday to Friday is
assumed and `from_official_calendar` says so.

Counting: the day of publication counts as day 1 when it is a working day; otherwise the period
starts on the next working day. The period ends at the end of its N-th working day.
"""

import datetime as dt
from dataclasses import dataclass

from rounds.consultation import working_day


@dataclass(frozen=True)
class NoticePeriod:
    starts_on: dt.date
    ends_on: dt.date
    from_official_calendar: bool


def notice_period(*, published_on: dt.date, working_days: int) -> NoticePeriod:
    if working_days < 1:
        raise ValueError("working_days must be at least 1")
    day = published_on
    counted = 0
    official = True
    first = None
    while True:
        today = working_day(day)
        official = official and today.from_official_calendar
        if today.is_working:
            counted += 1
            first = first or day
            if counted == working_days:
                return NoticePeriod(first, day, official)
        day += dt.timedelta(days=1)
