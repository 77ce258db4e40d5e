"""Payment due / overdue and 补充资料 incomplete: N days before the round's deadlines, once."""

import datetime as dt
from decimal import Decimal

import pytest

from messaging.models import Message
from registration.reminders import reminders_send

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 6, 10)


@pytest.fixture
def due_round(exam_round):
    exam_round.payment_deadline = DEADLINE
    exam_round.payment_reminder_days = 3
    exam_round.payment_channel = "学校统一缴费平台"
    exam_round.supplement_deadline = DEADLINE
    exam_round.supplement_reminder_days = 2
    exam_round.is_published = True
    exam_round.save()
    return exam_round


def _events(person):
    return sorted(
        Message.objects.filter(recipient_ref=person.pk, channel="inbox").values_list(
            "event", flat=True
        )
    )


def test_payment_due_is_sent_from_n_days_before_the_deadline_once(
    due_round, own_registration, make_registration, own_class
):
    paid = make_registration(exam_round=due_round, school_class=own_class, payment_status="paid")
    reminders_send(today=DEADLINE - dt.timedelta(days=4))  # just before the window
    assert _events(own_registration) == []
    reminders_send(today=DEADLINE - dt.timedelta(days=3))
    reminders_send(today=DEADLINE - dt.timedelta(days=1))  # again: nothing new
    assert _events(own_registration).count("payment_due") == 1
    message = Message.objects.get(recipient_ref=own_registration.pk, event="payment_due")
    assert "还有 3 天" in message.body
    assert "320.00 元" in message.body
    assert "学校统一缴费平台" in message.body
    assert "payment_due" not in _events(paid)


def test_payment_overdue_is_sent_the_day_after_the_deadline_not_on_it(due_round, own_registration):
    reminders_send(today=DEADLINE)
    assert "payment_overdue" not in _events(own_registration)
    reminders_send(today=DEADLINE + dt.timedelta(days=1))
    reminders_send(today=DEADLINE + dt.timedelta(days=2))
    assert _events(own_registration).count("payment_overdue") == 1


def test_supplement_incomplete_within_its_window_only_for_incomplete_ones(
    due_round, own_registration, make_registration, own_class
):
    complete = make_registration(
        exam_round=due_round, school_class=own_class, education="大专", photo="p/x.jpg"
    )
    reminders_send(today=DEADLINE - dt.timedelta(days=3))
    assert "supplement_incomplete" not in _events(own_registration)
    reminders_send(today=DEADLINE - dt.timedelta(days=2))
    assert "supplement_incomplete" in _events(own_registration)
    assert "supplement_incomplete" not in _events(complete)
    reminders_send(today=DEADLINE + dt.timedelta(days=1))  # past the cut-off: no more
    assert _events(own_registration).count("supplement_incomplete") == 1


def test_moving_the_deadline_sends_a_new_reminder(due_round, own_registration):
    reminders_send(today=DEADLINE - dt.timedelta(days=1))
    due_round.payment_deadline = DEADLINE + dt.timedelta(days=7)
    due_round.save()
    reminders_send(today=DEADLINE + dt.timedelta(days=5))
    assert _events(own_registration).count("payment_due") == 2
    assert own_registration.quoted_registration_fee == Decimal("320.00")
