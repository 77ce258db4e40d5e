"""Read side of training: progress per registration, rosters, attendance sheets, the cut-off.

Progress is derived from attendance and the recorded completion, never stored on the
registration. `registrations_with_training` adds it to any registration queryset as annotations
(one query, whatever the number of rows), so the counselor roster and the exports read it in the
same query as the registrations themselves.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from courses.models import TrainingClass, TrainingLesson
from registration.models import PendingRequirement, Registration, RegistrationStatus
from registration.training.models import Attendance, TrainingEnrollment
from rounds.models import SchoolClass

PENDING_TRAINING = PendingRequirement.TRAINING
ACTIVE = RegistrationStatus.ACTIVE
ZERO = Decimal("0")
HOURS_FIELD = DecimalField(max_digits=6, decimal_places=1)

LABEL_COMPLETED = _("已结业")
LABEL_IN_PROGRESS = _("培训中")
LABEL_NOT_ASSIGNED = _("未分培训班")
LABEL_OVERDUE = _("逾期未结业")


def _hours_subquery():
    return Subquery(
        Attendance.objects.filter(enrollment__registration=OuterRef("pk"), present=True)
        .values("enrollment__registration")
        .annotate(total=Sum("lesson__hours"))
        .values("total")[:1],
        output_field=HOURS_FIELD,
    )


def registrations_with_training(registrations: QuerySet) -> QuerySet:
    """Annotate registrations with training_class_name, training_required, training_hours,
    training_completed_on and training_cutoff (no extra query per row)."""
    return registrations.annotate(
        training_class_name=F("training_enrollment__training_class__name"),
        training_required=F("training_enrollment__training_class__required_hours"),
        training_hours=Coalesce(_hours_subquery(), Value(ZERO), output_field=HOURS_FIELD),
        training_completed_on=F("training_enrollment__completed_on"),
        training_cutoff=F("round__training_cutoff__cutoff_date"),
    )


@dataclass(frozen=True)
class TrainingProgress:
    """Where a conditional registration stands with its training."""

    needs_training: bool
    class_name: str | None
    hours: Decimal
    required: Decimal | None
    completed_on: dt.date | None
    cutoff: dt.date | None
    today: dt.date

    @property
    def completed(self) -> bool:
        return self.completed_on is not None

    @property
    def requirement_met(self) -> bool:
        """A conditional verdict turns into met once the training is complete."""
        return self.needs_training and self.completed

    @property
    def overdue(self) -> bool:
        """Still pending after the round's training cut-off day (the whole day counts)."""
        return (
            self.needs_training
            and not self.completed
            and self.cutoff is not None
            and self.today > self.cutoff
        )

    @property
    def percent(self) -> int:
        if not self.required:
            return 0
        return min(100, int(100 * self.hours / self.required))

    @property
    def label(self) -> str:
        """Short text for rosters and exports: 已结业 / 培训中 12/40学时 / 未分培训班 (+ 逾期)."""
        if not self.needs_training:
            return ""
        if self.completed:
            return f"{LABEL_COMPLETED}（{self.completed_on:%Y-%m-%d}）"
        if self.class_name is None:
            text = str(LABEL_NOT_ASSIGNED)
        else:
            text = f"{LABEL_IN_PROGRESS} {_fmt(self.hours)}/{_fmt(self.required)}学时"
        if self.overdue:
            text += f"·{LABEL_OVERDUE}"
        return text


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f}"


def needs_training(registration) -> bool:
    """Whether a registration's verdict waits on training (TrainingProgress.needs_training)."""
    return registration.status == ACTIVE and registration.pending_requirement == PENDING_TRAINING


def progress_of(registration, *, today: dt.date | None = None) -> TrainingProgress:
    """Progress of a registration annotated by `registrations_with_training`.

    A registration read without those annotations (e.g. an admin bulk action) costs one query.
    """
    if not hasattr(registration, "training_hours"):
        return registration_progress(registration=registration, today=today)
    return TrainingProgress(
        needs_training=needs_training(registration),
        class_name=registration.training_class_name,
        hours=registration.training_hours or ZERO,
        required=registration.training_required,
        completed_on=registration.training_completed_on,
        cutoff=registration.training_cutoff,
        today=today or timezone.localdate(),
    )


def registration_progress(*, registration, today: dt.date | None = None) -> TrainingProgress:
    """Progress of one registration (one query)."""
    annotated = registrations_with_training(Registration.objects.filter(pk=registration.pk)).get()
    return progress_of(annotated, today=today)


def registrations_training_overdue(*, exam_round, today: dt.date | None = None) -> QuerySet:
    """Active registrations of a round still waiting for training after its cut-off day.

    The exam arrangement leaves these out. Empty before the cut-off or when none is set.
    """
    today = today or timezone.localdate()
    completed = TrainingEnrollment.objects.filter(
        registration=OuterRef("pk"), completed_on__isnull=False
    )
    return Registration.objects.filter(
        round=exam_round,
        status=ACTIVE,
        pending_requirement=PENDING_TRAINING,
        round__training_cutoff__cutoff_date__lt=today,
    ).exclude(Exists(completed))


# --- Training pages -------------------------------------------------------------------------------


def training_classes_visible(*, user, exam_round) -> QuerySet[TrainingClass]:
    """Training classes of a round that `user` may open, with lesson and student counts."""
    return TrainingClass.objects.filter(
        round=exam_round, pk__in=visible_class_ids(user)
    ).select_related("level")


