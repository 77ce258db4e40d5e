"""The one call a registration-side service makes when something happens to a candidate:
`notify(registration, Event.…, **variables)`. The outbox (messaging) decides the channels."""

from django.conf import settings
from django.urls import reverse

from messaging.models import Event
from messaging.services import Recipient, message_emit

__all__ = ["Event", "notify", "recipient_of"]


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
