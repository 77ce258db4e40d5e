"""Fixtures of the exam plan: a round with one level, two small rooms, a theory sitting."""

import datetime as dt

import pytest

from accounts.roles import ACADEMIC_GROUP, INVIGILATOR_GROUP, roles_setup, user_role_add
from exams.models import Room, Sitting, Subject
from tests.factories import ExamRoundFactory, RegistrationFactory, UserFactory, level


def seatable(round, level_obj, **kwargs):
    """A registration that passes every seating condition (override one to break it)."""
    values = {
        "round": round,
        "level": level_obj,
        "review_status": "confirmed",
        "payment_status": "paid",
        "pending_requirement": "",
    }
    values.update(kwargs)
    return RegistrationFactory(**values)


@pytest.fixture
def roles(db):
    return roles_setup()


@pytest.fixture
def academic(roles):
    user = UserFactory(username="jiaowu", first_name="教务处")
    user_role_add(user=user, group_name=ACADEMIC_GROUP)
    return user


@pytest.fixture
def invigilator(roles):
    user = UserFactory(username="jiankao1", first_name="张老师")
    user_role_add(user=user, group_name=INVIGILATOR_GROUP)
    return user


@pytest.fixture
def exam_round(db):
    return ExamRoundFactory(offered=[4, 3])


@pytest.fixture
def level3(db):
    return level(3)


@pytest.fixture
def rooms(exam_round):
    return [
        Room.objects.create(round=exam_round, building="实训楼", name="A101", capacity=3),
        Room.objects.create(round=exam_round, building="实训楼", name="A102", capacity=4),
    ]


@pytest.fixture
def sitting(exam_round, level3, rooms):
    sitting = Sitting.objects.create(
        round=exam_round,
        level=level3,
        subject=Subject.THEORY,
        date=dt.date(2022, 6, 25),
        start_time=dt.time(9, 0),
        end_time=dt.time(10, 30),
    )
    sitting.rooms.set(rooms)
    return sitting


@pytest.fixture
def skill_sitting(exam_round, level3, rooms):
    sitting = Sitting.objects.create(
        round=exam_round,
        level=level3,
        subject=Subject.SKILL,
        date=dt.date(2022, 6, 25),
        start_time=dt.time(14, 0),
        end_time=dt.time(16, 0),
    )
    sitting.rooms.set(rooms)
    return sitting