def training_class_get_visible(*, user, pk: int) -> TrainingClass | None:
    return (
        TrainingClass.objects.select_related("round", "level")
        .filter(pk=pk, pk__in=visible_class_ids(user))
        .first()
    )


def visible_class_ids(user) -> QuerySet:
    """Ids of the training classes `user` may open (a subquery)."""
    if access.manages_training(user):
        return TrainingClass.objects.values("pk")
    if not access.uses_training(user):
        return TrainingClass.objects.none().values("pk")
    return TrainingClass.objects.filter(
        Q(trainers=user)
        | Q(
            enrollments__registration__school_class__counselor=user,
            enrollments__registration__status=ACTIVE,
        )
    ).values("pk")


def registrations_unassigned(*, training_class: TrainingClass) -> QuerySet:
    """Active registrations of the class's round and level that need training and have no class."""
    return Registration.objects.filter(
        round_id=training_class.round_id,
        level_id=training_class.level_id,
        status=ACTIVE,
        pending_requirement=PENDING_TRAINING,
        training_enrollment__isnull=True,
    )


def _enrollments_in_scope(*, user, training_class: TrainingClass) -> QuerySet[TrainingEnrollment]:
    enrollments = TrainingEnrollment.objects.filter(
        training_class=training_class,
        registration__status=ACTIVE,
        registration__pending_requirement=PENDING_TRAINING,
    )
    if access.manages_training(user) or access.is_trainer_of(user, training_class):
        return enrollments
    return enrollments.filter(registration__school_class__counselor=user)


def training_roster(*, user, training_class: TrainingClass) -> list:
    """Each student of the training class that `user` may see, with progress, in a fixed
    number of queries (pinned in tests)."""
    registrations = registrations_with_training(
        Registration.objects.filter(
            pk__in=_enrollments_in_scope(user=user, training_class=training_class).values(
                "registration_id"
            )
        )
    ).select_related("school_class", "training_enrollment", "round")
    rows = list(registrations.order_by("school_class__name", "student_number", "name", "id"))
    today = timezone.localdate()
    for r in rows:
        r.training = progress_of(r, today=today)
    return rows


@dataclass(frozen=True)
class ClassSheet:
    """One class (班级) of a lesson: who is enrolled, and how many are marked present."""

    school_class: object
    students: int
    marked: int
    present: int


def lesson_get_visible(*, user, pk: int) -> TrainingLesson | None:
    return (
        TrainingLesson.objects.select_related("training_class__round", "training_class__level")
        .filter(pk=pk, training_class__in=visible_class_ids(user))
        .first()
    )


def lesson_class_sheets(*, user, lesson: TrainingLesson) -> list[ClassSheet]:
    """The classes (班级) whose students attend this lesson and that `user` may mark."""
    enrollments = _enrollments_in_scope(user=user, training_class=lesson.training_class)
    grouped = (
        enrollments.values("registration__school_class")
        .annotate(
            # The join to attendances has a row per lesson marked: count distinct rows, or a
            # second lesson's marks double the first lesson's head count.
            students=Count("id", distinct=True),
            marked=Count("attendances", filter=Q(attendances__lesson=lesson), distinct=True),
            present=Count(
                "attendances",
                filter=Q(attendances__lesson=lesson, attendances__present=True),
                distinct=True,
            ),
        )
        .order_by()
    )
    counts = {g["registration__school_class"]: g for g in grouped}
    classes = SchoolClass.objects.filter(pk__in=[k for k in counts if k is not None])
    return [
        ClassSheet(
            school_class=c,
            students=counts[c.pk]["students"],
            marked=counts[c.pk]["marked"],
            present=counts[c.pk]["present"],
        )
        for c in classes.order_by("name")
    ]


def attendance_sheet(*, lesson: TrainingLesson, school_class) -> list[TrainingEnrollment]:
    """The students of one class (班级) in one lesson, with their mark (None: not yet marked).

    The caller has checked scope with `accounts.access.may_mark_attendance`.
    """
    enrollments = list(
        TrainingEnrollment.objects.filter(
            training_class=lesson.training_class,
            registration__status=ACTIVE,
            registration__pending_requirement=PENDING_TRAINING,
            registration__school_class=school_class,
        )
        .select_related("registration")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.filter(lesson=lesson),
                to_attr="marks",
            )
        )
        .order_by("registration__student_number", "registration__name", "pk")
    )
    for enrollment in enrollments:
        enrollment.mark = enrollment.marks[0] if enrollment.marks else None
    return enrollments


@dataclass(frozen=True)
class StudentTraining:
    progress: TrainingProgress
    lessons: list  # TrainingLesson with `.attended` (True, False or None when not yet marked)


def student_training(*, registration, today: dt.date | None = None) -> StudentTraining:
    """What a student sees of their own training: progress and their class's lessons."""
    progress = registration_progress(registration=registration, today=today)
    lessons = []
    if progress.needs_training and progress.class_name is not None:
        marks = Attendance.objects.filter(
            enrollment__registration=registration, lesson=OuterRef("pk")
        )
        lessons = list(
            TrainingLesson.objects.filter(training_class__enrollments__registration=registration)
            .annotate(
                attended=Subquery(marks.values("present")[:1]),
            )
            .order_by("date", "start_time", "id")
        )
    return StudentTraining(progress=progress, lessons=lessons)
