"""Odd input gets a clear answer, never a 500: lone surrogates, undecodable bodies, odd methods,
unknown hosts, error pages that cannot fail, and sheet names without control characters."""

import io
import json
import logging

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory, override_settings
from django.utils.functional import SimpleLazyObject
from openpyxl import Workbook, load_workbook

from common import middleware
from common.xlsx import Column, SheetNames, sheet_add, sheet_append
from registration.loaders import demo_load
from registration.views import errors

API = "/eligibility/api/evaluate"
BAD_REQUEST_PAGE = "请求无法处理"


@pytest.fixture
def demo(db):
    return demo_load()


def _client(**kwargs) -> Client:
    return Client(raise_request_exception=False, **kwargs)


@pytest.mark.parametrize(
    "body",
    [
        '{"candidate_type": "student", "major": "\\ud800", "grade": 2, "level": 4}',
        '{"candidate_type": "student", "session": "demo\\udfff", "level": 4}',
        '{"candidate_type": "social", "level": 4, "\\udc00": 1}',
        '{"candidate_type": "student", "major": ["\\ud83d"], "level": 4}',
    ],
)
def test_api_lone_surrogate_gets_a_chinese_400(demo, body):
    response = _client().post(API, body, content_type="application/json")
    assert response.status_code == 400
    assert "无法识别的字符" in response.json()["error"]


def test_api_surrogate_pair_is_ordinary_text(demo):
    # "\ud83d\ude00" is one emoji: valid text, answered like any unknown major (not refused).
    body = '{"candidate_type": "student", "major": "\\ud83d\\ude00", "grade": 2, "level": 4}'
    response = _client().post(API, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "major"


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "gbk", "no-such-codec"])
@pytest.mark.parametrize("path", ["/lookup/", "/accounts/login/", "/register/", "class"])
def test_form_post_in_another_encoding_gets_a_chinese_400(demo, charset, path):
    # With CSRF enforced, as in production: Django's own 400 handler re-ran the CSRF check on
    # the same unreadable body and turned the 400 into a 500.
    client = _client(enforce_csrf_checks=True)
    if path == "class":
        path = f"/r/{demo['classes'][0].code}/"
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    body = f"csrfmiddlewaretoken={token}&name=张三".encode("utf-16")
    response = client.generic(
        "POST",
        path,
        body,
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
        HTTP_X_CSRFTOKEN=token,
    )
    if charset == "no-such-codec":  # Django ignores an unknown charset and reads UTF-8
        assert response.status_code < 500
        return
    assert response.status_code == 400
    assert BAD_REQUEST_PAGE in response.content.decode()


def _request_with_bad_host():
    return RequestFactory().get("/", HTTP_HOST="evil.example")


def test_handler400_renders_without_touching_the_request():
    response = errors.bad_request(_request_with_bad_host(), exception=None)
    assert response.status_code == 400
    html = response.content.decode()
    assert BAD_REQUEST_PAGE in html
    assert "<script>" not in html and "style=" not in html


@override_settings(TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}])
def test_error_handlers_fall_back_to_plain_text_when_the_page_cannot_render():
    response = errors.bad_request(_request_with_bad_host())
    assert response.status_code == 400
    assert "内容的格式或编码无效" in response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def _unavailable():
    raise OperationalError("the database went away")


@pytest.mark.django_db
def test_handler403_falls_back_when_the_request_context_fails():
    # A signed-in user's page needs the database (user, permissions); when it is gone the
    # handler answers in plain text instead of raising.
    request = RequestFactory().get("/counselor/")
    request.user = SimpleLazyObject(_unavailable)
    response = errors.permission_denied(request, exception=None)
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


@pytest.mark.django_db
def test_handler403_page_with_request_context(client):
    request = RequestFactory().get("/counselor/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = errors.permission_denied(request)
    assert response.status_code == 403
    assert "没有权限访问此页面" in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/lookup/", "/register/", "class", "/healthz"])
def test_head_is_answered_like_get_on_public_pages(demo, path):
    if path == "class":
        path = f"/r/{demo['classes'][0].code}/"
    client = _client()
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""


def test_head_keeps_the_length_of_get_and_sends_no_body():
    seen = {}

    def view(request):
        seen["method"] = request.method
        response = json.dumps({"ok": True}).encode()
        from django.http import HttpResponse

        answer = HttpResponse(response)
        answer["Content-Length"] = str(len(response))
        return answer

    request = RequestFactory().head("/healthz")
    response = middleware.OddInputMiddleware(view)(request)
    assert seen["method"] == "GET"
    assert request.method == "HEAD"
    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Length"] == "12"


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PUT", "DELETE", "PATCH", "PROPFIND"])
@pytest.mark.parametrize("path", ["/", "/lookup/", "/healthz", API, "/counselor/"])
def test_other_methods_get_405_with_allow(db, method, path):
    response = _client().generic(method, path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
    assert "不支持此请求方式" in response.content.decode()
    # TRACE must never echo the request (cookies and all) back.
    assert "Cookie" not in response.content.decode()


def test_unknown_host_is_one_warning_line(db, caplog):
    caplog.set_level(logging.INFO)
    response = _client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert BAD_REQUEST_PAGE in response.content.decode()
    records = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert records[0].exc_info is None
    text = "\n".join(line for line in caplog.text.splitlines() if line)
    assert "Traceback" not in text
    assert sum("evil.example" in line for line in text.splitlines()) == 1


@pytest.mark.parametrize(
    "name",
    ["电子商务\r\n1班", "电子商务\t1班", "电子商务\n1班", "电子商务\r1班", "电子商务\u20281班\x0b"],
)
def test_sheet_names_carry_no_control_characters(name):
    sheet_name = SheetNames().make(name)
    assert sheet_name == "电子商务 1班"
    assert not any(ord(c) < 32 or c in "\u2028\u2029" for c in sheet_name)


def test_workbook_with_a_class_name_with_line_breaks_opens_with_clean_sheet_names():
    wb = Workbook(write_only=True)
    names = SheetNames()
    columns = [Column("姓名", 10, lambda row: row)]
    for title in ("2021级\r\n电商1班", "2021级\t电商2班"):
        ws = sheet_add(wb, names.make(title), columns)
        sheet_append(ws, columns, "张三")
    data = io.BytesIO()
    wb.save(data)
    reopened = load_workbook(io.BytesIO(data.getvalue()))
    assert reopened.sheetnames == ["2021级 电商1班", "2021级 电商2班"]
