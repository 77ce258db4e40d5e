"""Counselor review of registrations: confirm, return with a reason, and private notes.

Each action locks the registration row, so a review and a student's concurrent edit or cancel are
applied one after the other; the student's edit sets the review back to pending.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from common.errors import DomainError
from registration.messages import Event, notify, notify_many_later
from registration.models import PhotoStatus, Registration, RegistrationStatus, ReviewStatus

REVIEW_CANCELLED = _("该报名已取消，不能审核。")
REVIEW_NOT_ALLOWED = _("您无权审核该报名。")
REASON_REQUIRED = _("退回时请填写原因，考生会在自助查询页看到。")
REASON_TOO_LONG = _("退回原因不能超过 200 个字。")
NOTE_TOO_LONG = _("备注不能超过 2000 个字。")

REASON_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 2000


class ReviewError(DomainError):
    pass


def _locked(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("school_class")
        .get(pk=registration.pk)
    )


def _check_reviewer(registration: Registration, reviewer) -> None:
    if not access.may_review(reviewer, registration):
        raise ReviewError(REVIEW_NOT_ALLOWED)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ReviewError(REVIEW_CANCELLED)


def _save(registration: Registration, fields: list[str]) -> Registration:
    try:
        registration.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ReviewError("；".join(exc.messages)) from exc
    registration.save(update_fields=[*fields, "updated_at"])
    return registration


@transaction.atomic
def registration_confirm(*, registration: Registration, reviewer) -> Registration:
    """Mark a registration as checked. Confirming it again keeps the first confirmation."""
    registration = _locked(registration)
    _check_reviewer(registration, reviewer)
    if registration.review_status == ReviewStatus.CONFIRMED:
        return registration
    registration.review_status = ReviewStatus.CONFIRMED
    registration.review_reason = ""
    registration.reviewed_at = timezone.now()
    registration.reviewed_by = reviewer
    _save(registration, ["review_status", "review_reason", "reviewed_at", "reviewed_by"])
    # A repeated click returns above; a confirmation after a later return is a new occasion.
    notify(
        registration,
        Event.REGISTRATION_CONFIRMED,
        occasion=registration.reviewed_at.isoformat(),
    )
    return registration


@transaction.atomic
def registration_return(*, registration: Registration, reviewer, reason: str) -> Registration:
    """Send a registration back to the student, who sees `reason` in self-service."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ReviewError(REASON_REQUIRED)
    if len(reason) > REASON_MAX_LENGTH:
        raise ReviewError(REASON_TOO_LONG)
    registration = _locked(registration)
    _check_reviewer(registration, reviewer)
    registration.review_status = ReviewStatus.RETURNED
    registration.review_reason = reason
    registration.reviewed_at = timezone.now()
    registration.reviewed_by = reviewer
    _save(registration, ["review_status", "review_reason", "reviewed_at", "reviewed_by"])
    # Once per reason: a second click (or the same reason again) writes no second message.
    notify(registration, Event.REGISTRATION_RETURNED, occasion=reason, reason=reason)
    return registration


