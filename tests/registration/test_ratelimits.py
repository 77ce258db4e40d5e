"""The sign-up limits keyed on what is attacked (registration/ratelimits.py), each attack replayed
with separate clients (cookie jars): a campus NAT address full of honest typos, one ID number,
one class link, one private link, and an address past its backstop.
"""

import datetime as dt
import random

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from registration import ratelimits
from registration.models import Registration
from registration.services import submission
from rounds.selectors import round_current
from tests.common.test_ratelimit import redis_cache  # noqa: F401 (pytest fixture)
from tests.factories import RegistrationFactory
from tests.idnumbers import make_id_number
from tests.registration.test_student_views import class_url, form_data

pytestmark = pytest.mark.django_db
NAT = "10.50.0.1"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def already_registered(count: int, school_class, birth=dt.date(2001, 5, 5)) -> list[str]:
    """`count` students already signed up in `school_class` (born on another day than
    form_data's students, so no ID number is shared): their ID numbers."""
    exam_round = round_current()
    numbers = [make_id_number(n, birth=birth) for n in range(count)]
    for number in numbers:
        RegistrationFactory(round=exam_round, school_class=school_class, id_number=number)
    return numbers


def errors(response):
    return response.context["form"].errors


def test_a_campus_nat_past_300_revealing_answers_still_signs_up_a_first_student_elsewhere(
    sophomore_class, senior_class, during_round
):
    """Before: after 300 revealing answers (REVEAL_LIMIT_PER_IP) from one address, every sign-up
    and edit from it was refused for 15 minutes, a first sign-up in another class included."""
    typos = already_registered(301, sophomore_class)
    answers = [
        at(NAT).post(class_url(sophomore_class), form_data(id_number=number)) for number in typos
    ]
    # 301 different students (each in their own browser) re-submitted: every one was told.
    assert all(errors(a)["id_number"] == [submission.ALREADY_REGISTERED] for a in answers), (
        "the old per-address limit (300) would have refused these"
    )
    first = at(NAT).post(class_url(senior_class), form_data(1, name="李四"))
    assert first.status_code == 302
    also_in_the_class = at(NAT).post(class_url(sophomore_class), form_data(2, name="王五"))
    assert also_in_the_class.status_code == 302


def test_an_address_past_its_backstop_is_slowed_per_link_not_blocked(
    sophomore_class, senior_class, during_round, monkeypatch
):
    monkeypatch.setattr(ratelimits, "REVEAL_LIMIT_PER_ADDRESS", 6)
    monkeypatch.setattr(ratelimits, "REVEAL_LIMIT_PER_ADDRESS_LINK_SLOWED", 3)
    probes = already_registered(10, sophomore_class)
    answers = [
        at(NAT).post(class_url(sophomore_class), form_data(id_number=number)).context["form"]
        for number in probes
    ]
    told = [f for f in answers if f.errors.get("id_number") == [submission.ALREADY_REGISTERED]]
    assert len(told) == 6  # the backstop: then that link gets no more answers from this address
    assert answers[-1].non_field_errors() == [ratelimits.REVEAL_RATE_LIMITED]
    # Never blocked: a first sign-up in another class from the same address goes through.
    first = at(NAT).post(class_url(senior_class), form_data(1, name="李四"))
    assert first.status_code == 302, errors(first)
    # And other addresses are not slowed at all.
    other = at("10.60.0.1").post(class_url(sophomore_class), form_data(id_number=probes[0]))
    assert errors(other)["id_number"] == [submission.ALREADY_REGISTERED]


def test_many_sign_ups_from_one_address_are_slowed_per_link_past_the_backstop(
    sophomore_class, senior_class, during_round, settings, monkeypatch
):
    settings.SIGNUP_RATE_LIMIT = 4
    monkeypatch.setattr(ratelimits, "SIGNUP_LIMIT_PER_ADDRESS_LINK_SLOWED", 5)
    statuses = [
        at(NAT).post(class_url(sophomore_class), form_data(n, name="张三")).status_code
        for n in range(1, 8)
    ]
    assert statuses == [302] * 5 + [200] * 2  # slowed on that link past 5 ...
    page = at(NAT).post(class_url(sophomore_class), form_data(9)).content.decode()
    assert str(ratelimits.ADDRESS_SLOWED) in page
    # ... while a first sign-up of another class from the same address goes through.
    assert at(NAT).post(class_url(senior_class), form_data(20, name="李四")).status_code == 302
    assert Registration.objects.count() == 6


