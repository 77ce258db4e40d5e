"""The pass-rate page at 375 px: a long class name is shown whole, not cut off with an ellipsis."""

import datetime as dt

import pytest

from accounts.roles import ACADEMIC_GROUP, roles_setup, user_role_add
from exams.models import Room, Sitting, Subject
from registration.models import Registration
from tests.e2e.test_results import PASSWORD, context_for
from tests.factories import ExamRoundFactory, SchoolClassFactory, UserFactory, level
from tests.results.test_outcomes import _both_subjects

pytestmark = pytest.mark.django_db(transaction=True)
LONG_NAME = "2024级电子商务1班（中高职衔接试点班）"


def test_rates_page_shows_long_class_names_whole_on_a_phone(live_server, browser):
    roles_setup()
    exam_round = ExamRoundFactory(offered=[3])
    academic = UserFactory(username="jiaowu", first_name="教务处")
    academic.set_password(PASSWORD)
    academic.save()
    user_role_add(user=academic, group_name=ACADEMIC_GROUP)
    rooms = [Room.objects.create(round=exam_round, building="实训楼", name="A101", capacity=9)]
    sittings = []
    for subject in (Subject.THEORY, Subject.SKILL):
        sitting = Sitting.objects.create(
            round=exam_round,
            level=level(3),
            subject=subject,
            date=dt.date(2026, 6, 20),
            start_time=dt.time(9 if subject == Subject.THEORY else 14, 0),
            end_time=dt.time(11 if subject == Subject.THEORY else 16, 0),
        )
        sitting.rooms.set(rooms)
        sittings.append(sitting)
    registrations = _both_subjects(
        *sittings, rooms, exam_round, level(3), [("80", "75"), ("50", "90")], academic
    )
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(
        school_class=SchoolClassFactory(name=LONG_NAME)
    )
    context, page = context_for(browser, live_server.url, "jiaowu")
    page.goto(f"{live_server.url}/results/rates/?round={exam_round.slug}")
    label = page.locator(".kwt-hbar-label", has_text=LONG_NAME)
    assert label.count() == 1
    fits = label.evaluate("e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight")
    assert fits
    context.close()
