"""Fixtures of scores: the exam fixtures, a seated and checked-in room, two 考评员."""

import pytest

from accounts.roles import SCORER_GROUP, user_role_add
from exams.models import CheckIn, Seat
from results.models import ScorerAssignment
from tests.exams.conftest import (  # noqa: F401
    academic,
    exam_round,
    invigilator,
    level3,
    roles,
    rooms,
    seatable,
    sitting,
    skill_sitting,
)
from tests.factories import UserFactory


def scorer_user(username: str, name: str):
    user = UserFactory(username=username, first_name=name)
    user_role_add(user=user, group_name=SCORER_GROUP)
    return user


@pytest.fixture
def scorer1(roles):  # noqa: F811
    return scorer_user("kaoping1", "李考评")


@pytest.fixture
def scorer2(roles):  # noqa: F811
    return scorer_user("kaoping2", "王考评")


@pytest.fixture
def seated(sitting, rooms, level3, exam_round):  # noqa: F811
    """Three candidates in room A101 of the theory sitting; seats 1 and 2 checked in, 3 absent."""
    room = rooms[0]
    seats = []
    for number in (1, 2, 3):
        registration = seatable(exam_round, level3)
        seats.append(
            Seat.objects.create(
                sitting=sitting, registration=registration, room=room, number=number
            )
        )
    CheckIn.objects.create(seat=seats[0])
    CheckIn.objects.create(seat=seats[1])
    return seats


@pytest.fixture
def assigned(sitting, rooms, scorer1, scorer2):  # noqa: F811
    for user in (scorer1, scorer2):
        ScorerAssignment.objects.create(sitting=sitting, room=rooms[0], scorer=user)
    return rooms[0]
