"""The one write path of training: enrollment, attendance and completion (结业).

Every function is keyword-only and atomic; history rows come from django-simple-history on every
save. Completion by rule follows the hours attended; completion by hand needs a reason.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from common.errors import DomainError
from courses.models import TrainingClass, TrainingLesson
from registration.models import PendingRequirement, RegistrationStatus
from registration.training.models import Attendance, CompletionMethod, TrainingEnrollment

PENDING_TRAINING = PendingRequirement.TRAINING
ACTIVE = RegistrationStatus.ACTIVE

NOT_ALLOWED = _("您无权为该班级点名。")
NOT_ALLOWED_COMPLETE = _("您无权认定该学员结业。")
REASON_REQUIRED = _("人工认定结业须填写理由。")
REASON_TOO_LONG = _("理由最多 200 字。")
ALREADY_COMPLETED = _("该学员已结业。")
NOT_ENROLLED_HERE = _("名单中有不属于本培训班的学员，本次点名未保存，请刷新页面后重试。")
WRONG_ROUND_OR_LEVEL = _("目标培训班与学员的考试批次或等级不一致，未调整。")
NOTHING_SELECTED = _("请先勾选学员。")
COMPLETION_DATE_FUTURE = _("结业日期不能晚于今天。")
LESSON_NOT_YET = _("该课次在 {date} 上课，上课当天才能点名。")
NOTHING_TO_WITHDRAW = _("该班级本课次尚未点名，无需撤回。")
WITHDRAW_REASON_REQUIRED = _("撤回点名须填写理由。")


class TrainingError(DomainError):
    pass


def _needs_training(registration) -> bool:
    return registration.status == ACTIVE and registration.pending_requirement == PENDING_TRAINING


def _class_for(registration) -> TrainingClass | None:
    """The training class of the registration's round and level with the fewest students."""
    return (
        TrainingClass.objects.filter(round_id=registration.round_id, level_id=registration.level_id)
        .annotate(
            n=Count(
                "enrollments",
                filter=Q(enrollments__registration__status=ACTIVE),
            )
        )
        .order_by("n", "id")
        .first()
    )


def training_enroll(*, registration) -> TrainingEnrollment | None:
    """Place a registration that still needs training in a training class of its round and level.

    Idempotent: called on every submit and update. A registration already in a class of the right
    round and level stays there; one whose level changed moves; one that no longer needs training,
    or whose round has no training class yet, is left alone (its enrollment, if any, is ignored by
    every selector, and 教务 assign later in bulk).

    The check of the registration's own fields comes before the transaction: a registration that
    needs no training (most of them) costs no savepoint inside the sign-up's transaction.
    """
    if not _needs_training(registration):
        return None
    with transaction.atomic():
        enrollment = (
            TrainingEnrollment.objects.select_for_update(of=("self",))
            .select_related("training_class")
            .filter(registration=registration)
            .first()
        )
        if enrollment is not None:
            current = enrollment.training_class
            if current.round_id == registration.round_id and current.level_id == (
                registration.level_id
            ):
                return enrollment
        target = _class_for(registration)
        if target is None:
            return enrollment
        if enrollment is None:
            enrollment = TrainingEnrollment(registration=registration, training_class=target)
        else:
            enrollment.training_class = target
        enrollment.full_clean(validate_unique=False)
        enrollment.save()
        return enrollment


@transaction.atomic
def training_assign(*, registrations, training_class: TrainingClass) -> int:
    """Bulk (re)assignment by 教务 or an admin: put these registrations in `training_class`.

    Attendance already taken stays with the student (it belongs to the enrollment). All or
    nothing: one registration of another round or level refuses the whole batch.
    """
    registrations = list(registrations)
    if not registrations:
        raise TrainingError(NOTHING_SELECTED)
    for registration in registrations:
        if (
            registration.round_id != training_class.round_id
            or registration.level_id != training_class.level_id
        ):
            raise TrainingError(WRONG_ROUND_OR_LEVEL)
    existing = {
        e.registration_id: e
        for e in TrainingEnrollment.objects.select_for_update(of=("self",)).filter(
            registration__in=registrations
        )
    }
    moved = 0
    for registration in registrations:
        enrollment = existing.get(registration.pk)
        if enrollment is None:
            enrollment = TrainingEnrollment(registration=registration)
        elif enrollment.training_class_id == training_class.pk:
            continue
        enrollment.training_class = training_class
        enrollment.full_clean(validate_unique=False)
        enrollment.save()
        moved += 1
    return moved


def _hours_by_enrollment(enrollment_ids) -> dict[int, Decimal]:
    rows = (
        Attendance.objects.filter(enrollment_id__in=enrollment_ids, present=True)
        .values("enrollment_id")
        .annotate(hours=Sum("lesson__hours"))
        .order_by()
    )
    return {row["enrollment_id"]: row["hours"] or Decimal("0") for row in rows}


def _completion_by_rule(enrollments, *, on: dt.date) -> None:
    """Record completion when the hours are reached; withdraw a rule-based one that no longer is.

    A completion recorded by hand is never touched by the rule.
    """
    hours = _hours_by_enrollment([e.pk for e in enrollments])
    for enrollment in enrollments:
        attended = hours.get(enrollment.pk, Decimal("0"))
        required = enrollment.training_class.required_hours
        if enrollment.completed_on is None and attended >= required:
            enrollment.completed_on = on
            enrollment.completion_method = CompletionMethod.HOURS
            enrollment.completion_reason = ""
            enrollment.completed_by = None
        elif enrollment.completion_method == CompletionMethod.HOURS and attended < required:
            enrollment.completed_on = None
            enrollment.completion_method = ""
        else:
            continue
        enrollment.full_clean(validate_unique=False)
        enrollment.save()


