"""Read-side queries of the counselor workspace.

Every query here is scoped to what the user may see (`accounts.roles`): a counselor's own
classes, or every class for 教务 and superusers. Counts are computed by grouped aggregates, so the
number of queries never depends on the number of registrations.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from registration.models import PaymentStatus, Registration, RegistrationStatus, ReviewStatus
from registration.training.selectors import registrations_with_training
from rounds.models import ExamRound, SchoolClass, SkillLevel

ZERO = Decimal("0.00")
UNASSIGNED_LABEL = _("未分班（无班级的报名）")
TOTAL_LABEL = _("合计")
# The daily chart shows at most this many days (the most recent ones).
CHART_MAX_DAYS = 90


# --- Rounds --------------------------------------------------------------------------------------


def round_list() -> QuerySet[ExamRound]:
    """Rounds staff may pick, latest deadline first (drafts too: staff prepare them)."""
    return ExamRound.objects.only("id", "slug", "title", "registration_deadline")


def days_left(exam_round: ExamRound, *, today: dt.date | None = None) -> int:
    """Whole days after today that registration stays open (0 on the deadline day, <0 after)."""
    today = today or timezone.localdate()
    return (exam_round.registration_deadline - today).days


# --- Scope ---------------------------------------------------------------------------------------


def classes_visible(user) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.select_related("major", "counselor").filter(access.class_scope(user))


def registrations_visible(user) -> QuerySet[Registration]:
    """The workspace's registrations: `accounts.access.registration_scope` for its users."""
    if not access.uses_workspace(user):
        return Registration.objects.none()
    return Registration.objects.filter(access.registration_scope(user))


def class_get_visible(*, user, pk: int) -> SchoolClass | None:
    return classes_visible(user).filter(pk=pk).first()


def registration_get_visible(*, user, pk: int) -> Registration | None:
    return (
        registrations_visible(user)
        .select_related(
            "round",
            "level",
            "school_class__major",
            "school_class__counselor",
            "training_fee_item",
            "registration_fee_item",
            "reviewed_by",
        )
        .filter(pk=pk)
        .first()
    )


# --- Dashboard -----------------------------------------------------------------------------------


@dataclass
class ClassStats:
    """Counts of active registrations of one class (or of no class: `school_class` None)."""

    school_class: SchoolClass | None
    headcount: int = 0
    label: str = ""
    registered: int = 0
    by_level: dict[int, int] = field(default_factory=dict)
    by_review: dict[str, int] = field(default_factory=dict)
    by_payment: dict[str, int] = field(default_factory=dict)
    registration_fees: Decimal = ZERO
    training_fees: Decimal = ZERO
    paid_total: Decimal = ZERO

    @property
    def quoted_total(self) -> Decimal:
        return self.registration_fees + self.training_fees

    @property
    def percent(self) -> int:
        """Share of the class that registered, 0–100 (0 when the headcount is unknown)."""
        if not self.headcount:
            return 0
        return min(100, round(100 * self.registered / self.headcount))

    def add(self, other: "ClassStats") -> None:
        self.registered += other.registered
        for target, source in (
            (self.by_level, other.by_level),
            (self.by_review, other.by_review),
            (self.by_payment, other.by_payment),
        ):
            for key, value in source.items():
                target[key] = target.get(key, 0) + value
        self.registration_fees += other.registration_fees
        self.training_fees += other.training_fees
        self.paid_total += other.paid_total

    def level_counts(self, levels: list[SkillLevel]) -> list[int]:
        return [self.by_level.get(level.pk, 0) for level in levels]

    def review_counts(self) -> list[int]:
        return [self.by_review.get(value, 0) for value in ReviewStatus.values]

    def payment_counts(self) -> list[int]:
        return [self.by_payment.get(value, 0) for value in PaymentStatus.values]


@dataclass
class RoundOverview:
    exam_round: ExamRound
    levels: list[SkillLevel]
    rows: list[ClassStats]
    total: ClassStats
    per_day: list[tuple[dt.date, int]]
    days_left: int


def _active_in(exam_round: ExamRound, registrations: QuerySet[Registration]):
    return registrations.filter(round=exam_round, status=RegistrationStatus.ACTIVE)


