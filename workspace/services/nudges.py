"""A counselor's or 教务's "send a reminder" to one list: audited, once per person and day."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from registration.messages import Event, notify_many_later
from workspace.models import ReminderKind, ReminderLog
from workspace.selectors.nudges import nudge_registrations

TEXTS = {
    ReminderKind.UNCONFIRMED: "你的报名尚未确认。如被退回，请按退回原因修改后重新提交；"
    "信息有误请联系辅导员。",
    ReminderKind.UNPAID: "请尽快按报名确认单上的缴费方式缴费，逾期将影响考试安排。",
    ReminderKind.SUPPLEMENT: "请尽快在自助查询页完成补充资料（证件照、文化程度、考试类型）。",
}
UNKNOWN_LIST = _("没有这个名单。")
EMPTY_LIST = _("名单中没有需要提醒的同学。")


class NudgeError(DomainError):
    pass


@transaction.atomic
def nudge_send(*, user, exam_round, school_class, kind: str) -> ReminderLog:
    """Write a reminder to everyone on the list. A person gets at most one reminder per list and
    day, however often anyone clicks (the day is the message's occasion); the log row records
    the click either way. Returns at once: the worker writes and sends the messages."""
    if kind not in TEXTS:
        raise NudgeError(UNKNOWN_LIST)
    ids = list(
        nudge_registrations(
            user=user, exam_round=exam_round, school_class=school_class, kind=kind
        ).values_list("pk", flat=True)
    )
    if not ids:
        raise NudgeError(EMPTY_LIST)
    sender = (user.get_full_name() or user.get_username())[:20]
    # The messages are written by the worker: thousands of rows must not hold the request.
    notify_many_later(
        ids,
        Event.REMINDER,
        exam_round=exam_round,
        occasion=f"nudge:{kind}:{timezone.localdate():%Y-%m-%d}",
        context={"text": TEXTS[kind], "sender": sender},
    )
    log = ReminderLog(
        user=user, round=exam_round, school_class=school_class, kind=kind, recipients=len(ids)
    )
    log.full_clean()
    log.save()
    return log
