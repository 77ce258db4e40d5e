"""A round with one 四级 training class, two counselors' classes, a trainer and 教务."""

import datetime as dt
from decimal import Decimal

import factory
import pytest
from django.utils import timezone

from accounts.roles import (
    ACADEMIC_GROUP,
    COUNSELOR_GROUP,
    TRAINER_GROUP,
    roles_setup,
    user_role_add,
)
from courses.models import TrainingClass, TrainingLesson
from registration.training.services import training_enroll
from tests.factories import (
    ExamRoundFactory,
    RegistrationFactory,
    SchoolClassFactory,
    UserFactory,
    level,
)

PASSWORD = "pass-word-123"


class TrainingClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingClass

    round = factory.SubFactory(ExamRoundFactory)
    level = factory.LazyFunction(lambda: level(4))
    name = factory.Sequence(lambda n: f"四级培训{n}班")
    required_hours = Decimal("8")


class TrainingLessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingLesson

    training_class = factory.SubFactory(TrainingClassFactory)
    date = factory.LazyFunction(timezone.localdate)
    start_time = dt.time(14, 0)
    end_time = dt.time(17, 30)
    hours = Decimal("4")
    place = "实训楼 305"


def conditional(**kwargs):
    """A 四级 registration whose verdict was 有条件符合 (training pending), enrolled."""
    kwargs.setdefault("level", level(4))
    registration = RegistrationFactory(pending_requirement="training", **kwargs)
    training_enroll(registration=registration)
    return registration


@pytest.fixture
def roles(db):
    return roles_setup()


def _user(username, group, first_name=""):
    user = UserFactory(username=username, first_name=first_name)
    user_role_add(user=user, group_name=group)
    return user


@pytest.fixture
def counselor(roles):
    return _user("wang", COUNSELOR_GROUP, "王老师")


@pytest.fixture
def other_counselor(roles):
    return _user("li", COUNSELOR_GROUP, "李老师")


@pytest.fixture
def academic(roles):
    return _user("jiaowu", ACADEMIC_GROUP, "教务处")


@pytest.fixture
def trainer(roles):
    return _user("zhang", TRAINER_GROUP, "张老师")


@pytest.fixture
def world(db, counselor, other_counselor, trainer):
    """Round, training class with two 4-hour lessons (8 hours to complete), two classes."""
    today = timezone.localdate()
    exam_round = ExamRoundFactory(
        slug="round-now",
        title="2022年电子商务师认定",
        registration_opens=today - dt.timedelta(days=5),
        registration_deadline=today + dt.timedelta(days=10),
    )
    training_class = TrainingClassFactory(round=exam_round, name="四级培训1班")
    training_class.trainers.add(trainer)
    lessons = [
        TrainingLessonFactory(training_class=training_class, date=today - dt.timedelta(days=1)),
        TrainingLessonFactory(training_class=training_class, date=today),
    ]
    own = SchoolClassFactory(name="电子商务2班", counselor=counselor)
    theirs = SchoolClassFactory(name="市场营销1班", counselor=other_counselor)
    own_students = [
        conditional(round=exam_round, school_class=own, name=f"王同学{i}") for i in range(3)
    ]
    their_students = [
        conditional(round=exam_round, school_class=theirs, name=f"李同学{i}") for i in range(2)
    ]
    return {
        "exam_round": exam_round,
        "training_class": training_class,
        "lessons": lessons,
        "own": own,
        "theirs": theirs,
        "own_students": own_students,
        "their_students": their_students,
    }
