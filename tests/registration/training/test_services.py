import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from registration.training import services
from registration.training.models import Attendance, CompletionMethod, TrainingEnrollment
from registration.training.services import TrainingError, attendance_save, training_enroll
from tests.factories import ExamRoundFactory, RegistrationFactory, SchoolClassFactory, level
from tests.registration.training.conftest import TrainingClassFactory, conditional


def _mark(world, user, *, lesson, students, absent=(), school_class=None):
    ids = [r.training_enrollment.pk for r in students]
    present = {r.training_enrollment.pk for r in students if r not in absent}
    return attendance_save(
        lesson=lesson,
        school_class=school_class or students[0].school_class,
        enrollment_ids=ids,
        present_ids=present,
        by=user,
    )


def test_training_enroll_puts_pending_registration_in_least_full_class(db):
    exam_round = ExamRoundFactory()
    full = TrainingClassFactory(round=exam_round, name="A班")
    conditional(round=exam_round)
    empty = TrainingClassFactory(round=exam_round, name="B班")
    TrainingClassFactory(round=exam_round, level=level(3), name="三级班")
    registration = conditional(round=exam_round)
    assert registration.training_enrollment.training_class == empty
    assert full.enrollments.count() == 1


def test_training_enroll_leaves_unconditional_and_classless_registrations_alone(db):
    exam_round = ExamRoundFactory()
    TrainingClassFactory(round=exam_round)
    assert (
        training_enroll(registration=RegistrationFactory(round=exam_round, level=level(4))) is None
    )
    other_round = RegistrationFactory(level=level(4), pending_requirement="training")
    assert training_enroll(registration=other_round) is None
    assert not TrainingEnrollment.objects.exists()


def test_training_enroll_is_idempotent_and_follows_a_level_change(db):
    exam_round = ExamRoundFactory()
    four = TrainingClassFactory(round=exam_round)
    three = TrainingClassFactory(round=exam_round, level=level(3), name="三级班")
    registration = conditional(round=exam_round)
    assert training_enroll(registration=registration).training_class == four
    registration.level = level(3)
    registration.save()
    assert training_enroll(registration=registration).training_class == three
    assert TrainingEnrollment.objects.count() == 1


def test_attendance_reaches_completion_by_hours_and_untick_withdraws_it(world, counselor):
    first, second = world["lessons"]
    students = world["own_students"]
    _mark(world, counselor, lesson=first, students=students, absent=[students[2]])
    enrollment = TrainingEnrollment.objects.get(registration=students[0])
    assert enrollment.completed_on is None  # 4 of 8 hours
    _mark(world, counselor, lesson=second, students=students)
    enrollment.refresh_from_db()
    assert enrollment.completed_on == second.date
    assert enrollment.completion_method == CompletionMethod.HOURS
    # 4 hours short: the student who missed the first lesson has not completed.
    assert TrainingEnrollment.objects.get(registration=students[2]).completed_on is None
    # A mistaken mark corrected: the rule withdraws its own completion, history keeps both.
    _mark(world, counselor, lesson=second, students=students, absent=[students[0]])
    enrollment.refresh_from_db()
    assert enrollment.completed_on is None
    assert enrollment.history.count() == 3
    assert Attendance.history.filter(enrollment_id=enrollment.pk).count() == 3


def test_manual_completion_needs_a_reason_and_is_kept_by_the_rule(world, trainer, counselor):
    enrollment = world["own_students"][0].training_enrollment
    for reason in ("", "   "):
        with pytest.raises(TrainingError) as exc:
            services.training_complete_manually(enrollment=enrollment, reason=reason, by=trainer)
        assert exc.value.message == services.REASON_REQUIRED
    enrollment.refresh_from_db()
    assert enrollment.completed_on is None
    with pytest.raises(TrainingError):  # counselors watch progress; they do not certify it
        services.training_complete_manually(enrollment=enrollment, reason="校外培训", by=counselor)
    done = services.training_complete_manually(
        enrollment=enrollment, reason="已在校外完成40学时培训", by=trainer
    )
    assert done.completion_method == CompletionMethod.MANUAL
    assert done.completed_by == trainer
    assert done.completed_on == timezone.localdate()
    assert done.history.first().completion_reason == "已在校外完成40学时培训"
    # Absences afterwards do not undo a completion recorded by hand.
    _mark(
        world,
        counselor,
        lesson=world["lessons"][0],
        students=world["own_students"],
        absent=[world["own_students"][0]],
    )
    done.refresh_from_db()
    assert done.completed_on is not None


def test_manual_completion_refuses_a_future_date(world, trainer):
    enrollment = world["own_students"][0].training_enrollment
    with pytest.raises(TrainingError):
        services.training_complete_manually(
            enrollment=enrollment,
            reason="证明",
            by=trainer,
            on=timezone.localdate() + dt.timedelta(days=1),
        )


def test_attendance_by_another_counselor_is_refused(world, other_counselor):
    with pytest.raises(TrainingError):
        _mark(world, other_counselor, lesson=world["lessons"][0], students=world["own_students"])
    assert not Attendance.objects.exists()


def test_attendance_refuses_students_of_another_class_in_the_list(world, counselor):
    # The counselor's own class in the URL, another class's student smuggled into the post.
    students = [*world["own_students"], world["their_students"][0]]
    with pytest.raises(TrainingError):
        _mark(
            world,
            counselor,
            lesson=world["lessons"][0],
            students=students,
            school_class=world["own"],
        )
    assert not Attendance.objects.exists()


def test_attendance_of_two_staff_on_one_lesson_keeps_both_sets(world, counselor, other_counselor):
    lesson = world["lessons"][0]
    _mark(world, counselor, lesson=lesson, students=world["own_students"])
    _mark(world, other_counselor, lesson=lesson, students=world["their_students"])
    assert Attendance.objects.filter(lesson=lesson, present=True).count() == 5


def test_training_assign_moves_in_bulk_and_refuses_another_level(world):
    exam_round = world["exam_round"]
    second = TrainingClassFactory(round=exam_round, name="四级培训2班")
    students = world["own_students"]
    assert services.training_assign(registrations=students[:2], training_class=second) == 2
    assert second.enrollments.count() == 2
    wrong = TrainingClassFactory(round=exam_round, level=level(3), name="三级班")
    with pytest.raises(TrainingError):
        services.training_assign(registrations=students, training_class=wrong)
    assert second.enrollments.count() == 2
    assert not wrong.enrollments.exists()


def test_training_class_defaults_required_hours_to_the_announcement(db):
    exam_round = ExamRoundFactory()
    four = TrainingClassFactory(round=exam_round, required_hours=None)
    three = TrainingClassFactory(round=exam_round, level=level(3), required_hours=None)
    assert (four.required_hours, three.required_hours) == (Decimal("40"), Decimal("60"))


def test_classless_student_is_not_in_a_class_sheet(world, counselor):
    student = conditional(round=world["exam_round"], school_class=SchoolClassFactory())
    with pytest.raises(TrainingError):
        _mark(
            world,
            counselor,
            lesson=world["lessons"][0],
            students=[student],
            school_class=world["own"],
        )
