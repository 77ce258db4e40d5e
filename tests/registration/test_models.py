"""Invariants the database itself keeps, and the deadline arithmetic of a round."""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registration.models import SHANGHAI
from rounds.models import ExamRound, SkillLevel
from tests.factories import (
    ExamRoundFactory,
    FeeItemFactory,
    MajorFactory,
    RegistrationFactory,
    SchoolClassFactory,
)

pytestmark = pytest.mark.django_db


@contextmanager
def violates():
    """Expect the database to refuse the write (atomic so PostgreSQL can go on afterwards)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


# --- Fee items --------------------------------------------------------------------------------


def test_fee_item_amount_zero_is_allowed():
    assert FeeItemFactory(amount=Decimal("0")).pk


def test_fee_item_negative_amount_is_refused_by_the_database():
    with violates():
        FeeItemFactory(amount=Decimal("-0.01"))


def test_fee_item_negative_amount_fails_validation():
    item = FeeItemFactory.build(session=ExamRoundFactory(), amount=Decimal("-1"))
    with pytest.raises(ValidationError) as excinfo:
        item.full_clean()
    assert "amount" in excinfo.value.message_dict


def test_fee_item_registration_fee_with_a_training_option_is_refused():
    with violates():
        FeeItemFactory(kind="registration", training_option="intensive")


def test_fee_item_training_fee_without_option_is_refused():
    with violates():
        FeeItemFactory(kind="training", training_option="")


def test_fee_item_training_fee_with_option_is_allowed():
    assert FeeItemFactory(kind="training", training_option="intensive", amount=800).pk


def test_fee_item_is_unique_per_session_level_type_and_option():
    first = FeeItemFactory(kind="training", training_option="intensive", amount=800)
    with violates():
        FeeItemFactory(
            session=first.session, kind="training", training_option="intensive", amount=900
        )


def test_fee_item_other_option_of_same_level_is_allowed():
    first = FeeItemFactory(kind="training", training_option="intensive", amount=800)
    second = FeeItemFactory(
        session=first.session, kind="training", training_option="improvement", amount=300
    )
    assert second.pk != first.pk


def test_fee_item_class_hours_must_be_positive():
    assert FeeItemFactory(kind="training", training_option="intensive", class_hours=1).pk
    with violates():
        FeeItemFactory(kind="training", training_option="improvement", class_hours=0)


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


# --- Registrations ----------------------------------------------------------------------------


def test_registration_second_active_for_same_id_in_same_session_is_refused():
    first = RegistrationFactory()
    with violates():
        RegistrationFactory(session=first.session, id_number=first.id_number)


def test_registration_cancelled_plus_active_for_same_id_is_allowed():
    cancelled = RegistrationFactory(status="cancelled")
    active = RegistrationFactory(session=cancelled.session, id_number=cancelled.id_number)
    assert active.pk != cancelled.pk


def test_registration_two_cancelled_for_same_id_are_allowed():
    first = RegistrationFactory(status="cancelled")
    assert RegistrationFactory(
        session=first.session, id_number=first.id_number, status="cancelled"
    ).pk


def test_registration_same_id_in_another_session_is_allowed():
    first = RegistrationFactory()
    assert RegistrationFactory(id_number=first.id_number).session_id != first.session_id


def test_registration_cancelling_then_reregistering_is_allowed():
    first = RegistrationFactory()
    first.status = "cancelled"
    first.save()
    assert RegistrationFactory(session=first.session, id_number=first.id_number).pk


def test_registration_negative_quoted_fee_is_refused():
    with violates():
        RegistrationFactory(quoted_training_fee=Decimal("-1"))


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
    session = ExamRoundFactory(
        registration_opens=dt.date(2022, 5, 10), registration_deadline=dt.date(2022, 5, 20)
    )
    assert session.is_open(dt.datetime(2022, 5, 9, 23, 59, 59, tzinfo=SHANGHAI)) is False
    assert session.is_open(dt.datetime(2022, 5, 10, 0, 0, 0, tzinfo=SHANGHAI)) is True


def test_exam_session_unpublished_is_never_open(round_2022):
    round_2022.is_published = False
    assert round_2022.is_open(dt.datetime(2022, 5, 19, 12, 0, tzinfo=SHANGHAI)) is False
