"""The data migration that moved hand-set payment states into the ledger."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from registration.ledger.models import Payment
from registration.models import Registration
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db
migration = importlib.import_module("registration.migrations.0007_payment_ledger_data")


class AppsOfThatTime:
    """Today's models under the labels the migration knew: the ledger was `fees.Payment` then
    (it moved to `registration`, state only, on the same table)."""

    @staticmethod
    def get_model(app_label, model_name):
        if (app_label, model_name) == ("fees", "Payment"):
            app_label = "registration"
        return apps.get_model(app_label, model_name)


def _old_payment(registration, amount, user):
    return Payment.objects.create(
        registration=registration,
        charge_item_name="报名费",
        amount=Decimal(amount),
        paid_on=dt.date(2022, 5, 19),
        source="import",
        recorded_by=user,
    )


def test_hand_set_refunds_become_ledger_rows_and_every_state_is_derived():
    clerk = UserFactory(username="clerk")
    refunded = RegistrationFactory()
    _old_payment(refunded, "320.00", clerk)
    never_paid_but_refunded = RegistrationFactory()
    partial = RegistrationFactory()
    _old_payment(partial, "1.00", clerk)  # was shown as 已缴费 before the ledger
    cancelled = RegistrationFactory(status="cancelled")
    _old_payment(cancelled, "320.00", clerk)
    Registration.objects.filter(pk__in=[refunded.pk, never_paid_but_refunded.pk]).update(
        payment_status="refunded"
    )
    Registration.objects.filter(pk__in=[partial.pk, cancelled.pk]).update(payment_status="paid")

    migration.forwards(AppsOfThatTime, None)

    refund = Payment.objects.get(kind="refund")
    assert (refund.registration_id, refund.amount) == (refunded.pk, Decimal("320.00"))
    states = dict(Registration.objects.values_list("pk", "payment_status"))
    assert states[refunded.pk] == "refunded"
    assert states[never_paid_but_refunded.pk] == "unpaid"  # nothing was ever received
    assert states[partial.pk] == "partial"
    assert states[cancelled.pk] == "refund_due"
    migration.forwards(AppsOfThatTime, None)  # running it twice changes nothing
    assert Payment.objects.filter(kind="refund").count() == 1
