"""A fee of 82.50 shows as 82.50 everywhere: radio label, fee table, home page, detail page.

Before the one money filter the same fee showed as "82" (radio label, ``:.0f``), "83" (the fee
table, ``floatformat:"0"``) and "82.50" (the detail page).
"""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from fees.models import FeeItem
from tests.registration.test_student_views import class_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_fee_with_cents_shows_the_same_everywhere(client, sophomore_class, during_round):
    fee = FeeItem.objects.get(
        round__slug__isnull=False,
        candidate_type="student",
        kind="registration",
        level__code=3,
    )
    fee.amount = Decimal("82.50")
    fee.save()

    form_page = client.get(class_url(sophomore_class)).content.decode()
    assert "（报名费 82.50 元）" in form_page
    assert "（报名费 82 元）" not in form_page
    assert ">83<" not in form_page and ">82<" not in form_page
    assert ">82.50<" in form_page  # the fee table under the form

    home = client.get(reverse("registration:home")).content.decode()
    assert "82.50" in home

    response = client.post(class_url(sophomore_class), form_data())
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert 'id="fee-registration">82.50 元<' in detail
