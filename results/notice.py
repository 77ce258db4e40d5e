"""The 公示 period in working days, and which calendar said what a working day is.

Sources, first match wins, per day:
1. **entered**: the year's official schedule entered by 教务 as data (`OfficialCalendarDay`, admin
   *法定节假日安排*): a listed day is 放假 or 调休上班; once a year has any row, its other days are
   Monday to Friday.
2. **official**: `chinese_calendar` (the State Council's yearly schedule, as the consultation hours
   use it; it knows the years it was released with, 2004–2026 in version 1.11).
3. **statutory**: for a year neither knows, the days 《全国年节及纪念日放假办法》 fixes on the solar
   calendar (as amended 2024, in force 2025): 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 Oct, and
   清明节 on the 清明 solar term (chinese_calendar carries the solar terms). 春节, 端午节 and
   中秋节 follow the lunar calendar, which chinese_calendar does not convert, so they are NOT
   counted, nor any 调休; the page says so and 教务 are asked to enter the year's days.

Counting: the period starts on the chosen day (default the day of publication) when it is a
working day, otherwise on the next working day; it ends at the end of its N-th working day.
"""

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar
from chinese_calendar import get_solar_terms

ENTERED = "entered"
OFFICIAL = "official"
STATUTORY = "statutory"
# The worst source wins when a period spans several: the label says what the whole period relied on.
SOURCE_ORDER = (ENTERED, OFFICIAL, STATUTORY)

STATUTORY_SOLAR_HOLIDAYS = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}


def statutory_holiday(day: dt.date) -> str | None:
    """The statutory holiday fixed on `day` without a lunar conversion, else None."""
    name = STATUTORY_SOLAR_HOLIDAYS.get((day.month, day.day))
    if name:
        return name
    if day.month == 4 and 3 <= day.day <= 6:
        terms = dict(get_solar_terms(dt.date(day.year, 4, 3), dt.date(day.year, 4, 6)))
        if terms.get(day) == "清明":
            return "清明节"
    return None


@dataclass(frozen=True)
class Calendar:
    """What 教务 entered: {date: True (working) / False (holiday)} and the years it covers."""

    entered: dict = field(default_factory=dict)

    @property
    def entered_years(self) -> set[int]:
        return {day.year for day in self.entered}

    def day(self, day: dt.date) -> tuple[bool, str]:
        """(is working, source)."""
        if day in self.entered:
            return self.entered[day], ENTERED
        if day.year in self.entered_years:
            return day.weekday() < 5, ENTERED
        try:
            return chinese_calendar.is_workday(day), OFFICIAL
        except NotImplementedError:
            return day.weekday() < 5 and statutory_holiday(day) is None, STATUTORY

    def year_known(self, year: int) -> bool:
        return self.day(dt.date(year, 6, 1))[1] != STATUTORY


@dataclass(frozen=True)
class NoticePeriod:
    starts_on: dt.date
    ends_on: dt.date
    source: str

    @property
    def from_official_calendar(self) -> bool:
        return self.source != STATUTORY


def notice_period(
    *, published_on: dt.date, working_days: int, calendar: Calendar | None = None
) -> NoticePeriod:
    if working_days < 1:
        raise ValueError("working_days must be at least 1")
    calendar = calendar or Calendar()
    day = published_on
    counted = 0
    worst = 0
    first = None
    while True:
        is_working, source = calendar.day(day)
        worst = max(worst, SOURCE_ORDER.index(source))
        if is_working:
            counted += 1
            first = first or day
            if counted == working_days:
                return NoticePeriod(first, day, SOURCE_ORDER[worst])
        day += dt.timedelta(days=1)
