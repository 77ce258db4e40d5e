"""The 公示 calendar knows its limits: statutory fixed holidays where the official calendar lacks
a year, the year's days entered by 教务 as data, the calendar named on the pages; 教务 choose the
start date; the home page links the running notice."""

import datetime as dt

import chinese_calendar
import pytest
from django.test import Client
from django.urls import reverse

from results import selectors, services
from results.models import CalendarDayKind, CalendarSource, OfficialCalendarDay, ResultNotice
from results.notice import STATUTORY, Calendar, notice_period, statutory_holiday
from results.services import ScoreError
from tests.results.test_outcomes import graded  # noqa: F401

UNKNOWN_YEAR = 2027


def _year_unknown_to_the_library() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(UNKNOWN_YEAR, 1, 4))


def test_statutory_holidays_fixed_by_the_law():
    assert statutory_holiday(dt.date(2027, 1, 1)) == "元旦"
    assert statutory_holiday(dt.date(2027, 5, 2)) == "劳动节"
    assert statutory_holiday(dt.date(2027, 5, 3)) is None  # just past: 劳动节 is two days
    assert statutory_holiday(dt.date(2027, 10, 3)) == "国庆节"
    assert statutory_holiday(dt.date(2027, 10, 4)) is None
    assert statutory_holiday(dt.date(2027, 4, 5)) == "清明节"  # the 清明 solar term in 2027
    assert statutory_holiday(dt.date(2027, 4, 6)) is None


def test_new_year_2027_is_not_a_working_day():
    _year_unknown_to_the_library()
    # Thursday 2026-12-31 (official calendar), Friday 2027-01-01 (元旦, statutory), Monday 01-04.
    period = notice_period(published_on=dt.date(2026, 12, 31), working_days=2)
    assert (period.starts_on, period.ends_on) == (dt.date(2026, 12, 31), dt.date(2027, 1, 4))
    assert period.source == STATUTORY and not period.from_official_calendar


def test_national_day_2027_three_statutory_days():
    period = notice_period(published_on=dt.date(2027, 9, 30), working_days=2)
    # Thu 9-30; Fri 10-1 off; weekend; Mon 10-4 is a working day without 调休 data.
    assert period.ends_on == dt.date(2027, 10, 4)


def test_entered_days_override_and_are_used():
    entered = Calendar(
        entered={
            dt.date(2027, 1, 1): False,
            dt.date(2027, 1, 4): False,  # e.g. an extended holiday
            dt.date(2027, 1, 9): True,  # a Saturday make-up workday (调休)
        }
    )
    assert entered.year_known(UNKNOWN_YEAR)
    period = notice_period(published_on=dt.date(2027, 1, 1), working_days=5, calendar=entered)
    # 1-5, 1-6, 1-7, 1-8, 1-9 (the Saturday make-up day)
    assert (period.starts_on, period.ends_on) == (dt.date(2027, 1, 5), dt.date(2027, 1, 9))
    assert period.source == "entered"


@pytest.mark.django_db
def test_selector_reads_the_entered_days():
    OfficialCalendarDay.objects.create(date=dt.date(2027, 2, 13), kind=CalendarDayKind.WORKDAY)
    calendar = selectors.calendar_get()
    assert calendar.day(dt.date(2027, 2, 13)) == (True, "entered")
    assert selectors.calendar_unknown_years(today=dt.date(2026, 12, 8), calendar=calendar) == []
    assert selectors.calendar_unknown_years(today=dt.date(2026, 12, 8), calendar=Calendar()) == [
        2027
    ]


def test_publish_with_a_chosen_start_and_the_calendar_named(exam_round, graded, academic):  # noqa: F811
    notice = services.notice_publish(
        round=exam_round,
        working_days=2,
        user=academic,
        today=dt.date(2026, 12, 28),
        starts_on=dt.date(2026, 12, 31),
    )
    assert (notice.starts_on, notice.ends_on) == (dt.date(2026, 12, 31), dt.date(2027, 1, 4))
    assert notice.calendar == CalendarSource.STATUTORY
    client = Client()
    client.force_login(academic)
    page = client.get(reverse("results:home"), {"round": exam_round.slug}).content.decode()
    assert "仅法定固定节假日" in page and "已计入法定节假日和调休" not in page


def test_start_date_cannot_be_in_the_past(exam_round, graded, academic):  # noqa: F811
    with pytest.raises(ScoreError) as refused:
        services.notice_publish(
            round=exam_round,
            working_days=5,
            user=academic,
            today=dt.date(2026, 12, 8),
            starts_on=dt.date(2026, 12, 7),
        )
    assert str(refused.value) == str(services.START_IN_PAST)
    services.notice_publish(
        round=exam_round,
        working_days=5,
        user=academic,
        today=dt.date(2026, 12, 8),
        starts_on=dt.date(2026, 12, 8),
    )


def test_publish_view_takes_the_start_date(exam_round, graded, academic):  # noqa: F811
    from django.utils import timezone

    client = Client()
    client.force_login(academic)
    start = timezone.localdate() + dt.timedelta(days=3)
    client.post(
        reverse("results:notice_publish", args=[exam_round.pk]),
        {"working_days": "1", "starts_on": start.isoformat()},
    )
    notice = ResultNotice.objects.get(round=exam_round)
    assert notice.starts_on >= start
    # Before its start the notice lists nobody and the student page shows no results yet.
    page = Client().get(reverse("results:notice", args=[exam_round.slug])).content.decode()
    assert 'id="notice-upcoming"' in page and 'id="notice-table"' not in page
    own = graded[0]
    page = (
        Client()
        .get(reverse("registration:registration_detail", args=[own.pk, own.token]))
        .content.decode()
    )
    assert 'id="student-results"' not in page


def test_results_home_warns_when_the_year_is_unknown(exam_round, academic):
    from django.utils import timezone

    client = Client()
    client.force_login(academic)
    page = client.get(reverse("results:home"), {"round": exam_round.slug}).content.decode()
    today = timezone.localdate()
    unknown = [y for y in (today.year, today.year + 1) if not Calendar().year_known(y)]
    assert ('id="calendar-warning"' in page) == bool(unknown)
    if unknown:
        assert "调休也未知" in page
        OfficialCalendarDay.objects.bulk_create(
            OfficialCalendarDay(date=dt.date(y, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
            for y in unknown
        )
        page = client.get(reverse("results:home"), {"round": exam_round.slug}).content.decode()
        assert 'id="calendar-warning"' not in page


def test_home_page_links_the_running_notice(exam_round, graded, academic):  # noqa: F811
    from common import content_cache

    exam_round.is_published = True
    exam_round.save()
    home = Client()
    assert reverse("results:notice", args=[exam_round.slug]) not in home.get("/").content.decode()
    services.notice_publish(round=exam_round, working_days=5, user=academic)
    content_cache.process_memos_clear()
    page = home.get("/").content.decode()
    assert reverse("results:notice", args=[exam_round.slug]) in page
