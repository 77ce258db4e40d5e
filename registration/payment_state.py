"""The payment state of a registration, derived from the ledger (registration.ledger rows).

States (``registration.models.PaymentStatus``), against the quoted total (报名费 + 培训费):

- 未缴费: nothing received (and nothing refunded);
- 部分缴费: received less than the quote;
- 已缴费: received exactly the quote;
- 多缴: received more than the quote (the excess is refunded like any refund);
- 待退费: the registration is cancelled and money received is not yet refunded;
- 已退费: everything received has been refunded.

Reads only: the rows are written by ``payments.ledger`` and ``payments.imports``. It lives in
``registration`` because cancelling a registration re-derives its state here, and
``registration`` may not import ``payments`` (docs/architecture.md).
"""

from decimal import Decimal

from django.db.models import Case, DecimalField, F, Max, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from registration.ledger.models import EntryKind, Payment
from registration.models import PaymentStatus, Registration, RegistrationStatus

ZERO = Decimal("0.00")


def payment_state(*, due: Decimal, received: Decimal, refunded: Decimal, cancelled: bool) -> str:
    """The one rule that turns ledger sums into a state (see the module docstring)."""
    net = received - refunded
    if cancelled:
        if net > 0:
            return PaymentStatus.REFUND_DUE
        return PaymentStatus.REFUNDED if refunded > 0 else PaymentStatus.UNPAID
    if net <= 0:
        return PaymentStatus.REFUNDED if refunded > 0 else PaymentStatus.UNPAID
    if net < due:
        return PaymentStatus.PARTIAL
    if net == due:
        return PaymentStatus.PAID
    return PaymentStatus.OVERPAID


_MONEY = DecimalField(max_digits=10, decimal_places=2)


def ledger_total(payments) -> Decimal:
    """Net money the ledger holds (payments minus refunds) for a Payment queryset."""
    signed = Case(
        When(kind=EntryKind.REFUND, then=-F("amount")), default=F("amount"), output_field=_MONEY
    )
    return payments.aggregate(total=Coalesce(Sum(signed), Value(ZERO), output_field=_MONEY))[
        "total"
    ]


def registration_payment_refresh(registration: Registration) -> Registration:
    """Re-derive the cached payment fields of one registration from its ledger rows."""
    rows = Payment.objects.filter(registration=registration).aggregate(
        received=Sum("amount", filter=Q(kind=EntryKind.PAYMENT)),
        refunded=Sum("amount", filter=Q(kind=EntryKind.REFUND)),
        last=Max("paid_on", filter=Q(kind=EntryKind.PAYMENT)),
    )
    received = rows["received"] or ZERO
    refunded = rows["refunded"] or ZERO
    status = payment_state(
        due=registration.quoted_total,
        received=received,
        refunded=refunded,
        cancelled=registration.status == RegistrationStatus.CANCELLED,
    )
    paid_amount = (received - refunded) if (received or refunded) else None
    if (registration.payment_status, registration.paid_amount, registration.paid_on) != (
        status,
        paid_amount,
        rows["last"],
    ):
        registration.payment_status = status
        registration.paid_amount = paid_amount
        registration.paid_on = rows["last"]
        registration.save(update_fields=["payment_status", "paid_amount", "paid_on", "updated_at"])
    return registration


def item_due(registration: Registration, charge_item_name: str) -> Decimal:
    """What is still owed for one quoted charge item (never below zero)."""
    quoted = sum(
        (
            Decimal(item["amount"])
            for item in registration.quoted_charge_items
            if item["name"] == charge_item_name
        ),
        ZERO,
    )
    paid = (
        Payment.objects.filter(
            registration=registration, kind=EntryKind.PAYMENT, charge_item_name=charge_item_name
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    return max(quoted - paid, ZERO)


def refundable(registration: Registration) -> Decimal:
    return max(ledger_total(Payment.objects.filter(registration=registration)), ZERO)


OWING = (PaymentStatus.UNPAID, PaymentStatus.PARTIAL)


def owes(registration: Registration) -> bool:
    """Still has money to pay: active, and not (fully) paid."""
    return registration.status == RegistrationStatus.ACTIVE and registration.payment_status in OWING


def payment_overdue(registration: Registration, today=None) -> bool:
    """逾期未缴费: owes money after the round's payment deadline (the deadline day is in time)."""
    from django.utils import timezone

    return owes(registration) and registration.round.payment_overdue_on(
        today or timezone.localdate()
    )
