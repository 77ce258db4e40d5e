"""Health endpoint, structured logs without personal data, client addresses behind a proxy."""

import json
import logging

import pytest
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
        # Just past the boundaries: not an ID number, not a mobile number, an order number.
        (f"number {ID_NUMBER[:16]}", f"number {ID_NUMBER[:16]}"),
        ("phone 12800138000", "phone 12800138000"),
        ("registration 20223123456", "registration 20223123456"),
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
    assert _remote_addr(meta, ["10.0.0.0/24"]) == "203.0.113.9"


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
