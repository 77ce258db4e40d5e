"""The payment ledger: every payment and refund is a row; a registration's state is derived
(``registration.payment_state``, re-exported here for the finance pages).

Only the services here and the payment-list import (``payments.imports``) add rows; nothing edits or
deletes one. ``registration_payment_refresh`` re-derives the cached state on the registration.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from common.money import yuan
from registration.ledger.models import EntryKind, Payment, PaymentMethod, PaymentSource
from registration.models import Registration, RegistrationStatus
from registration.payment_state import (  # noqa: F401 (the ledger's reads, used by its callers)
    ZERO,
    item_due,
    ledger_total,
    payment_state,
    refundable,
    registration_payment_refresh,
)

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


class LedgerError(DomainError, ValueError):
    pass


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
    from payments.imports import current_charge_item_names, quoted_items

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
