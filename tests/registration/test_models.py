"""Invariants of registrations the database itself keeps."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories import (
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db


@contextmanager
def violates():
    """Expect the database to refuse the write (atomic so PostgreSQL can go on afterwards)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


# --- Registrations ----------------------------------------------------------------------------


def test_registration_second_active_for_same_id_in_same_session_is_refused():
    first = RegistrationFactory()
    with violates():
        RegistrationFactory(round=first.round, id_number=first.id_number)


def test_registration_cancelled_plus_active_for_same_id_is_allowed():
    cancelled = RegistrationFactory(status="cancelled")
    active = RegistrationFactory(round=cancelled.round, id_number=cancelled.id_number)
    assert active.pk != cancelled.pk


def test_registration_two_cancelled_for_same_id_are_allowed():
    first = RegistrationFactory(status="cancelled")
    assert RegistrationFactory(round=first.round, id_number=first.id_number, status="cancelled").pk


def test_registration_same_id_in_another_session_is_allowed():
    first = RegistrationFactory()
    assert RegistrationFactory(id_number=first.id_number).round_id != first.round_id


def test_registration_cancelling_then_reregistering_is_allowed():
    first = RegistrationFactory()
    first.status = "cancelled"
    first.save()
    assert RegistrationFactory(round=first.round, id_number=first.id_number).pk


def test_registration_negative_quoted_fee_is_refused():
    with violates():
        RegistrationFactory(quoted_training_fee=Decimal("-1"))