@transaction.atomic
def registration_note_set(*, registration: Registration, author, note: str) -> Registration:
    """Replace the counselor's private note (students never see it); allowed on cancelled ones."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ReviewError(NOTE_TOO_LONG)
    registration = _locked(registration)
    if not access.may_review(author, registration):
        raise ReviewError(REVIEW_NOT_ALLOWED)
    registration.counselor_note = note
    return _save(registration, ["counselor_note"])


# --- Many at once ---------------------------------------------------------------------------

CONFIRM = "confirm"
RETURN = "return"
BULK_LIMIT = 2000  # a round's largest class list is a few hundred; this bounds one request's work

SKIP_CANCELLED = _("已取消")
SKIP_CONFIRMED = _("已确认，无需重复确认")
SKIP_RETURNED = _("已退回，待考生修改后再审核")
SKIP_ALREADY_RETURNED = _("已退回")
SKIP_PHOTO_RETURNED = _("证件照已退回，待考生重新上传")
SKIP_NOT_ALLOWED = _("不在您的审核范围内")
NOTHING_SELECTED = _("请先勾选报名，或选择“全部符合筛选条件的报名”。")
TOO_MANY = _("一次最多处理 %(n)d 条报名，请缩小筛选范围后再试。")


@dataclass(frozen=True)
class BulkPlan:
    """What one bulk review would do: the registrations it applies to, and those it leaves, each
    with the reason. The same classification runs for the confirmation screen and, again under
    row locks, when the reviewer confirms it (a student may have edited in between)."""

    action: str
    ready: list[Registration]
    skipped: list[tuple[Registration, str]]


def _blocker(registration: Registration, reviewer, action: str) -> str:
    if not access.may_review(reviewer, registration):
        return str(SKIP_NOT_ALLOWED)
    if registration.status == RegistrationStatus.CANCELLED:
        return str(SKIP_CANCELLED)
    if action == CONFIRM:
        if registration.review_status == ReviewStatus.CONFIRMED:
            return str(SKIP_CONFIRMED)
        if registration.review_status == ReviewStatus.RETURNED:
            return str(SKIP_RETURNED)
        if registration.photo_status == PhotoStatus.RETURNED:
            return str(SKIP_PHOTO_RETURNED)
    elif registration.review_status == ReviewStatus.RETURNED:
        return str(SKIP_ALREADY_RETURNED)
    return ""


def review_plan(*, registrations, reviewer, action: str) -> BulkPlan:
    """Classify `registrations` (already read, school_class selected) for a bulk `action`."""
    if action not in (CONFIRM, RETURN):
        raise ReviewError(NOTHING_SELECTED)
    registrations = list(registrations)
    if not registrations:
        raise ReviewError(NOTHING_SELECTED)
    if len(registrations) > BULK_LIMIT:
        raise ReviewError(TOO_MANY % {"n": BULK_LIMIT})
    ready, skipped = [], []
    for registration in registrations:
        reason = _blocker(registration, reviewer, action)
        if reason:
            skipped.append((registration, reason))
        else:
            ready.append(registration)
    return BulkPlan(action=action, ready=ready, skipped=skipped)


@transaction.atomic
def registrations_review_bulk(
    *, registration_ids: list[int], reviewer, action: str, reason: str = ""
) -> BulkPlan:
    """Confirm or return many registrations in one step; those that cannot be are left as they
    are and named in the result. All rows are locked in id order first, so a concurrent single
    review or student edit waits, and two bulk reviews never deadlock."""
    if action == RETURN:
        reason = " ".join((reason or "").split())
        if not reason:
            raise ReviewError(REASON_REQUIRED)
        if len(reason) > REASON_MAX_LENGTH:
            raise ReviewError(REASON_TOO_LONG)
    ids = sorted(set(registration_ids))
    if len(ids) > BULK_LIMIT:
        raise ReviewError(TOO_MANY % {"n": BULK_LIMIT})
    registrations = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("school_class", "round")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    plan = review_plan(registrations=registrations, reviewer=reviewer, action=action)
    now = timezone.now()
    for registration in plan.ready:
        registration.review_status = (
            ReviewStatus.CONFIRMED if action == CONFIRM else ReviewStatus.RETURNED
        )
        registration.review_reason = "" if action == CONFIRM else reason
        registration.reviewed_at = now
        registration.reviewed_by = reviewer
        _save(registration, ["review_status", "review_reason", "reviewed_at", "reviewed_by"])
    # The same messages as a single review, written by the worker after the commit (a class of
    # forty is one request); occasions as there: the review's time, or the reason.
    by_round: dict = {}
    for registration in plan.ready:
        by_round.setdefault(registration.round_id, []).append(registration)
    for rows in by_round.values():
        ids = [r.pk for r in rows]
        if action == CONFIRM:
            notify_many_later(
                ids,
                Event.REGISTRATION_CONFIRMED,
                exam_round=rows[0].round,
                occasion=now.isoformat(),
            )
        else:
            notify_many_later(
                ids,
                Event.REGISTRATION_RETURNED,
                exam_round=rows[0].round,
                occasion=reason,
                context={"reason": reason},
            )
    return plan
