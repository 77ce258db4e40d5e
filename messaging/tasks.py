"""The worker's side of the outbox: deliver one row, and sweep up whatever is due."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from messaging.delivery import message_deliver, messages_due


@db_task(name="messaging.deliver")
def deliver_task(message_id: int) -> None:
    again = message_deliver(message_id=message_id)
    if again is not None:
        deliver_task.schedule((message_id,), eta=again)


@db_task(name="messaging.deliver_many")
def deliver_many_task(message_ids: list[int]) -> None:
    """A batch written at once (a round's tickets, a class's reminders), delivered in turn; a
    row put off (quiet hours, rate limit, a failure to retry) is scheduled on its own."""
    for message_id in message_ids:
        again = message_deliver(message_id=message_id)
        if again is not None:
            deliver_task.schedule((message_id,), eta=again)


@db_periodic_task(crontab(minute="*"), name="messaging.sweep")
def sweep_task() -> None:
    for message_id in messages_due():
        deliver_task(message_id)
