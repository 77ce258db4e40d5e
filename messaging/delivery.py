"""Delivering one e-mail or SMS row: claim it, respect quiet hours and the provider's rate,
send, then record sent / retry later / failed with the reason.

The claim is one conditional UPDATE (pending → sending), so two workers (or a retry racing the
sweeper) never send the same row twice; no database lock is held while the provider answers.
"""

import datetime as dt
import time

from django.conf import settings
from django.core.cache import caches
from django.db.models import F
from django.utils import timezone

from messaging.channels import CHANNELS, DeliveryError
from messaging.models import Message, MessageState

STALE_SENDING = dt.timedelta(minutes=10)


def retry_delay(attempts: int) -> dt.timedelta:
    """60 s, 120 s, 240 s, … after the 1st, 2nd, 3rd failed attempt (MESSAGE_RETRY_SECONDS)."""
    return dt.timedelta(seconds=settings.MESSAGE_RETRY_SECONDS * 2 ** (attempts - 1))


def _rate_allows(channel) -> bool:
    """At most `rate_per_second` sends per channel and second, across all workers (the
    ratelimit cache: Redis in production)."""
    cache = caches["ratelimit"]
    key = f"outbox-rate:{channel.name}:{int(time.time())}"
    cache.add(key, 0, timeout=5)
    try:
        return cache.incr(key) <= channel.rate_per_second
    except ValueError:  # evicted between add and incr
        return True


def message_deliver(*, message_id: int, now: dt.datetime | None = None) -> dt.datetime | None:
    """Try to deliver one message now. Returns when to try again (quiet hours, rate limit,
    a failure with attempts left), or None when there is nothing more to do."""
    now = now or timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id, state=MessageState.PENDING)
        .exclude(next_attempt_at__gt=now)
        .update(state=MessageState.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    )
    if not claimed:
        return None
    message = Message.objects.get(pk=message_id)
    channel = CHANNELS[message.channel]

    def postpone(until: dt.datetime) -> dt.datetime:
        Message.objects.filter(pk=message_id).update(
            state=MessageState.PENDING, attempts=F("attempts") - 1, next_attempt_at=until
        )
        return until

    quiet_end = channel.quiet_until(now)
    if quiet_end is not None:
        return postpone(quiet_end)
    if not _rate_allows(channel):
        return postpone(now + dt.timedelta(seconds=1))
    try:
        provider_id = channel.send(message)
    except DeliveryError as error:
        reason = str(error)[:500]
    except Exception as error:  # an unexpected failure is retried like a refusal
        reason = f"{type(error).__name__}: {error}"[:500]
    else:
        Message.objects.filter(pk=message_id).update(
            state=MessageState.SENT,
            sent_at=timezone.now(),
            provider_id=provider_id,
            last_error="",
            next_attempt_at=None,
        )
        return None
    if message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
        Message.objects.filter(pk=message_id).update(
            state=MessageState.FAILED, last_error=reason, next_attempt_at=None
        )
        return None
    again = now + retry_delay(message.attempts)
    Message.objects.filter(pk=message_id).update(
        state=MessageState.PENDING, last_error=reason, next_attempt_at=again
    )
    return again


def messages_due(now: dt.datetime | None = None) -> list[int]:
    """Rows the sweeper hands to the queue again: pending and due (a lost enqueue, a retry whose
    scheduled task was lost), and rows left 'sending' by a worker that died mid-send."""
    now = now or timezone.now()
    Message.objects.filter(state=MessageState.SENDING, claimed_at__lt=now - STALE_SENDING).update(
        state=MessageState.PENDING
    )
    due = Message.objects.filter(state=MessageState.PENDING).exclude(next_attempt_at__gt=now)
    return list(due.values_list("pk", flat=True)[:1000])
