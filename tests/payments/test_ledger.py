"""The payment ledger: state derived from rows, refunds capped, statistics equal to the ledger."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments import ledger
from payments.ledger import LedgerError, payment_record, payment_refund, payment_state
from payments.statistics import round_statistics
from registration.ledger.models import Payment
from registration.models import PaymentStatus
from registration.services.submission import (
    SubmissionError,
    registration_cancel,
    registration_cancel_by_staff,
)
from tests.factories import RegistrationFactory, UserFactory
from tests.payments.test_imports import ITEM3, registration

DAY = dt.date(2022, 5, 19)


@pytest.fixture
def finance(db):
    return UserFactory(username="finance")


def pay(target, amount, user, **kwargs):
    kwargs.setdefault("confirm_mismatch", True)
    kwargs.setdefault("note", "分次缴费")
    return payment_record(
        registration=target,
        charge_item_name=ITEM3,
        amount=Decimal(amount),
        paid_on=DAY,
        user=user,
        **kwargs,
    )


def refund(target, amount, user):
    return payment_refund(
        registration=target, amount=Decimal(amount), refunded_on=DAY, note="退考", user=user
    )


@pytest.mark.parametrize(
    ("due", "received", "refunded", "cancelled", "state"),
    [
        ("320", "0", "0", False, PaymentStatus.UNPAID),
        ("320", "1", "0", False, PaymentStatus.PARTIAL),
        ("320", "319.99", "0", False, PaymentStatus.PARTIAL),
        ("320", "320", "0", False, PaymentStatus.PAID),
        ("320", "320.01", "0", False, PaymentStatus.OVERPAID),
        ("320", "400", "80", False, PaymentStatus.PAID),
        ("320", "320", "320", False, PaymentStatus.REFUNDED),
        ("320", "0", "0", True, PaymentStatus.UNPAID),
        ("320", "0.01", "0", True, PaymentStatus.REFUND_DUE),
        ("320", "320", "100", True, PaymentStatus.REFUND_DUE),
        ("320", "320", "320", True, PaymentStatus.REFUNDED),
    ],
)
def test_payment_state_rule(due, received, refunded, cancelled, state):
    assert (
        payment_state(
            due=Decimal(due),
            received=Decimal(received),
            refunded=Decimal(refunded),
            cancelled=cancelled,
        )
        == state
    )


@pytest.mark.django_db
def test_one_yuan_is_partial_not_paid_and_the_rest_makes_it_paid(finance):
    target = registration()
    with pytest.raises(LedgerError, match="不符"):
        pay(target, "1.00", finance, confirm_mismatch=False)
    with pytest.raises(LedgerError, match="备注"):
        pay(target, "1.00", finance, note="")
    pay(target, "1.00", finance)
    target.refresh_from_db()
    assert target.payment_status == PaymentStatus.PARTIAL
    assert target.paid_amount == Decimal("1.00")
    pay(target, "319.00", finance, confirm_mismatch=False, note="")  # exactly what is still owed
    target.refresh_from_db()
    assert target.payment_status == PaymentStatus.PAID
    assert Payment.objects.filter(registration=target).count() == 2


@pytest.mark.django_db
def test_future_dates_zero_and_sub_cent_amounts_are_refused(finance):
    target = registration()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(LedgerError, match="不能晚于今天"):
        payment_record(
            registration=target,
            charge_item_name=ITEM3,
            amount=Decimal("320"),
            paid_on=tomorrow,
            user=finance,
        )
    for amount in ("0", "-1", "0.001"):
        with pytest.raises(LedgerError):
            pay(target, amount, finance)
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_refunds_cannot_exceed_what_was_received(finance):
    target = registration()
    with pytest.raises(LedgerError, match="没有已收未退"):
        refund(target, "320", finance)
    pay(target, "320", finance)
    with pytest.raises(LedgerError, match=r"超过已收未退的 320\.00 元"):
        refund(target, "320.01", finance)
    refund(target, "300", finance)
    with pytest.raises(LedgerError, match=r"超过已收未退的 20\.00 元"):
        refund(target, "21", finance)
    refund(target, "20", finance)
    target.refresh_from_db()
    assert target.payment_status == PaymentStatus.REFUNDED
    assert ledger.refundable(target) == 0


@pytest.mark.django_db
def test_cancellation_with_money_held_is_refund_due_until_refunded(finance):
    target = registration()
    pay(target, "320", finance)
    with pytest.raises(SubmissionError, match="您已缴费"):
        registration_cancel(registration=target)  # the student cannot, as before
    registration_cancel_by_staff(registration=target)
    target.refresh_from_db()
    assert target.payment_status == PaymentStatus.REFUND_DUE
    with pytest.raises(LedgerError, match="已取消"):
        pay(target, "10", finance)
    refund(target, "320", finance)
    target.refresh_from_db()
    assert target.payment_status == PaymentStatus.REFUNDED


@pytest.mark.django_db
def test_a_partially_paid_student_cannot_cancel_either(finance):
    target = registration()
    pay(target, "1", finance)
    with pytest.raises(SubmissionError):
        registration_cancel(registration=target)


@pytest.mark.django_db
def test_statistics_received_total_counts_money_of_cancelled_registrations(finance):
    target = registration()
    exam_round = target.round
    other = registration(round=exam_round)
    pay(target, "320", finance)
    pay(other, "100", finance)
    before = round_statistics(exam_round).received_total
    assert before == Decimal("420.00")
    registration_cancel_by_staff(registration=target)
    stats = round_statistics(exam_round)
    assert stats.received_total == Decimal("420.00")  # the 320 is held until refunded
    assert (stats.refund_due_count, stats.refund_due_amount) == (1, Decimal("320.00"))
    refund(target, "320", finance)
    stats = round_statistics(exam_round)
    assert stats.received_total == Decimal("100.00")
    assert stats.received_total == ledger.ledger_total(
        Payment.objects.filter(registration__round=exam_round)
    )


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["pay", "refund", "cancel"]),
        st.integers(min_value=0, max_value=3),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2),
    ),
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_ledger_invariant_under_any_sequence_of_operations(finance, operations):
    """Whatever finance does: every registration's state is the rule applied to its rows, no
    refund ever exceeds what was received, and the statistics' received total is the ledger's
    sum."""
    Payment.objects.all().delete()
    first = registration()
    exam_round = first.round
    targets = [first] + [registration(round=exam_round) for _ in range(3)]
    for action, index, amount in operations:
        target = targets[index]
        try:
            if action == "pay":
                pay(target, amount, finance)
            elif action == "refund":
                refund(target, amount, finance)
            else:
                registration_cancel_by_staff(registration=target)
        except (LedgerError, SubmissionError):
            pass
    for target in targets:
        target.refresh_from_db()
        rows = list(Payment.objects.filter(registration=target))
        received = sum((p.amount for p in rows if p.kind == "payment"), Decimal("0"))
        refunded = sum((p.amount for p in rows if p.kind == "refund"), Decimal("0"))
        assert refunded <= received
        assert target.payment_status == payment_state(
            due=target.quoted_total,
            received=received,
            refunded=refunded,
            cancelled=target.status == "cancelled",
        )
        assert (target.paid_amount or Decimal("0")) == received - refunded
    ledger_sum = ledger.ledger_total(Payment.objects.filter(registration__round=exam_round))
    assert round_statistics(exam_round).received_total == ledger_sum


@pytest.mark.django_db
def test_staff_cancel_of_a_cancelled_registration_is_refused():
    target = RegistrationFactory(status="cancelled")
    with pytest.raises(SubmissionError, match="已取消"):
        registration_cancel_by_staff(registration=target)
