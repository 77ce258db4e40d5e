"""Invariants of the round kernel the database keeps, and the deadline arithmetic of a round."""

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from registration.models import SHANGHAI
from rounds.models import ExamRound, SkillLevel
from tests.factories import (
    ExamRoundFactory,
    MajorFactory,
    SchoolClassFactory,
)

pytestmark = pytest.mark.django_db


@contextmanager
def violates():
    """Expect the database to refuse the write (atomic so PostgreSQL can go on afterwards)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


# --- Classes, majors, levels, rounds ----------------------------------------------------------


@pytest.mark.parametrize("year", [1990, 2100])
def test_school_class_enrolment_year_within_range(year):
    assert SchoolClassFactory(enrolment_year=year).pk


@pytest.mark.parametrize("year", [1989, 2101])
def test_school_class_enrolment_year_out_of_range_is_refused(year):
    major = MajorFactory()
    with violates():
        SchoolClassFactory(enrolment_year=year, major=major)


def test_school_class_codes_are_unguessable_and_unique():
    codes = {SchoolClassFactory().code for _ in range(5)}
    assert len(codes) == 5
    assert all(len(code) >= 12 for code in codes)


@pytest.mark.parametrize(("today", "grade"), [("2022-08-31", 2), ("2022-09-01", 3)])
def test_school_class_grade_changes_in_september(today, grade):
    school_class = SchoolClassFactory(enrolment_year=2020)
    assert school_class.grade_on(dt.date.fromisoformat(today)) == grade


@pytest.mark.parametrize("years", [0, 9])
def test_major_program_years_out_of_range_is_refused(years):
    with violates():
        MajorFactory(program_years=years)


@pytest.mark.parametrize("code", [0, 6])
def test_skill_level_code_out_of_range_is_refused(code):
    with violates():
        SkillLevel.objects.create(code=code, name=f"等级{code}", short_name="x")


def test_exam_session_opening_after_deadline_is_refused():
    with violates():
        ExamRoundFactory(
            registration_opens=dt.date(2022, 5, 21), registration_deadline=dt.date(2022, 5, 20)
        )


def test_exam_session_opening_on_deadline_day_is_allowed():
    day = dt.date(2022, 5, 20)
    assert ExamRoundFactory(registration_opens=day, registration_deadline=day).pk


# --- Deadline arithmetic (Asia/Shanghai, the deadline day counts whole) -----------------------


@pytest.fixture
def round_2022():
    return ExamRoundFactory(registration_deadline=dt.date(2022, 5, 20))


def test_exam_session_deadline_ends_at_midnight_after_the_deadline_day(round_2022):
    assert round_2022.deadline_ends_at == dt.datetime(2022, 5, 21, 0, 0, tzinfo=SHANGHAI)
    assert round_2022.deadline_ends_at.utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (dt.datetime(2022, 5, 20, 23, 59, 59, tzinfo=SHANGHAI), True),
        (dt.datetime(2022, 5, 20, 23, 59, 59, 999999, tzinfo=SHANGHAI), True),
        (dt.datetime(2022, 5, 21, 0, 0, 0, tzinfo=SHANGHAI), False),
        # The same instants seen from UTC: Shanghai is UTC+8.
        (dt.datetime(2022, 5, 20, 15, 59, 59, tzinfo=ZoneInfo("UTC")), True),
        (dt.datetime(2022, 5, 20, 16, 0, 0, tzinfo=ZoneInfo("UTC")), False),
    ],
)
def test_exam_session_is_open_at_the_deadline_boundary(round_2022, moment, is_open):
    with time_machine.travel(moment, tick=False):
        assert round_2022.is_open() is is_open
    assert round_2022.is_open(moment) is is_open


def test_exam_session_open_on_query_agrees_with_is_open(round_2022):
    assert ExamRound.objects.open_on(dt.date(2022, 5, 20)).filter(pk=round_2022.pk).exists()
    assert not ExamRound.objects.open_on(dt.date(2022, 5, 21)).filter(pk=round_2022.pk).exists()


def test_exam_session_opens_at_midnight_of_the_opening_day():
    exam_round = ExamRoundFactory(
        registration_opens=dt.date(2022, 5, 10), registration_deadline=dt.date(2022, 5, 20)
    )
    assert exam_round.is_open(dt.datetime(2022, 5, 9, 23, 59, 59, tzinfo=SHANGHAI)) is False
    assert exam_round.is_open(dt.datetime(2022, 5, 10, 0, 0, 0, tzinfo=SHANGHAI)) is True


def test_exam_session_unpublished_is_never_open(round_2022):
    round_2022.is_published = False
    assert round_2022.is_open(dt.datetime(2022, 5, 19, 12, 0, tzinfo=SHANGHAI)) is False
