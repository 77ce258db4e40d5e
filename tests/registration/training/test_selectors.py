import datetime as dt
from decimal import Decimal

from django.utils import timezone

from courses.models import TrainingCutoff
from registration.models import Registration
from registration.training import selectors
from registration.training.services import attendance_save
from tests.factories import RegistrationFactory, SchoolClassFactory, level
from tests.registration.training.conftest import conditional


def _all_present(lesson, students, user):
    attendance_save(
        lesson=lesson,
        school_class=students[0].school_class,
        enrollment_ids=[r.training_enrollment.pk for r in students],
        present_ids={r.training_enrollment.pk for r in students},
        by=user,
    )


def test_training_roster_query_count_is_pinned(
    world, academic, counselor, trainer, django_assert_num_queries
):
    _all_present(world["lessons"][0], world["own_students"], counselor)
    for i in range(5):  # more rows must not mean more queries
        conditional(round=world["exam_round"], school_class=world["own"], name=f"新同学{i}")
    training_class = world["training_class"]
    academic = type(academic).objects.get(pk=academic.pk)
    with django_assert_num_queries(3):  # 2 for the permission checks, 1 for the rows
        rows = selectors.training_roster(user=academic, training_class=training_class)
        assert len(rows) == 10
        assert {r.training.hours for r in rows} == {Decimal("4"), Decimal("0")}


def test_training_roster_scopes_counselor_and_trainer(world, counselor, trainer):
    training_class = world["training_class"]
    mine = selectors.training_roster(user=counselor, training_class=training_class)
    assert {r.pk for r in mine} == {r.pk for r in world["own_students"]}
    everyone = selectors.training_roster(user=trainer, training_class=training_class)
    assert len(everyone) == 5


def test_cancelled_and_unconditional_registrations_are_left_out(world, academic):
    cancelled = world["own_students"][0]
    cancelled.status = "cancelled"
    cancelled.save()
    RegistrationFactory(round=world["exam_round"], school_class=world["own"], level=level(4))
    rows = selectors.training_roster(user=academic, training_class=world["training_class"])
    assert cancelled.pk not in {r.pk for r in rows}
    assert len(rows) == 4


def test_progress_turns_met_when_complete(world, counselor):
    student = world["own_students"][0]
    progress = selectors.registration_progress(registration=student)
    assert progress.needs_training and not progress.requirement_met
    assert progress.label == "培训中 0/8学时"
    for lesson in world["lessons"]:
        _all_present(lesson, world["own_students"], counselor)
    progress = selectors.registration_progress(registration=student)
    assert progress.requirement_met
    assert progress.label.startswith("已结业")


def test_pending_registration_is_flagged_only_after_the_cutoff_day(world, counselor):
    today = timezone.localdate()
    for lesson in world["lessons"]:
        _all_present(lesson, world["own_students"][:1], counselor)
    unassigned = RegistrationFactory(
        round=world["exam_round"],
        level=level(4),
        pending_requirement="training",
        school_class=SchoolClassFactory(),
    )
    cutoff = TrainingCutoff.objects.create(round=world["exam_round"], cutoff_date=today)
    assert not selectors.registrations_training_overdue(exam_round=world["exam_round"]).exists()
    assert not selectors.registration_progress(registration=unassigned).overdue

    cutoff.cutoff_date = today - dt.timedelta(days=1)
    cutoff.save()
    overdue = selectors.registrations_training_overdue(exam_round=world["exam_round"])
    expected = {r.pk for r in [*world["own_students"][1:], *world["their_students"], unassigned]}
    assert set(overdue.values_list("pk", flat=True)) == expected
    progress = selectors.registration_progress(registration=unassigned)
    assert progress.overdue and progress.label == "未分培训班·逾期未结业"
    done = selectors.registration_progress(registration=world["own_students"][0])
    assert not done.overdue


def test_registrations_with_training_reads_every_row_in_one_query(
    world, counselor, django_assert_num_queries
):
    _all_present(world["lessons"][0], world["own_students"], counselor)
    with django_assert_num_queries(1):
        rows = list(
            selectors.registrations_with_training(
                Registration.objects.filter(round=world["exam_round"])
            )
        )
        labels = sorted(selectors.progress_of(r).label for r in rows)
    assert labels == ["培训中 0/8学时"] * 2 + ["培训中 4/8学时"] * 3


def test_progress_of_a_registration_read_without_annotations(world):
    plain = Registration.objects.get(pk=world["own_students"][0].pk)
    assert selectors.progress_of(plain).label == "培训中 0/8学时"
