"""Simultaneous double submits on PostgreSQL: exactly one registration survives.

The control run removes the database constraint and shows that the same race then produces
duplicates, so the main test is able to see a race when there is one.
"""

import threading
import time

import pytest
from django.db import connection, connections

from registration.models import Registration
from registration.services import submission
from registration.services.submission import AlreadyRegistered, RegistrationInput
from tests.idnumbers import make_id_number

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 12
CONSTRAINT_NAME = "one_active_registration_per_id_per_session"


def _race(exam_round, school_class, id_number: str) -> dict[str, int]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit(i: int) -> None:
        data = RegistrationInput(
            name="同学" + "甲乙丙丁戊己庚辛壬癸子丑寅卯"[i],
            id_number=id_number,
            ethnicity="汉族",
            phone=f"1380000{i:04d}",
            student_number=f"20201{i:05d}",
            level_code=3,
        )
        try:
            barrier.wait(timeout=10)
            submission.registration_submit(
                exam_round=exam_round, school_class=school_class, data=data
            )
            outcome = "created"
        except AlreadyRegistered:
            outcome = "already"
        except Exception as exc:  # any other outcome fails the test below
            outcome = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def test_simultaneous_submits_of_one_id_leave_exactly_one_registration(
    announcement, sophomore_class, during_round
):
    started = time.perf_counter()
    counts = _race(announcement, sophomore_class, make_id_number(1))
    elapsed = time.perf_counter() - started
    assert counts == {"created": 1, "already": THREADS - 1}, counts
    assert Registration.objects.filter(id_number=make_id_number(1)).count() == 1
    print(f"\n{THREADS} simultaneous submits: {counts} in {elapsed:.2f}s")


def test_control_without_the_constraint_the_race_creates_duplicates(
    announcement, sophomore_class, during_round
):
    constraint = next(c for c in Registration._meta.constraints if c.name == CONSTRAINT_NAME)
    with connection.schema_editor() as editor:
        editor.remove_constraint(Registration, constraint)
    try:
        counts = _race(announcement, sophomore_class, make_id_number(2))
        duplicates = Registration.objects.filter(id_number=make_id_number(2)).count()
    finally:
        Registration.objects.filter(id_number=make_id_number(2)).delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Registration, constraint)
    assert duplicates > 1, counts
    print(f"\ncontrol (no constraint): {duplicates} registrations for one ID number")
