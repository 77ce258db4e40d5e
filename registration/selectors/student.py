"""Reads for the student self-service pages."""

import hmac

from common.idcard import normalise_id_number
from registration.models import Registration, RegistrationStatus
from rounds.models import SchoolClass


def school_class_by_code(code: str) -> SchoolClass | None:
    return (
        SchoolClass.objects.active().select_related("major", "counselor").filter(code=code).first()
    )


def registration_by_link(pk: int, token: str) -> Registration | None:
    """The registration behind a private link; the secret is compared in constant time."""
    registration = (
        Registration.objects.select_related(
            "round", "level", "school_class__major", "training_fee_item", "registration_fee_item"
        )
        .filter(pk=pk)
        .first()
    )
    if registration is None or not hmac.compare_digest(
        registration.token.encode(), (token or "").encode()
    ):
        return None
    return registration


def registration_lookup(*, id_number: str, phone: str) -> Registration | None:
    """The candidate's latest registration (active ones first) matching both ID number and phone."""
    candidates = Registration.objects.filter(
        id_number=normalise_id_number(id_number), round__is_published=True
    ).order_by("-created_at")
    matches = [r for r in candidates if hmac.compare_digest(r.phone.encode(), phone.encode())]
    active = [r for r in matches if r.status == RegistrationStatus.ACTIVE]
    return (active or matches or [None])[0]
