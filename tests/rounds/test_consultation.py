import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rounds.consultation import SHANGHAI, consultation_status, working_day

START = dt.time(9, 30)
END = dt.time(16, 30)


def at(day: str, hhmm: str, tz=SHANGHAI) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=tz)


def status(moment: dt.datetime):
    return consultation_status(moment, start=START, end=END)


# 2022-05-20 is a Friday, an ordinary working day.
@pytest.mark.parametrize(
    ("hhmm", "expected"),
    [("9:29", False), ("9:30", True), ("12:00", True), ("16:30", True), ("16:31", False)],
)
def test_consultation_status_boundaries_on_a_working_day(hhmm, expected):
    assert status(at("2022-05-20", hhmm)).is_open is expected


def test_consultation_status_last_second_of_end_minute_is_open():
    moment = at("2022-05-20", "16:30").replace(second=59)
    assert status(moment).is_open is True


def test_consultation_status_closed_on_saturday():
    result = status(at("2022-05-21", "10:00"))
    assert result.is_open is False
    assert result.is_working_day is False
    # The next consultation is Monday 2022-05-23 at 9:30.
    assert result.next_opens_at == at("2022-05-23", "9:30")


def test_consultation_status_closed_on_a_statutory_holiday_weekday():
    # Monday 2022-10-03 is a National Day holiday.
    result = status(at("2022-10-03", "10:00"))
    assert result.is_open is False
    assert result.from_official_calendar is True
    # 2022-10-08 (Saturday) is the make-up workday after the National Day holidays.
    assert result.next_opens_at == at("2022-10-08", "9:30")


def test_consultation_status_open_on_a_make_up_saturday():
    assert status(at("2022-10-08", "10:00")).is_open is True


def test_consultation_status_before_start_opens_today():
    assert status(at("2022-05-20", "8:00")).next_opens_at == at("2022-05-20", "9:30")


def test_consultation_status_after_end_opens_next_working_day():
    assert status(at("2022-05-19", "17:00")).next_opens_at == at("2022-05-20", "9:30")
    assert status(at("2022-05-20", "17:00")).next_opens_at == at("2022-05-23", "9:30")


def test_consultation_status_open_has_no_next_opening():
    assert status(at("2022-05-20", "10:00")).next_opens_at is None


def test_consultation_status_converts_other_timezones_to_shanghai():
    # 01:29 UTC is 09:29 in Shanghai; 01:30 UTC is 09:30.
    utc = ZoneInfo("UTC")
    assert status(at("2022-05-20", "1:29", tz=utc)).is_open is False
    assert status(at("2022-05-20", "1:30", tz=utc)).is_open is True


def test_consultation_status_rejects_naive_datetimes():
    with pytest.raises(ValueError):
        status(dt.datetime(2022, 5, 20, 10, 0))


def test_consultation_status_uses_the_rounds_own_hours():
    moment = at("2022-05-20", "8:45")
    assert consultation_status(moment, start=dt.time(8, 30), end=END).is_open is True
    assert consultation_status(moment, start=dt.time(8, 46), end=END).is_open is False


def test_working_day_falls_back_to_monday_to_friday_for_unknown_years():
    monday = working_day(dt.date(2030, 1, 7))
    saturday = working_day(dt.date(2030, 1, 5))
    assert monday.is_working is True
    assert monday.from_official_calendar is False
    assert saturday.is_working is False
    assert saturday.from_official_calendar is False


def test_working_day_knows_official_years():
    assert working_day(dt.date(2022, 5, 20)) == working_day(dt.date(2022, 5, 19))
    assert working_day(dt.date(2022, 5, 20)).from_official_calendar is True
