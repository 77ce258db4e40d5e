"""Periodic work of the registration side, run by the task-queue worker."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from registration.reminders import reminders_send

# Reminders go out from 09:00 Shanghai time; the hourly run catches up after a stopped worker.
REMINDERS_FROM_HOUR = 9


@db_periodic_task(crontab(minute="5"), name="registration.reminders")
def reminders_task() -> None:
    if timezone.localtime().hour >= REMINDERS_FROM_HOUR:
        reminders_send()