def round_overview(
    *,
    user,
    exam_round: ExamRound,
    major_id: int | None = None,
    level_id: int | None = None,
    class_ids: list[int] | None = None,
    today: dt.date | None = None,
    with_days: bool = True,
) -> RoundOverview:
    """Per-class counts of one round for the classes `user` may see, in a constant query count.

    Registrations without a class (social candidates) appear as one extra row for 教务 only.
    """
    today = today or timezone.localdate()
    classes_qs = classes_visible(user)
    registrations = _active_in(exam_round, registrations_visible(user))
    if major_id:
        classes_qs = classes_qs.filter(major_id=major_id)
        registrations = registrations.filter(school_class__major_id=major_id)
    if level_id:
        registrations = registrations.filter(level_id=level_id)
    if class_ids is not None:
        classes_qs = classes_qs.filter(pk__in=class_ids)
        registrations = registrations.filter(school_class_id__in=class_ids)
    # Retired classes still show while they have registrations in this round.
    with_registrations = SchoolClass.objects.filter(registrations__round=exam_round).values("pk")
    classes = list(classes_qs.filter(Q(is_active=True) | Q(pk__in=with_registrations)))

    stats = {c.pk: ClassStats(school_class=c, headcount=c.headcount) for c in classes}
    grouped = registrations.values(
        "school_class_id", "level_id", "review_status", "payment_status"
    ).annotate(
        n=Count("id"),
        registration_fees=Sum("quoted_registration_fee"),
        training_fees=Sum("quoted_training_fee"),
        paid=Sum("paid_amount"),
    )
    for group in grouped.order_by():
        key = group["school_class_id"]
        if key not in stats:
            if key is not None:
                continue  # a class filtered out above (e.g. by major)
            stats[None] = ClassStats(school_class=None, label=str(UNASSIGNED_LABEL))
        row = ClassStats(
            school_class=None,
            registered=group["n"],
            by_level={group["level_id"]: group["n"]},
            by_review={group["review_status"]: group["n"]},
            by_payment={group["payment_status"]: group["n"]},
            registration_fees=group["registration_fees"] or ZERO,
            training_fees=group["training_fees"] or ZERO,
            paid_total=group["paid"] or ZERO,
        )
        stats[key].add(row)

    per_day = []
    if with_days:
        per_day = list(
            registrations.annotate(day=TruncDate("created_at"))
            .values("day")
            .annotate(n=Count("id"))
            .order_by("day")
            .values_list("day", "n")
        )
    levels = list(exam_round.levels.all())
    seen_levels = {k for s in stats.values() for k in s.by_level}
    if seen_levels - {level.pk for level in levels}:
        levels = list(SkillLevel.objects.filter(Q(pk__in=seen_levels) | Q(rounds=exam_round)))
    rows = list(stats.values())
    total = ClassStats(
        school_class=None, label=str(TOTAL_LABEL), headcount=sum(c.headcount for c in classes)
    )
    for row in rows:
        total.add(row)
    return RoundOverview(
        exam_round=exam_round,
        levels=levels,
        rows=rows,
        total=total,
        per_day=_fill_days(per_day, exam_round=exam_round, today=today),
        days_left=days_left(exam_round, today=today),
    )


def _fill_days(
    counts: list[tuple[dt.date, int]], *, exam_round: ExamRound, today: dt.date
) -> list[tuple[dt.date, int]]:
    """One entry per day from the opening (or first sign-up) to today or the deadline."""
    by_day = dict(counts)
    starts = [d for d in (exam_round.registration_opens, *by_day) if d is not None]
    if not starts:
        return []
    start = min(starts)
    end = max([min(today, exam_round.registration_deadline), *by_day])
    if end < start:
        return []
    span = (end - start).days + 1
    if span > CHART_MAX_DAYS:
        start = end - dt.timedelta(days=CHART_MAX_DAYS - 1)
        span = CHART_MAX_DAYS
    return [
        (start + dt.timedelta(days=i), by_day.get(start + dt.timedelta(days=i), 0))
        for i in range(span)
    ]


# --- Roster --------------------------------------------------------------------------------------


