"""Periodic work of the registration side, run by the task-queue worker."""

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from registration.reminders import reminders_send

# Reminders go out from 09:00 Shanghai time; the hourly run catches up after a stopped worker.
REMINDERS_FROM_HOUR = 9


@db_periodic_task(crontab(minute="5"), name="registration.reminders")
def reminders_task() -> None:
    if timezone.localtime().hour >= REMINDERS_FROM_HOUR:
        reminders_send()


@db_task(name="registration.notify_many", retries=3, retry_delay=30, retry_backoff=2)
def notify_many_task(event, registration_ids, round_id, occasion, link, context) -> None:
    from registration.messages import notify_many
    from registration.models import Registration
    from rounds.models import ExamRound

    exam_round = ExamRound.objects.get(pk=round_id)
    people = Registration.objects.filter(pk__in=registration_ids).select_related("round")
    with transaction.atomic():
        notify_many(
            people, event, exam_round=exam_round, occasion=occasion, link=link, context=context
        )
