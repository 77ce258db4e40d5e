"""Fixtures for the sign-up flow: the 2022 round, open, with classes of every kind."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from rounds.models import Major
from tests.factories import SchoolClassFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
DURING_2022_ROUND = dt.datetime(2022, 5, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def during_round():
    """Freeze time inside the 2022 registration window (Asia/Shanghai)."""
    with time_machine.travel(DURING_2022_ROUND, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sophomore_class(announcement):
    """大二 of a related major on the 2022 deadline: may take 三级 (破格) but not 四级."""
    return SchoolClassFactory(
        name="电商2001班", major=Major.objects.get(name="电子商务"), enrolment_year=2020
    )


@pytest.fixture
def senior_class(announcement):
    """大三 of a related major: 三级 (破格) and 四级 (应届, L4-3)."""
    return SchoolClassFactory(
        name="跨境1901班", major=Major.objects.get(name="跨境电商"), enrolment_year=2019
    )


@pytest.fixture
def freshman_class(announcement):
    return SchoolClassFactory(
        name="营销2101班", major=Major.objects.get(name="市场营销"), enrolment_year=2021
    )


@pytest.fixture
def unrelated_class(announcement):
    major, _ = Major.objects.get_or_create(
        name="汽车检测与维修技术", defaults={"is_related": False}
    )
    return SchoolClassFactory(name="汽检2001班", major=major, enrolment_year=2020)
