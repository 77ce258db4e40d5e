"""The one call a registration-side service makes when something happens to a candidate:
`notify(registration, Event.…, **variables)`. The outbox (messaging) decides the channels."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from messaging.models import Event
from messaging.services import Recipient, message_emit, message_emit_many

__all__ = ["Event", "notify", "notify_many", "notify_many_later", "recipient_of"]


def private_link(registration) -> str:
    path = reverse("registration:registration_detail", args=[registration.pk, registration.token])
    return f"{settings.SITE_URL}{path}"


def recipient_of(registration) -> Recipient:
    return Recipient(
        ref=registration.pk,
        round_id=registration.round_id,
        name=registration.name,
        phone=registration.phone,
        link=private_link(registration),
    )


def notify(registration, event: str, *, occasion: str = "", link: str = "", **variables):
    """Write `event`'s messages for this registration's candidate, once per `occasion`."""
    return message_emit(
        event=event,
        recipient=recipient_of(registration),
        context={"round": registration.round.title, **variables},
        occasion=occasion,
        link=link,
    )


def notify_many(
    registrations,
    event: str,
    *,
    exam_round,
    occasion: str = "",
    link: str = "",
    context: dict | None = None,
    per=None,
) -> int:
    """`notify` for many registrations of one round at once (bulk: one read, batched writes).
    `per(registration)` may give each person's own variables."""
    registrations = list(registrations)
    return message_emit_many(
        event=event,
        recipients=[recipient_of(r) for r in registrations],
        context={"round": exam_round.title, **(context or {})},
        per_recipient={r.pk: per(r) for r in registrations} if per else None,
        occasion=occasion,
        link=link,
    )


def notify_many_later(
    registration_ids,
    event: str,
    *,
    exam_round,
    occasion: str = "",
    link: str = "",
    context: dict | None = None,
) -> None:
    """`notify_many` run by the worker once the caller's transaction commits, 500 people per
    task: a round's tickets or a class's reminders never hold a web request. The occasion is
    fixed now (e.g. today's date), so a retried task writes nothing twice."""
    from registration.tasks import notify_many_task

    ids = sorted(registration_ids)

    def enqueue():
        for start in range(0, len(ids), 500):
            notify_many_task(
                str(event), ids[start : start + 500], exam_round.pk, occasion, link, context or {}
            )

    transaction.on_commit(enqueue)
