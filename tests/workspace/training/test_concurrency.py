"""Two staff saving attendance for the same lesson at the same moment, on PostgreSQL.

Real simultaneity needs real connections: each thread has its own Django client and database
connection. The control runs the same race through a save without the row locks and shows that
the harness does see the clash (a unique-constraint error, a 500 for the user).
"""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registration.training.models import Attendance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(calls) -> list[Exception]:
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as exc:  # reported to the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return errors


def _poster(user, lesson, school_class, students):
    client = Client()
    client.force_login(user)
    data = {
        "enrollment": [r.training_enrollment.pk for r in students],
        "present": [r.training_enrollment.pk for r in students],
    }
    url = reverse("courses:attendance", args=[lesson.pk, school_class.pk])

    def post():
        assert client.post(url, data).status_code == 302

    return post


def test_simultaneous_attendance_on_one_lesson_keeps_every_mark(world, counselor, trainer):
    lesson = world["lessons"][0]
    for _ in range(3):
        Attendance.objects.all().delete()
        errors = _race(
            [
                _poster(counselor, lesson, world["own"], world["own_students"]),
                _poster(trainer, lesson, world["own"], world["own_students"]),
                _poster(trainer, lesson, world["theirs"], world["their_students"]),
            ]
        )
        assert errors == []
        assert Attendance.objects.filter(lesson=lesson, present=True).count() == 5


def test_control_without_row_locks_the_same_race_clashes(world):
    lesson = world["lessons"][0]
    students = world["own_students"]
    gate = threading.Barrier(2)

    def unlocked_save():
        with transaction.atomic():
            seen = set(
                Attendance.objects.filter(lesson=lesson).values_list("enrollment_id", flat=True)
            )
            gate.wait(timeout=10)  # both have read before either writes
            for r in students:
                if r.training_enrollment.pk not in seen:
                    Attendance.objects.create(
                        lesson=lesson,
                        enrollment=r.training_enrollment,
                        present=True,
                        marked_at=timezone.now(),
                    )

    errors = _race([unlocked_save, unlocked_save])
    assert any(isinstance(e, IntegrityError) for e in errors)
