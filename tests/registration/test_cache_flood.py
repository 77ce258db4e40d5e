"""Limits nobody can reset: flooding the page cache never evicts a rate-limit counter."""

import uuid

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from registration.ratelimits import SIGNUP_RATE_LIMITED

pytestmark = pytest.mark.django_db

FLOOD = 600  # twice the in-process cache's 300 entries


@pytest.fixture
def page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    settings.FORM_FRAGMENT_CACHE_SECONDS = 60


def test_cache_flood_of_random_query_strings_does_not_reset_the_sign_up_limit(
    sophomore_class, during_round, page_cache, settings
):
    settings.SIGNUP_RATE_LIMIT_PER_LINK = 2
    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    client = Client()
    for _ in range(3):
        page = client.post(url, {"name": "张三"}).content.decode()
    assert str(SIGNUP_RATE_LIMITED) in page
    for _ in range(FLOOD):
        assert client.get(f"/?{uuid.uuid4().hex}=1").status_code == 200
    assert str(SIGNUP_RATE_LIMITED) in client.post(url, {"name": "张三"}).content.decode()


def test_page_cache_keys_on_the_path_and_an_allow_list_of_parameters(announcement, page_cache):
    default = caches["default"]
    client = Client()
    client.get("/")
    entries = len(default._cache)
    for i in range(50):
        client.get(f"/?q={i}")  # not on the allow-list: built afresh, never stored
        client.get(f"/?from=singlemessage&isappinstalled={i}")  # WeChat's: shares "/"
    assert len(default._cache) == entries


def test_rate_limit_counters_live_in_their_own_cache(sophomore_class, during_round, settings):
    settings.SIGNUP_RATE_LIMIT_PER_LINK = 1
    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    Client().post(url, {"name": "张三"})
    caches["default"].clear()
    assert str(SIGNUP_RATE_LIMITED) in Client().post(url, {"name": "张三"}).content.decode()
