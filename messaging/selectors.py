"""Reading the outbox: a candidate's inbox, staff's view of delivery."""

from django.db.models import QuerySet

from messaging.models import Channel, ContactPreference, Message


def inbox(recipient_ref: int) -> QuerySet[Message]:
    return Message.objects.filter(recipient_ref=recipient_ref, channel=Channel.INBOX)


def inbox_unread_count(recipient_ref: int) -> int:
    return inbox(recipient_ref).filter(read_at__isnull=True).count()


def contact_preference(recipient_ref: int) -> ContactPreference | None:
    return ContactPreference.objects.filter(recipient_ref=recipient_ref).first()


def deliveries(recipient_ref: int) -> QuerySet[Message]:
    """Every channel's row of one person, newest first (staff see state and failure reason)."""
    return Message.objects.filter(recipient_ref=recipient_ref).exclude(channel=Channel.INBOX)