def _lesson_started_check(lesson: TrainingLesson, *, now: dt.datetime) -> None:
    """A lesson is marked on its day or later: a sheet saved ahead of time (everyone is ticked by
    default) would record attendance, and so completion, that has not happened."""
    if lesson.date > timezone.localdate(now):
        raise TrainingError(LESSON_NOT_YET.format(date=f"{lesson.date:%Y-%m-%d}"))


def _locked_enrollments(*, training_class, school_class, ids=None):
    queryset = TrainingEnrollment.objects.select_for_update(of=("self",)).filter(
        training_class=training_class,
        registration__status=ACTIVE,
        registration__pending_requirement=PENDING_TRAINING,
        registration__school_class=school_class,
    )
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return list(queryset.select_related("training_class").order_by("pk"))


@transaction.atomic
def attendance_save(
    *,
    lesson: TrainingLesson,
    school_class,
    enrollment_ids: list[int],
    present_ids: set[int],
    by,
    now: dt.datetime | None = None,
) -> int:
    """Save the marks of one class (班级) for one lesson: `present_ids` attended, the rest did not.

    Only the students listed in `enrollment_ids` (those the marker saw on the page) are written,
    each row by itself, so two people marking the same lesson at once (two classes, or the same
    class twice) never overwrite marks they did not see. The enrollments are locked in id order
    before writing, so simultaneous saves of the same students queue instead of clashing.
    """
    now = now or timezone.now()
    training_class = lesson.training_class
    if not access.may_mark_attendance(by, training_class=training_class, school_class=school_class):
        raise TrainingError(NOT_ALLOWED)
    _lesson_started_check(lesson, now=now)
    wanted = sorted(set(enrollment_ids))
    enrollments = _locked_enrollments(
        training_class=training_class, school_class=school_class, ids=wanted
    )
    if len(enrollments) != len(wanted) or not set(present_ids) <= set(wanted):
        raise TrainingError(NOT_ENROLLED_HERE)
    existing = {
        a.enrollment_id: a
        for a in Attendance.objects.select_for_update().filter(
            lesson=lesson, enrollment_id__in=wanted
        )
    }
    changed = 0
    for enrollment in enrollments:
        present = enrollment.pk in present_ids
        attendance = existing.get(enrollment.pk)
        if attendance is not None and attendance.present == present:
            continue
        if attendance is None:
            attendance = Attendance(lesson=lesson, enrollment=enrollment)
        attendance.present = present
        attendance.marked_by = by
        attendance.marked_at = now
        attendance.full_clean(validate_unique=False)
        attendance.save()
        changed += 1
    _completion_by_rule(enrollments, on=lesson.date)
    return changed


@transaction.atomic
def attendance_withdraw(
    *, lesson: TrainingLesson, school_class, reason: str, by, now: dt.datetime | None = None
) -> int:
    """Take back one class's sheet of one lesson: its students return to 未点名.

    The marks are deleted; their history rows keep who marked what, and the deletion's history
    row keeps who withdrew it and why. Completion by rule is worked out again from what is left.
    """
    reason = (reason or "").strip()
    if not access.may_mark_attendance(
        by, training_class=lesson.training_class, school_class=school_class
    ):
        raise TrainingError(NOT_ALLOWED)
    if not reason:
        raise TrainingError(WITHDRAW_REASON_REQUIRED)
    if len(reason) > 200:
        raise TrainingError(REASON_TOO_LONG)
    enrollments = _locked_enrollments(
        training_class=lesson.training_class, school_class=school_class
    )
    marks = list(
        Attendance.objects.select_for_update().filter(
            lesson=lesson, enrollment__in=[e.pk for e in enrollments]
        )
    )
    if not marks:
        raise TrainingError(NOTHING_TO_WITHDRAW)
    for attendance in marks:
        attendance._change_reason = reason[:100]
        attendance._history_user = by
        attendance.delete()
    _completion_by_rule(enrollments, on=lesson.date)
    return len(marks)


@transaction.atomic
def training_complete_manually(
    *,
    enrollment: TrainingEnrollment,
    reason: str,
    by,
    on: dt.date | None = None,
) -> TrainingEnrollment:
    """Record completion by hand (e.g. hours taken elsewhere, a certificate already held)."""
    enrollment = (
        TrainingEnrollment.objects.select_for_update(of=("self",))
        .select_related("training_class")
        .get(pk=enrollment.pk)
    )
    if not access.may_complete_training(by, training_class=enrollment.training_class):
        raise TrainingError(NOT_ALLOWED_COMPLETE)
    reason = (reason or "").strip()
    if not reason:
        raise TrainingError(REASON_REQUIRED)
    if len(reason) > 200:
        raise TrainingError(REASON_TOO_LONG)
    if enrollment.completed_on is not None:
        raise TrainingError(ALREADY_COMPLETED)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise TrainingError(COMPLETION_DATE_FUTURE)
    enrollment.completed_on = on
    enrollment.completion_method = CompletionMethod.MANUAL
    enrollment.completion_reason = reason
    enrollment.completed_by = by
    enrollment.full_clean(validate_unique=False)
    enrollment.save()
    return enrollment
