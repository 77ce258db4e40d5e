"""Health endpoint, structured logs without personal data, client addresses behind a proxy."""

import json
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from config.logs import JsonFormatter, ScrubFilter, scrub
from config.middleware import TrustedProxyMiddleware, service_unavailable_response
from tests.idnumbers import make_id_number

ID_NUMBER = make_id_number(7)


@pytest.mark.django_db
def test_healthz_reports_database_and_cache_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["cache"]["ok"] is True
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"lookup for {ID_NUMBER} failed", "lookup for [id-number] failed"),
        (f"lookup for {ID_NUMBER[:17]}x failed", "lookup for [id-number] failed"),
        ("phone 13800138000 ok", "phone [phone] ok"),
        ("phone +86 13800138000 ok", "phone [phone] ok"),
        ("Not Found: /me/12/AbC-d_e/edit/", "Not Found: /me/12/[token]/edit/"),
        # 404 paths as typed: letters stuck to the number, another case, doubled slashes.
        (f"Not Found: /lookup/{ID_NUMBER}/", "Not Found: /lookup/[id-number]/"),
        (f"Not Found: /lookup/{ID_NUMBER}abc", "Not Found: /lookup/[id-number]abc"),
        (f"Not Found: /lookup/a{ID_NUMBER[:17]}X/", "Not Found: /lookup/a[id-number]/"),
        ("Not Found: /ME/1/AbC-d_e/", "Not Found: /ME/1/[token]/"),
        ("Not Found: /me//1/AbC-d_e/", "Not Found: /me//1/[token]/"),
        ("Not Found: /Me/1//AbC-d_e", "Not Found: /Me/1//[token]"),
        # A token_urlsafe(24) secret anywhere else.
        ("link x4Rk_9QzLm2VbN8wTy-3HsPd7FcJ0aUe", "link [token]"),
        # Two digits short of an ID number is still one person.
        (f"number {ID_NUMBER[:16]}", "number [id-number]"),
        # Just past the boundaries: not an ID number, not a mobile number, an order number,
        # code names and digests that only look like secrets.
        (f"number {ID_NUMBER[:14]}", f"number {ID_NUMBER[:14]}"),
        ("phone 12800138000", "phone 12800138000"),
        ("registration 20223123456", "registration 20223123456"),
        ("in DatabaseUnavailableMiddleware", "in DatabaseUnavailableMiddleware"),
        ("constraint registration_id_number_unique", "constraint registration_id_number_unique"),
        ("key 3f2a9c0d4b5e6f708192a3b4c5d6e7f8", "key 3f2a9c0d4b5e6f708192a3b4c5d6e7f8"),
    ],
)
def test_scrub_masks_personal_data_only(text, expected):
    assert scrub(text) == expected


def _record(message, *args, exc_info=None):
    return logging.LogRecord(
        "kaowutong.test", logging.WARNING, __file__, 1, message, args, exc_info
    )


def test_json_formatter_emits_one_object_per_line_without_personal_data():
    try:
        raise ValueError(f"duplicate key (id_number)=({ID_NUMBER})")
    except ValueError:
        import sys

        record = _record("submit failed for %s", ID_NUMBER, exc_info=sys.exc_info())
    record.status_code = 503
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["message"] == "submit failed for [id-number]"
    assert entry["status_code"] == 503
    assert entry["exc_type"] == "ValueError"
    assert ID_NUMBER not in line


def test_scrub_filter_rewrites_plain_records():
    record = _record("Not Found: %s", "/me/3/secret/")
    assert ScrubFilter().filter(record) is True
    assert record.getMessage() == "Not Found: /me/3/[token]/"


def _remote_addr(meta, trusted):
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]

    with override_settings(TRUSTED_PROXIES=trusted):
        TrustedProxyMiddleware(view)(RequestFactory().get("/", **meta))
    return seen["addr"]


def test_trusted_proxy_takes_the_client_address_from_x_forwarded_for():
    meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert _remote_addr(meta, ["127.0.0.1"]) == "203.0.113.9"


def test_trusted_proxy_ignores_what_the_client_prepended():
    # The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the real address.
    meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}
    assert _remote_addr(meta, ["127.0.0.1/32"]) == "203.0.113.9"


def test_trusted_proxy_skips_inner_trusted_hops():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1"}
    assert _remote_addr(meta, ["10.0.0.1", "10.0.0.2"]) == "203.0.113.9"


@pytest.mark.parametrize("network", ["10.0.0.0/24", "0.0.0.0/0", "fd00::/64", "10.0.0.0/31"])
def test_trusted_proxies_refuse_a_network(network):
    # A network that also holds students' PCs would let them choose their own address.
    with override_settings(TRUSTED_PROXIES=["127.0.0.1", network]):
        with pytest.raises(ImproperlyConfigured, match="one by one"):
            TrustedProxyMiddleware(lambda request: None)


def test_trusted_proxies_refuse_what_is_not_an_address():
    with override_settings(TRUSTED_PROXIES=["nginx.internal"]):
        with pytest.raises(ImproperlyConfigured, match="DJANGO_TRUSTED_PROXIES"):
            TrustedProxyMiddleware(lambda request: None)


def test_trusted_proxies_accept_single_addresses_with_or_without_prefix():
    meta = {"REMOTE_ADDR": "::1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert _remote_addr(meta, ["127.0.0.1/32", "::1/128"]) == "203.0.113.9"


def test_untrusted_peer_cannot_spoof_its_address():
    meta = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert _remote_addr(meta, ["127.0.0.1"]) == "198.51.100.7"
    assert _remote_addr({**meta, "REMOTE_ADDR": "127.0.0.1"}, []) == "127.0.0.1"


def test_service_unavailable_page_is_chinese_with_retry_after_and_headers():
    response = service_unavailable_response()
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "系统暂时无法访问" in html
    assert "没有保存" in html
    assert "<script>" not in html and "style=" not in html
