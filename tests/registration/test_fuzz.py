"""Arbitrary POST data to the public sign-up endpoints never produces a 500."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registration.models import Registration
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db

FIELDS = [
    "name",
    "id_number",
    "ethnicity",
    "phone",
    "student_number",
    "level",
    "training_fee_item",
    "consent",
    "school_class",
    "years_in_occupation",
]

values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["3", "4", "5", "-1", "汉族", "on", make_id_number(5), "13800138000", "1e99"]),
    st.integers().map(str),
)
payloads = st.dictionaries(st.sampled_from(FIELDS), values, max_size=len(FIELDS))
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(payload=payloads)
def test_class_entry_never_errors_on_arbitrary_posts(sophomore_class, during_round, payload):
    cache.clear()
    client = Client()
    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    response = client.post(url, payload)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert Registration.objects.filter(id_number=payload.get("id_number", "").upper()).exists()


@FUZZ
@given(payload=payloads)
def test_lookup_and_register_pick_never_error(announcement, during_round, payload):
    cache.clear()
    client = Client()
    assert client.post(reverse("registration:lookup"), payload).status_code in (200, 302, 429)
    assert client.post(reverse("registration:register"), payload).status_code in (200, 302)
