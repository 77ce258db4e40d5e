"""Writing messages: the one call an event's service makes, and the candidate's preferences.

`message_emit` runs inside the caller's transaction: if the state change rolls back, so does
the message, and delivery is enqueued only once the change is committed.
"""

import dataclasses
import functools
import hashlib
import logging
import re

from django.db import IntegrityError, transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from common.privacy import mask_id_number
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

logger = logging.getLogger(__name__)

ID_NUMBER_IN_TEXT = _("通知内容中不能包含身份证号。")
BAD_TEMPLATE = _("模板格式有误：%(error)s")
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


@functools.lru_cache(maxsize=64)
def _compiled(text: str):
    return _ENGINE.from_string(text)


def _render(text: str, context: dict) -> str:
    """The text with its variables; anything shaped like an ID number is masked (admin refuses
    such a template, services pass none: this is the last guard, and it never fails the event)."""
    rendered = _compiled(text).render(Context(context)).strip()
    return _ID_NUMBER.sub(lambda match: mask_id_number(match.group(0)), rendered)


def template_text_check(text: str) -> None:
    """Admin's check of an edited text: no ID number, and valid template syntax."""
    if _ID_NUMBER.search(text):
        raise MessagingError(ID_NUMBER_IN_TEXT)
    try:
        _ENGINE.from_string(text)
    except TemplateSyntaxError as error:
        raise MessagingError(BAD_TEMPLATE % {"error": error}) from error


def message_key(event: str, recipient: Recipient, occasion: str = "") -> str:
    """The idempotency key: one message per person, event and occasion (e.g. a reason)."""
    digest = hashlib.sha256(occasion.encode()).hexdigest()[:16] if occasion else "-"
    return f"{event}:{recipient.ref}:{digest}"


def _channels(
    *, recipient: Recipient, preference: ContactPreference | None, essential: bool, sms_code: str
) -> list[tuple[str, str]]:
    muted = not essential and preference is not None and preference.nonessential_off
    channels = [(Channel.INBOX, "")]
    if preference is not None and preference.email and not muted:
        channels.append((Channel.EMAIL, preference.email))
    if sms_enabled() and sms_code and recipient.phone and not muted:
        channels.append((Channel.SMS, recipient.phone))
    return channels


def _rows(
    *, event: str, recipient: Recipient, template: tuple, preference, context, occasion, link
) -> list[Message]:
    title, body, sms_code, essential = template
    variables = {"name": recipient.name, "link": link or recipient.link, **(context or {})}
    rendered_title = _render(title, variables)[:100]
    rendered_body = _render(body, variables)
    key = message_key(event, recipient, occasion)
    sms_params = {k: str(v) for k, v in variables.items() if k != "link"}
    now = timezone.now()
    rows = []
    for channel, address in _channels(
        recipient=recipient, preference=preference, essential=essential, sms_code=sms_code
    ):
        inbox = channel == Channel.INBOX
        rows.append(
            Message(
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
                sms_template_code="" if inbox or channel != Channel.SMS else sms_code,
                sms_params=sms_params if channel == Channel.SMS else {},
                # The inbox row is delivered by existing.
                state=MessageState.SENT if inbox else MessageState.PENDING,
                sent_at=now if inbox else None,
            )
        )
    return rows


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
    rows = _rows(
        event=event,
        recipient=recipient,
        template=_template(event),
        preference=ContactPreference.objects.filter(recipient_ref=recipient.ref).first(),
        context=context,
        occasion=occasion,
        link=link,
    )
    created = []
    for message in rows:
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            continue  # already written for this occasion: never twice
        created.append(message)
    _enqueue_after_commit([m.pk for m in created if m.channel != Channel.INBOX])
    return created


def message_emit_many(
    *,
    event: str,
    recipients: list[Recipient],
    context: dict | None = None,
    per_recipient: dict[int, dict] | None = None,
    occasion: str = "",
    link: str = "",
) -> int:
    """`message_emit` for many people at once (a round's tickets, a class's reminders): one
    template read, one preference read, bulk inserts that skip rows already written, and
    delivery handed to the worker in batches. Returns how many rows are new."""
    event = Event(event)
    template = _template(event)
    refs = [r.ref for r in recipients]
    preferences = {
        p.recipient_ref: p for p in ContactPreference.objects.filter(recipient_ref__in=refs)
    }
    rows = []
    for recipient in recipients:
        rows += _rows(
            event=event,
            recipient=recipient,
            template=template,
            preference=preferences.get(recipient.ref),
            context={**(context or {}), **(per_recipient or {}).get(recipient.ref, {})},
            occasion=occasion,
            link=link,
        )
    keys = {m.key for m in rows}
    existing = _existing_in_chunks(keys)
    new = [m for m in rows if (m.key, m.channel) not in existing]
    Message.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    pending_keys = {m.key for m in new if m.channel != Channel.INBOX}
    if pending_keys:
        transaction.on_commit(lambda: _enqueue_keys(pending_keys))
    return len(new)


def _existing_in_chunks(keys: set[str]) -> set[tuple[str, str]]:
    keys = list(keys)
    found: set[tuple[str, str]] = set()
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        found |= set(Message.objects.filter(key__in=chunk).values_list("key", "channel"))
    return found


def _enqueue_keys(keys: set[str]) -> None:
    """Hand the new e-mail/SMS rows to the worker, 200 per task (not one enqueue per row)."""
    from messaging.tasks import deliver_many_task

    keys = list(keys)
    ids: list[int] = []
    for start in range(0, len(keys), 900):
        ids += (
            Message.objects.filter(key__in=keys[start : start + 900], state=MessageState.PENDING)
            .exclude(channel=Channel.INBOX)
            .values_list("pk", flat=True)
        )
    try:
        for start in range(0, len(ids), 200):
            deliver_many_task(ids[start : start + 200])
    except Exception:  # the queue is down: the rows stay pending, the sweeper sends them
        logger.warning("could not enqueue %d message(s); the sweeper will", len(ids))


def _enqueue_after_commit(message_ids: list[int]) -> None:
    if not message_ids:
        return
    from messaging.tasks import deliver_task

    def enqueue():
        try:
            for message_id in message_ids:
                deliver_task(message_id)
        except Exception:  # the queue is down: the rows stay pending, the sweeper sends them
            logger.warning("could not enqueue %d message(s); the sweeper will", len(message_ids))

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
