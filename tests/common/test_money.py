"""The one money filter: yuan, half-up, two decimals where there are cents."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from common.money import yuan


@pytest.mark.parametrize(
    ("value", "plain", "cents"),
    [
        (Decimal("82.50"), "82.50", "82.50"),
        (Decimal("82.5"), "82.50", "82.50"),
        (Decimal("320"), "320", "320.00"),
        (Decimal("320.00"), "320", "320.00"),
        (Decimal("0.005"), "0.01", "0.01"),  # half-up, not banker's rounding
        (Decimal("82.495"), "82.50", "82.50"),
        (Decimal("82.494"), "82.49", "82.49"),
        (Decimal("-20"), "-20", "-20.00"),
        (0, "0", "0.00"),
        ("12.3", "12.30", "12.30"),
        (None, "", ""),
        ("abc", "", ""),
    ],
)
def test_yuan_formats_half_up_with_cents_only_where_there_are_cents(value, plain, cents):
    assert yuan(value) == plain
    assert yuan(value, cents=True) == cents


def test_yuan_filter_is_a_builtin_of_every_template():
    template = Template('{{ a|yuan }}|{{ a|yuan:"cents" }}|{{ b|yuan }}')
    assert template.render(Context({"a": Decimal("82.5"), "b": 320})) == "82.50|82.50|320"
