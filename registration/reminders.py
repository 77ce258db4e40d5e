"""Time-driven messages: payment due / overdue and 补充资料 incomplete, N days before the round's
deadlines (N is round data: `payment_reminder_days`, `supplement_reminder_days`).

Run by the worker every hour (registration.tasks); each person gets each reminder once per
deadline (the occasion names the deadline: moving it sends a new reminder), so running it again,
or on two workers, writes nothing twice.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.money import yuan
from registration.messages import Event, notify
from registration.models import PhotoStatus, Registration, RegistrationStatus
from registration.payment_state import OWING
from rounds.models import ExamRound


def _owing(exam_round: ExamRound):
    return Registration.objects.filter(
        round=exam_round, status=RegistrationStatus.ACTIVE, payment_status__in=OWING
    ).select_related("round")


def supplement_incomplete_q() -> Q:
    return Q(education="") | Q(photo="") | Q(photo_status=PhotoStatus.RETURNED)


def _amount(registration: Registration) -> str:
    owed = registration.quoted_total - (registration.paid_amount or 0)
    return f"{yuan(owed, cents=True)} 元"


def reminders_send(*, today: dt.date | None = None) -> int:
    """Write every reminder due today; returns how many messages were written."""
    today = today or timezone.localdate()
    written = 0
    rounds = ExamRound.objects.published().filter(archived_at__isnull=True)
    for exam_round in rounds:
        deadline = exam_round.payment_deadline
        channel = exam_round.payment_channel or exam_round.payment_link or "见报名确认单"
        if deadline is not None and exam_round.payment_overdue_on(today):
            for registration in _owing(exam_round):
                with transaction.atomic():
                    written += len(
                        notify(
                            registration,
                            Event.PAYMENT_OVERDUE,
                            occasion=f"overdue:{deadline}",
                            deadline=f"{deadline:%Y-%m-%d}",
                            amount=_amount(registration),
                            channel=channel,
                        )
                    )
        elif (
            deadline is not None
            and exam_round.payment_reminder_days
            and deadline - dt.timedelta(days=exam_round.payment_reminder_days) <= today
        ):
            for registration in _owing(exam_round):
                with transaction.atomic():
                    written += len(
                        notify(
                            registration,
                            Event.PAYMENT_DUE,
                            occasion=f"due:{deadline}",
                            deadline=f"{deadline:%Y-%m-%d}",
                            days=(deadline - today).days,
                            amount=_amount(registration),
                            channel=channel,
                        )
                    )
        cutoff = exam_round.supplement_deadline
        if (
            cutoff is not None
            and exam_round.supplement_reminder_days
            and cutoff - dt.timedelta(days=exam_round.supplement_reminder_days) <= today <= cutoff
        ):
            incomplete = (
                Registration.objects.filter(round=exam_round, status=RegistrationStatus.ACTIVE)
                .filter(supplement_incomplete_q())
                .select_related("round")
            )
            for registration in incomplete:
                with transaction.atomic():
                    written += len(
                        notify(
                            registration,
                            Event.SUPPLEMENT_INCOMPLETE,
                            occasion=f"supplement:{cutoff}",
                            deadline=f"{cutoff:%Y-%m-%d}",
                            days=(cutoff - today).days,
                        )
                    )
    return written
