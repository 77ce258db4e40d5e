"""Fixtures of the counselor workspace: two counselors, an academic-affairs user, two classes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import ACADEMIC_GROUP, COUNSELOR_GROUP, roles_setup, user_role_add
from tests.factories import (
    ExamRoundFactory,
    MajorFactory,
    RegistrationFactory,
    SchoolClassFactory,
    UserFactory,
    level,
)
from tests.idnumbers import make_id_number


@pytest.fixture
def roles(db):
    return roles_setup()


@pytest.fixture
def counselor(roles):
    user = UserFactory(username="wang", first_name="王老师")
    user_role_add(user=user, group_name=COUNSELOR_GROUP)
    return user


@pytest.fixture
def other_counselor(roles):
    user = UserFactory(username="li", first_name="李老师")
    user_role_add(user=user, group_name=COUNSELOR_GROUP)
    return user


@pytest.fixture
def academic(roles):
    user = UserFactory(username="jiaowu", first_name="教务处")
    user_role_add(user=user, group_name=ACADEMIC_GROUP)
    return user


@pytest.fixture
def exam_round(db):
    today = timezone.localdate()
    return ExamRoundFactory(
        slug="round-now",
        registration_opens=today - dt.timedelta(days=5),
        registration_deadline=today + dt.timedelta(days=10),
    )


@pytest.fixture
def own_class(counselor):
    return SchoolClassFactory(
        name="电子商务2班", major=MajorFactory(name="电子商务"), counselor=counselor, headcount=40
    )


@pytest.fixture
def other_class(other_counselor):
    return SchoolClassFactory(
        name="市场营销1班", major=MajorFactory(name="市场营销"), counselor=other_counselor
    )


_serial = iter(range(1, 10**6))


def registration_make(*, exam_round, school_class, **kwargs):
    """A registration with an ID number unique across the test (birth dates vary past 400)."""
    n = next(_serial)
    birth = dt.date(2001, 1, 1) + dt.timedelta(days=n // 400)
    defaults = {
        "id_number": make_id_number(n % 400, birth=birth),
        "birth_date": birth,
        "level": level(3),
    }
    defaults.update(kwargs)
    return RegistrationFactory(round=exam_round, school_class=school_class, **defaults)


@pytest.fixture
def make_registration():
    return registration_make


@pytest.fixture
def own_registration(exam_round, own_class):
    return registration_make(
        exam_round=exam_round,
        school_class=own_class,
        name="张三",
        quoted_registration_fee=Decimal("320.00"),
    )


@pytest.fixture
def other_registration(exam_round, other_class):
    return registration_make(exam_round=exam_round, school_class=other_class, name="李四")
