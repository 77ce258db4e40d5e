"""The payment ledger: every payment and refund is a row; a registration's state is derived.

States (``registration.models.PaymentStatus``), against the quoted total (报名费 + 培训费):

- 未缴费: nothing received (and nothing refunded);
- 部分缴费: received less than the quote;
- 已缴费: received exactly the quote;
- 多缴: received more than the quote (the excess is refunded like any refund);
- 待退费: the registration is cancelled and money received is not yet refunded;
- 已退费: everything received has been refunded.

Only the services here and the payment-list import (``fees.payments``) add rows; nothing edits or
deletes one. ``registration_payment_refresh`` re-derives the cached state on the registration.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, DecimalField, F, Max, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.money import yuan
from fees.models import EntryKind, Payment, PaymentMethod, PaymentSource
from registration.models import PaymentStatus, Registration, RegistrationStatus

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

AMOUNT_NOT_POSITIVE = _("金额须大于 0 元。")
AMOUNT_FORMAT = _("金额须为最多两位小数的数字（如 320 或 320.50）。")
DATE_IN_FUTURE = _("日期不能晚于今天（%(today)s）。")
ITEM_UNKNOWN = _("该报名没有名为“%(item)s”的收费项目。")
AMOUNT_DIFFERS = _(
    "金额 %(amount)s 元与该项目应缴 %(due)s 元不符。请核对；"
    "确认无误请勾选“金额与应缴不符，确认登记”，并在备注中写明原因。"
)
NOTE_REQUIRED = _("请在备注中写明原因。")
REFUND_EXCEEDS = _("退费金额 %(amount)s 元超过已收未退的 %(net)s 元，不能退。")
CANCELLED_NO_PAYMENT = _(
    "该报名已取消，不能再登记缴费。已收到的款项请通过财务名单导入入账，随后办理退费。"
)
NOTHING_TO_REFUND = _("该报名没有已收未退的款项，不能退费。")


class LedgerError(ValueError):
    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


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


def _check_amount(amount) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise LedgerError(AMOUNT_FORMAT, field="amount")
    if amount != amount.quantize(CENT):
        raise LedgerError(AMOUNT_FORMAT, field="amount")
    if amount <= 0:
        raise LedgerError(AMOUNT_NOT_POSITIVE, field="amount")
    return amount.quantize(CENT)


def _check_date(day: dt.date) -> dt.date:
    today = timezone.localdate()
    if day > today:
        raise LedgerError(DATE_IN_FUTURE % {"today": f"{today:%Y-%m-%d}"}, field="paid_on")
    return day


@transaction.atomic
def payment_record(
    *,
    registration: Registration,
    charge_item_name: str,
    amount: Decimal,
    paid_on: dt.date,
    method: str = PaymentMethod.PLATFORM,
    note: str = "",
    confirm_mismatch: bool = False,
    user,
) -> Payment:
    """Book money received by hand. An amount other than what the item still owes is refused
    unless confirmed with a note saying why (a partial payment, an overpayment)."""
    from fees.payments import current_charge_item_names, quoted_items

    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        raise LedgerError(CANCELLED_NO_PAYMENT)
    amount = _check_amount(amount)
    paid_on = _check_date(paid_on)
    note = (note or "").strip()
    quoted = quoted_items(registration, current_charge_item_names([registration]))
    if charge_item_name not in quoted:
        raise LedgerError(ITEM_UNKNOWN % {"item": charge_item_name}, field="charge_item_name")
    canonical = quoted[charge_item_name][0]
    due = item_due(registration, canonical)
    if amount != due:
        if not confirm_mismatch:
            raise LedgerError(
                AMOUNT_DIFFERS % {"amount": yuan(amount, cents=True), "due": yuan(due, cents=True)},
                field="amount",
            )
        if not note:
            raise LedgerError(NOTE_REQUIRED, field="note")
    payment = Payment(
        registration=registration,
        kind=EntryKind.PAYMENT,
        charge_item_name=canonical,
        amount=amount,
        paid_on=paid_on,
        method=method,
        source=PaymentSource.MANUAL,
        note=note,
        recorded_by=user,
    )
    payment.full_clean()
    payment.save()
    registration_payment_refresh(registration)
    return payment


@transaction.atomic
def payment_refund(
    *,
    registration: Registration,
    amount: Decimal,
    refunded_on: dt.date,
    method: str = PaymentMethod.TRANSFER,
    note: str,
    user,
) -> Payment:
    """Book money paid back; never more than was received and not yet refunded."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    amount = _check_amount(amount)
    refunded_on = _check_date(refunded_on)
    note = (note or "").strip()
    if not note:
        raise LedgerError(NOTE_REQUIRED, field="note")
    net = ledger_total(Payment.objects.filter(registration=registration))
    if net <= 0:
        raise LedgerError(NOTHING_TO_REFUND, field="amount")
    if amount > net:
        raise LedgerError(
            REFUND_EXCEEDS % {"amount": yuan(amount, cents=True), "net": yuan(net, cents=True)},
            field="amount",
        )
    refund = Payment(
        registration=registration,
        kind=EntryKind.REFUND,
        charge_item_name="",
        amount=amount,
        paid_on=refunded_on,
        method=method,
        source=PaymentSource.MANUAL,
        note=note,
        recorded_by=user,
    )
    refund.full_clean()
    refund.save()
    registration_payment_refresh(registration)
    return refund


def refundable(registration: Registration) -> Decimal:
    return max(ledger_total(Payment.objects.filter(registration=registration)), ZERO)
