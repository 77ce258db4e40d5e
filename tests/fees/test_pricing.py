"""fees.pricing is the one module that reads prices: sign-up, pages and payments call it."""

from decimal import Decimal
from pathlib import Path

import pytest

from fees import pricing
from fees.models import FeeItem

ROOT = Path(__file__).resolve().parents[2]
# Modules that write fee items (loading the announcement, cloning a round, the admin) may name
# the model; every read of a price goes through fees.pricing.
WRITERS = {"registration/loaders.py", "registration/services/rounds.py"}


def test_no_module_outside_fees_reads_fee_items_itself():
    readers = {
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/**/*.py")
        if path.parts[len(ROOT.parts)] not in {"fees", "tests", "benchmarks", ".venv"}
        and "migrations" not in path.parts
        and "FeeItem.objects" in path.read_text(encoding="utf-8")
    }
    assert readers <= WRITERS


@pytest.mark.django_db
def test_quote_and_fee_amounts_come_from_the_active_fee_items(announcement):
    amounts = pricing.registration_fee_amounts(exam_round=announcement, candidate_type="student")
    assert amounts == {4: Decimal("260.00"), 3: Decimal("320.00")}

    quote = pricing.fee_quote(
        exam_round=announcement, level_code=3, candidate_type="student", training_fee_item_id=None
    )
    assert quote.registration_fee == Decimal("320.00")


@pytest.mark.django_db
def test_a_round_without_a_registration_fee_cannot_be_quoted(announcement):
    FeeItem.objects.filter(round=announcement, level__code=3, kind="registration").update(
        is_active=False
    )
    with pytest.raises(pricing.PricingError) as raised:
        pricing.fee_quote(
            exam_round=announcement,
            level_code=3,
            candidate_type="student",
            training_fee_item_id=None,
        )
    assert raised.value.message == pricing.REGISTRATION_FEE_MISSING
