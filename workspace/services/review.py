"""Counselor review of registrations: confirm, return with a reason, and private notes.

Each action locks the registration row, so a review and a student's concurrent edit or cancel are
applied one after the other; the student's edit sets the review back to pending.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from common.errors import DomainError
from registration.messages import Event, notify
from registration.models import Registration, RegistrationStatus, ReviewStatus

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
    if not roles.can_review(reviewer, registration):
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
    if not roles.can_review(author, registration):
        raise ReviewError(REVIEW_NOT_ALLOWED)
    registration.counselor_note = note
    return _save(registration, ["counselor_note"])