def test_one_id_number_hammered_from_many_addresses_is_limited(sophomore_class, during_round):
    """Per address, five answers about one ID number; from everywhere together, twenty."""
    (victim,) = already_registered(1, sophomore_class)
    answers = [
        at(f"10.70.0.{n}").post(class_url(sophomore_class), form_data(id_number=victim))
        for n in range(ratelimits.REVEAL_LIMIT_PER_SUBJECT + 1)
    ]
    assert all(
        errors(a)["id_number"] == [submission.ALREADY_REGISTERED]
        for a in answers[: ratelimits.REVEAL_LIMIT_PER_SUBJECT]
    )
    assert errors(answers[-1])["__all__"] == [ratelimits.REVEAL_RATE_LIMITED]
    # Another student's sign-up through the same link is not affected.
    assert at("10.70.1.1").post(class_url(sophomore_class), form_data(2)).status_code == 302


def test_one_class_link_hammered_is_limited_and_other_classes_are_not(
    sophomore_class, senior_class, during_round, settings
):
    settings.SIGNUP_RATE_LIMIT_PER_LINK = 60  # 600 in production: the same code, ten times faster
    url = class_url(sophomore_class)
    statuses = [at(f"10.80.0.{n}").post(url, {"name": "x"}).status_code for n in range(60)]
    assert statuses == [200] * 60  # invalid forms from 60 addresses, answered
    refused = at("10.81.0.1").post(url, form_data(1)).content.decode()
    assert str(ratelimits.SIGNUP_RATE_LIMITED) in refused
    assert 'value="张三"' in refused  # what was typed is kept
    assert at("10.81.0.1").post(class_url(senior_class), form_data(2)).status_code == 302


def test_one_private_link_hammered_from_many_addresses_is_limited(sophomore_class, during_round):
    at("10.90.0.1").post(class_url(sophomore_class), form_data(1))
    mine = Registration.objects.get()
    url = reverse("registration:registration_edit", kwargs={"pk": mine.pk, "token": mine.token})
    answers = [
        at(f"10.90.1.{n}").post(url, form_data(1, name="张三丰"))
        for n in range(ratelimits.EDIT_LIMIT_PER_REGISTRATION + 1)
    ]
    assert all(a.status_code == 302 for a in answers[:-1])
    assert errors(answers[-1])["__all__"] == [ratelimits.EDIT_RATE_LIMITED]


def test_the_owner_of_an_id_number_is_never_locked_out_of_editing_by_probes_of_it(
    sophomore_class, during_round
):
    """The registration's own ID number is not a subject of its edit form: answers about it from
    elsewhere (someone re-submitting it on the class link) do not lock the private link."""
    at("10.91.0.1").post(class_url(sophomore_class), form_data(1))
    mine = Registration.objects.get()
    for n in range(ratelimits.REVEAL_LIMIT_PER_SUBJECT + 1):
        at(f"10.91.1.{n}").post(class_url(sophomore_class), form_data(1))
    url = reverse("registration:registration_edit", kwargs={"pk": mine.pk, "token": mine.token})
    assert at("10.91.0.1").post(url, form_data(1, name="张三丰")).status_code == 302


def test_counter_keys_hold_no_id_number_nor_a_plain_hash_of_one(sophomore_class, during_round):
    import hashlib

    from django.core.cache import caches

    (victim,) = already_registered(1, sophomore_class)
    at(NAT).post(class_url(sophomore_class), form_data(id_number=victim))
    store = caches["ratelimit"]
    raw = getattr(store._cache, "get_client", None)  # Redis (REDIS_URL set) or in-process memory
    found = raw().keys("*") if raw else store._cache
    keys = " ".join(str(k) for k in found)
    assert keys
    assert victim not in keys
    assert hashlib.sha256(f"id:{victim}".encode()).hexdigest() not in keys


def test_with_redis_a_sign_up_post_costs_one_round_trip_and_the_limits_hold(
    redis_cache,  # noqa: F811 (the pytest fixture imported above)
    sophomore_class,
    during_round,
):
    from tests.common.test_ratelimit import _round_trips

    raw = redis_cache._cache.get_client(write=True)
    calls = []
    restore = _round_trips(raw, calls)
    try:
        assert at(NAT).post(class_url(sophomore_class), form_data(1)).status_code == 302
    finally:
        restore()
    assert len(calls) == 1  # the happy path: count the POST and read the counters, one script
    # Redis keeps counters between runs (15-minute windows): a subject and addresses of this run.
    rng = random.Random()
    # Births of 2000-2004: the test region code is valid for them (stdnum knows which years).
    birth = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(1800))
    (victim,) = already_registered(1, sophomore_class, birth=birth)
    subnet = f"10.{rng.randrange(100, 250)}.{rng.randrange(250)}"
    answers = [
        at(f"{subnet}.{n}").post(class_url(sophomore_class), form_data(id_number=victim))
        for n in range(ratelimits.REVEAL_LIMIT_PER_SUBJECT + 1)
    ]
    assert errors(answers[-2])["id_number"] == [submission.ALREADY_REGISTERED]
    assert errors(answers[-1])["__all__"] == [ratelimits.REVEAL_RATE_LIMITED]
