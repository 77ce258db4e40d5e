"""Writing messages: the one call an event's service makes, and the candidate's preferences.

`message_emit` runs inside the caller's transaction: if the state change rolls back, so does
the message, and delivery is enqueued only once the change is committed.
"""

import dataclasses
import hashlib
import re

from django.db import IntegrityError, transaction
from django.template import Context, Engine
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from messaging.channels import sms_enabled
from messaging.defaults import DEFAULTS
from messaging.models import (
    Channel,
    ContactPreference,
    Event,
    Message,
    MessageState,
    MessageTemplate,
)

ID_NUMBER_IN_TEXT = _("通知内容中不能包含身份证号。")
EMAIL_NEEDS_CONSENT = _("填写邮箱时请勾选同意通过邮件接收通知。")
BAD_EMAIL = _("请输入有效的电子邮箱地址。")

# An 18-character mainland ID number (or a 15-digit old one) anywhere in a rendered text.
_ID_NUMBER = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?![\dXx])")
_ENGINE = Engine(autoescape=False)


class MessagingError(DomainError):
    pass


@dataclasses.dataclass(frozen=True)
class Recipient:
    """Who a message goes to, as the emitting app knows them (a registration, here by pk)."""

    ref: int
    round_id: int
    name: str
    phone: str = ""
    link: str = ""  # the candidate's own page (absolute): where to act


def _template(event: str) -> tuple[str, str, str, bool]:
    row = MessageTemplate.objects.filter(event=event).first()
    if row is not None:
        return row.title, row.body, row.sms_template_code, row.essential
    title, body, essential = DEFAULTS[event]
    return title, body, "", essential


def _render(text: str, context: dict) -> str:
    rendered = _ENGINE.from_string(text).render(Context(context)).strip()
    if _ID_NUMBER.search(rendered):
        raise MessagingError(ID_NUMBER_IN_TEXT)
    return rendered


def message_key(event: str, recipient: Recipient, occasion: str = "") -> str:
    """The idempotency key: one message per person, event and occasion (e.g. a reason)."""
    digest = hashlib.sha256(occasion.encode()).hexdigest()[:16] if occasion else "-"
    return f"{event}:{recipient.ref}:{digest}"


def message_emit(
    *,
    event: str,
    recipient: Recipient,
    context: dict | None = None,
    occasion: str = "",
    link: str = "",
) -> list[Message]:
    """Write this event's messages for one person: inbox always, e-mail and SMS when the person
    can be reached there and (for non-essential events) has not turned them off.

    Emitting the same event, person and occasion again writes nothing new (the unique key), so
    a retry or a second click never sends twice. Returns the rows created now."""
    event = Event(event)
    title, body, sms_code, essential = _template(event)
    variables = {"name": recipient.name, "link": link or recipient.link, **(context or {})}
    rendered_title = _render(title, variables)[:100]
    rendered_body = _render(body, variables)
    key = message_key(event, recipient, occasion)
    preference = ContactPreference.objects.filter(recipient_ref=recipient.ref).first()
    muted = not essential and preference is not None and preference.nonessential_off
    channels = [(Channel.INBOX, "")]
    if preference is not None and preference.email and not muted:
        channels.append((Channel.EMAIL, preference.email))
    if sms_enabled() and sms_code and recipient.phone and not muted:
        channels.append((Channel.SMS, recipient.phone))
    sms_params = {k: str(v) for k, v in variables.items() if k != "link"}
    created = []
    now = timezone.now()
    for channel, address in channels:
        message = Message(
            round_id=recipient.round_id,
            recipient_ref=recipient.ref,
            recipient_name=recipient.name[:30],
            address=address,
            event=event,
            channel=channel,
            key=key,
            title=rendered_title,
            body=rendered_body,
            link=(link or recipient.link)[:300],
            sms_template_code=sms_code if channel == Channel.SMS else "",
            sms_params=sms_params if channel == Channel.SMS else {},
            # The inbox row is delivered by existing.
            state=MessageState.SENT if channel == Channel.INBOX else MessageState.PENDING,
            sent_at=now if channel == Channel.INBOX else None,
        )
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            continue  # already written for this occasion: never twice
        created.append(message)
    _enqueue_after_commit([m.pk for m in created if m.channel != Channel.INBOX])
    return created


def _enqueue_after_commit(message_ids: list[int]) -> None:
    if not message_ids:
        return
    from messaging.tasks import deliver_task

    def enqueue():
        for message_id in message_ids:
            deliver_task(message_id)

    transaction.on_commit(enqueue)


@transaction.atomic
def message_retry(*, message: Message) -> Message:
    """Staff send a failed message again (from admin): back to pending, delivered anew."""
    updated = Message.objects.filter(pk=message.pk, state=MessageState.FAILED).update(
        state=MessageState.PENDING, attempts=0, next_attempt_at=None
    )
    if updated:
        _enqueue_after_commit([message.pk])
    message.refresh_from_db()
    return message


@transaction.atomic
def inbox_mark_read(*, recipient_ref: int) -> int:
    return Message.objects.filter(
        recipient_ref=recipient_ref, channel=Channel.INBOX, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def contact_preference_set(
    *, recipient: Recipient, email: str, email_consent: bool, nonessential_off: bool
) -> ContactPreference:
    email = (email or "").strip()
    if email and not email_consent:
        raise MessagingError(EMAIL_NEEDS_CONSENT, field="email_consent")
    preference = (
        ContactPreference.objects.select_for_update().filter(recipient_ref=recipient.ref).first()
    ) or ContactPreference(recipient_ref=recipient.ref, round_id=recipient.round_id)
    if email != preference.email:
        preference.email_consent_at = timezone.now() if email else None
    preference.email = email
    preference.nonessential_off = nonessential_off
    try:
        preference.full_clean()
    except Exception as error:  # ValidationError: only the e-mail field can be wrong here
        raise MessagingError(BAD_EMAIL, field="email") from error
    preference.save()
    return preference
