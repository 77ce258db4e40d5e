"""Invariants of fee items the database itself keeps."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import (
    ExamRoundFactory,
    FeeItemFactory,
)

pytestmark = pytest.mark.django_db


@contextmanager
def violates():
    """Expect the database to refuse the write (atomic so PostgreSQL can go on afterwards)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


# --- Fee items --------------------------------------------------------------------------------


def test_fee_item_amount_zero_is_allowed():
    assert FeeItemFactory(amount=Decimal("0")).pk


def test_fee_item_negative_amount_is_refused_by_the_database():
    with violates():
        FeeItemFactory(amount=Decimal("-0.01"))


def test_fee_item_negative_amount_fails_validation():
    item = FeeItemFactory.build(round=ExamRoundFactory(), amount=Decimal("-1"))
    with pytest.raises(ValidationError) as excinfo:
        item.full_clean()
    assert "amount" in excinfo.value.message_dict


def test_fee_item_registration_fee_with_a_training_option_is_refused():
    with violates():
        FeeItemFactory(kind="registration", training_option="intensive")


def test_fee_item_training_fee_without_option_is_refused():
    with violates():
        FeeItemFactory(kind="training", training_option="")


def test_fee_item_training_fee_with_option_is_allowed():
    assert FeeItemFactory(kind="training", training_option="intensive", amount=800).pk


def test_fee_item_is_unique_per_session_level_type_and_option():
    first = FeeItemFactory(kind="training", training_option="intensive", amount=800)
    with violates():
        FeeItemFactory(round=first.round, kind="training", training_option="intensive", amount=900)


def test_fee_item_other_option_of_same_level_is_allowed():
    first = FeeItemFactory(kind="training", training_option="intensive", amount=800)
    second = FeeItemFactory(
        round=first.round, kind="training", training_option="improvement", amount=300
    )
    assert second.pk != first.pk


def test_fee_item_class_hours_must_be_positive():
    assert FeeItemFactory(kind="training", training_option="intensive", class_hours=1).pk
    with violates():
        FeeItemFactory(kind="training", training_option="improvement", class_hours=0)
