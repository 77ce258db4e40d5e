"""Move payment state into the ledger.

Before, a registration's payment_status was stored and "已退费" was set by hand (even when nothing
had been received), with the reason in payment_note. Now every refund is a ledger row and the state
is derived. For each registration marked refunded that holds money, a refund row of what it holds
is written (dated the registration's last change, noted with the old payment_note); the payment
fields of every registration are then re-derived with the same rule as fees.ledger.payment_state.
"""

from decimal import Decimal

from django.db import migrations
from django.db.models import Max, Q, Sum

ZERO = Decimal("0.00")


def _state(*, due, received, refunded, cancelled):
    net = received - refunded
    if cancelled:
        if net > 0:
            return "refund_due"
        return "refunded" if refunded > 0 else "unpaid"
    if net <= 0:
        return "refunded" if refunded > 0 else "unpaid"
    if net < due:
        return "partial"
    if net == due:
        return "paid"
    return "overpaid"


def forwards(apps, schema_editor):
    Registration = apps.get_model("registration", "Registration")
    Payment = apps.get_model("fees", "Payment")
    for registration in Registration.objects.filter(payment_status="refunded").iterator():
        payments = list(Payment.objects.filter(registration=registration, kind="payment"))
        held = sum((p.amount for p in payments), ZERO) - sum(
            (
                p.amount
                for p in Payment.objects.filter(registration=registration, kind="refund")
            ),
            ZERO,
        )
        if held > 0:
            Payment.objects.create(
                registration=registration,
                kind="refund",
                charge_item_name="",
                amount=held,
                paid_on=registration.updated_at.date(),
                method="other",
                source="manual",
                # getattr: tests run this step against today's models, which lack the field.
                note=(getattr(registration, "payment_note", "") or "迁移：原标记为已退费")[:200],
                recorded_by_id=payments[0].recorded_by_id,
            )
    for registration in Registration.objects.all().iterator():
        sums = Payment.objects.filter(registration=registration).aggregate(
            received=Sum("amount", filter=Q(kind="payment")),
            refunded=Sum("amount", filter=Q(kind="refund")),
            last=Max("paid_on", filter=Q(kind="payment")),
        )
        received = sums["received"] or ZERO
        refunded = sums["refunded"] or ZERO
        status = _state(
            due=registration.quoted_registration_fee + registration.quoted_training_fee,
            received=received,
            refunded=refunded,
            cancelled=registration.status == "cancelled",
        )
        Registration.objects.filter(pk=registration.pk).update(
            payment_status=status,
            paid_amount=(received - refunded) if (received or refunded) else None,
            paid_on=sums["last"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0006_payment_status_derived_from_ledger"),
        ("fees", "0006_payment_ledger"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