def unowned(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """Registrations no counselor reviews: without a class (social candidates, class-less sign-ups)
    or in a class without a counselor. 教务 review these (`accounts.access.may_review`)."""
    return registrations.filter(
        Q(school_class__isnull=True) | Q(school_class__counselor__isnull=True)
    )


def roster(
    *,
    school_class: SchoolClass | None,
    exam_round: ExamRound,
    level_id: int | None = None,
    review_status: str = "",
    payment_status: str = "",
    query: str = "",
    include_cancelled: bool = False,
) -> QuerySet[Registration]:
    """Registrations of one class in one round, filtered; the class must already be in scope.

    `school_class` None: the registrations no counselor owns (`unowned`, 教务's review queue)."""
    registrations = Registration.objects.filter(round=exam_round).select_related("level")
    if school_class is None:
        registrations = unowned(registrations).select_related("school_class")
    else:
        registrations = registrations.filter(school_class=school_class)
    if not include_cancelled:
        registrations = registrations.filter(status=RegistrationStatus.ACTIVE)
    if level_id:
        registrations = registrations.filter(level_id=level_id)
    if review_status:
        registrations = registrations.filter(review_status=review_status)
    if payment_status:
        registrations = registrations.filter(payment_status=payment_status)
    query = query.strip()
    if query:
        registrations = registrations.filter(
            Q(name__icontains=query) | Q(student_number__icontains=query) | Q(number=query)
        )
    registrations = registrations_with_training(registrations)  # 培训进度 / 已结业 columns
    return registrations.order_by("level__code", "student_number", "name", "id")


def next_pending(*, user, registration: Registration) -> Registration | None:
    """The next registration waiting for review after `registration`, in the roster's order, in
    the same class (or the same unowned queue) and round; None when none is left."""
    candidates = registrations_visible(user).filter(
        round_id=registration.round_id,
        status=RegistrationStatus.ACTIVE,
        review_status=ReviewStatus.PENDING,
    )
    if registration.school_class_id and registration.school_class.counselor_id:
        candidates = candidates.filter(school_class_id=registration.school_class_id)
    else:
        candidates = unowned(candidates)
    ordered = candidates.exclude(pk=registration.pk).order_by(
        "level__code", "student_number", "name", "id"
    )
    key = (registration.level.code, registration.student_number, registration.name, registration.pk)
    after = ordered.filter(
        Q(level__code__gt=key[0])
        | Q(level__code=key[0], student_number__gt=key[1])
        | Q(level__code=key[0], student_number=key[1], name__gt=key[2])
        | Q(level__code=key[0], student_number=key[1], name=key[2], id__gt=key[3])
    ).first()
    return after or ordered.first()


# --- Exports -------------------------------------------------------------------------------------


def export_registrations(
    *,
    user,
    exam_round: ExamRound,
    class_ids: list[int] | None,
    include_unassigned: bool,
    major_id: int | None = None,
    level_id: int | None = None,
) -> QuerySet[Registration]:
    """Active registrations for an export, ordered by class, in one query.

    `class_ids` None means every class in the user's scope; registrations without a class are
    only included when `include_unassigned` (教务 exporting the whole round).
    """
    registrations = _active_in(exam_round, registrations_visible(user)).select_related(
        "level", "school_class__major", "training_fee_item"
    )
    registrations = registrations_with_training(registrations)  # 培训进度 / 已结业 columns
    if class_ids is not None:
        scope = Q(school_class_id__in=class_ids)
        if include_unassigned:
            scope |= Q(school_class__isnull=True)
        registrations = registrations.filter(scope)
    elif not include_unassigned:
        registrations = registrations.filter(school_class__isnull=False)
    if major_id:
        registrations = registrations.filter(school_class__major_id=major_id)
    if level_id:
        registrations = registrations.filter(level_id=level_id)
    return registrations.order_by(
        "school_class__name", "school_class_id", "-level__code", "student_number", "name", "id"
    )


class _ByPk(dict):
    """Instances by primary key; one the caller did not supply is read once, when first asked."""

    def __init__(self, queryset: QuerySet, known) -> None:
        super().__init__((obj.pk, obj) for obj in known)
        self.queryset = queryset

    def __missing__(self, pk):
        obj = self[pk] = self.queryset.get(pk=pk)
        return obj


def export_rows(
    registrations: QuerySet[Registration], *, overview: RoundOverview, chunk_size: int
) -> Iterator[Registration]:
    """The registrations of `export_registrations`, read in chunks, each given its class (with
    its major) and level from the overview's instances instead of joined into every row.

    The overview already holds the export's few classes and levels; building three more model
    instances per row for them was about a sixth of a 10,000-row roster's CPU
    (benchmarks/RESULTS.md). A class or level the overview lacks (a registration made between
    the two queries) is read once.
    """
    classes = _ByPk(
        SchoolClass.objects.select_related("major", "counselor"),
        (row.school_class for row in overview.rows if row.school_class is not None),
    )
    levels = _ByPk(SkillLevel.objects.all(), overview.levels)
    rows = registrations.select_related(None).select_related("training_fee_item")
    for registration in rows.iterator(chunk_size=chunk_size):
        registration.level = levels[registration.level_id]
        if registration.school_class_id is not None:
            registration.school_class = classes[registration.school_class_id]
        yield registration
