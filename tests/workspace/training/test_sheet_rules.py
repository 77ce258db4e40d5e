"""Roll-call sheets that add up: distinct counts, no marks ahead of time, a sheet taken back."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registration.training import selectors, services
from registration.training.models import Attendance
from registration.training.services import TrainingError
from tests.registration.training.conftest import TrainingLessonFactory


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _post_sheet(client, lesson, school_class, students, absent=()):
    return client.post(
        reverse("courses:attendance", args=[lesson.pk, school_class.pk]),
        {
            "enrollment": [r.training_enrollment.pk for r in students],
            "present": [r.training_enrollment.pk for r in students if r not in absent],
        },
    )


def _sheet(user, lesson, school_class):
    sheets = selectors.lesson_class_sheets(user=user, lesson=lesson)
    return next(s for s in sheets if s.school_class == school_class)


def test_lesson_counts_stay_per_lesson_after_a_second_lesson_is_marked(world, counselor):
    first, second = world["lessons"]
    own, students = world["own"], world["own_students"]
    client = _client(counselor)
    _post_sheet(client, first, own, students)
    _post_sheet(client, second, own, students, absent=[students[0]])
    one = _sheet(counselor, first, own)
    two = _sheet(counselor, second, own)
    assert (one.students, one.marked, one.present) == (3, 3, 3)
    assert (two.students, two.marked, two.present) == (3, 3, 2)
    page = client.get(reverse("courses:lesson", args=[first.pk])).content.decode()
    assert "出勤 3/3" in page


def test_a_lesson_in_the_future_cannot_be_marked(world, counselor):
    own, students = world["own"], world["own_students"]
    tomorrow = TrainingLessonFactory(
        training_class=world["training_class"],
        date=timezone.localdate() + dt.timedelta(days=1),
    )
    client = _client(counselor)
    page = client.get(reverse("courses:attendance", args=[tomorrow.pk, own.pk])).content.decode()
    assert "上课当天才能点名" in page and 'name="present"' not in page
    response = _post_sheet(client, tomorrow, own, students)
    assert response.status_code == 302
    assert not Attendance.objects.filter(lesson=tomorrow).exists()
    # Both earlier lessons marked plus a pre-ticked future sheet would have completed them.
    for enrollment in (r.training_enrollment for r in students):
        enrollment.refresh_from_db()
        assert enrollment.completed_on is None


def test_a_lesson_today_can_be_marked_and_tomorrow_is_refused_by_the_service(world, counselor):
    today_lesson = world["lessons"][1]
    students = world["own_students"]
    ids = [r.training_enrollment.pk for r in students]
    assert (
        services.attendance_save(
            lesson=today_lesson,
            school_class=world["own"],
            enrollment_ids=ids,
            present_ids=set(ids),
            by=counselor,
        )
        == 3
    )
    tomorrow = TrainingLessonFactory(
        training_class=world["training_class"],
        date=timezone.localdate() + dt.timedelta(days=1),
    )
    with pytest.raises(TrainingError, match="上课当天"):
        services.attendance_save(
            lesson=tomorrow,
            school_class=world["own"],
            enrollment_ids=ids,
            present_ids=set(ids),
            by=counselor,
        )


def test_withdrawing_a_sheet_returns_students_to_unmarked_and_undoes_completion(
    world, counselor, trainer
):
    first, second = world["lessons"]
    own, students = world["own"], world["own_students"]
    client = _client(trainer)
    _post_sheet(client, first, own, students)
    _post_sheet(client, second, own, students)
    enrollment = students[0].training_enrollment
    enrollment.refresh_from_db()
    assert enrollment.completed_on == second.date  # 8 of 8 hours

    url = reverse("courses:attendance", args=[second.pk, own.pk])
    refused = _client(counselor).post(url, {"action": "withdraw", "reason": "  "})
    assert refused.status_code == 302
    assert Attendance.objects.filter(lesson=second).count() == 3

    response = _client(counselor).post(url, {"action": "withdraw", "reason": "点错了课次"})
    assert response.status_code == 302
    assert not Attendance.objects.filter(lesson=second).exists()
    assert Attendance.objects.filter(lesson=first).count() == 3  # other lessons untouched
    enrollment.refresh_from_db()
    assert enrollment.completed_on is None
    assert _sheet(counselor, second, own).marked == 0
    deleted = Attendance.history.filter(lesson_id=second.pk, history_type="-")
    assert deleted.count() == 3
    assert {h.history_change_reason for h in deleted} == {"点错了课次"}
    assert {h.history_user_id for h in deleted} == {counselor.pk}
    # The first saver stays on record in the earlier history rows.
    assert set(
        Attendance.history.filter(lesson_id=second.pk, history_type="+").values_list(
            "marked_by_id", flat=True
        )
    ) == {trainer.pk}


def test_another_counselor_cannot_withdraw_a_sheet_not_theirs(world, counselor, other_counselor):
    lesson, own = world["lessons"][0], world["own"]
    _post_sheet(_client(counselor), lesson, own, world["own_students"])
    url = reverse("courses:attendance", args=[lesson.pk, own.pk])
    response = _client(other_counselor).post(url, {"action": "withdraw", "reason": "x"})
    assert response.status_code == 404
    assert Attendance.objects.filter(lesson=lesson).count() == 3
    with pytest.raises(TrainingError):
        services.attendance_withdraw(
            lesson=lesson, school_class=own, reason="x", by=other_counselor
        )
