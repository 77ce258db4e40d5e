"""A refused CSRF check gets a Chinese page; a refused sign-up gets its form back, filled in."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from registration.models import Registration
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def _typed() -> dict:
    return {
        "name": "李小红",
        "id_number": make_id_number(7),
        "ethnicity": "汉族",
        "phone": "13912340007",
        "student_number": "2020000007",
        "level": "3",
        "consent": "on",
    }


def test_csrf_failure_on_sign_up_shows_the_form_again_with_what_was_typed(
    sophomore_class, during_round, settings
):
    settings.DEBUG = False
    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    student = Client(enforce_csrf_checks=True)
    student.get(url)
    reply = student.post(url, {**_typed(), "csrfmiddlewaretoken": "x" * 64})
    page = reply.content.decode()
    assert reply.status_code == 403
    assert "页面已过期，本次提交没有保存。" in page
    assert 'value="李小红"' in page and f'value="{make_id_number(7)}"' in page
    assert 'value="13912340007"' in page and 'value="2020000007"' in page
    assert 'id="id_consent" checked' in page or "checked" in page.split('name="consent"')[1][:80]
    assert not Registration.objects.exists()
    # The page carries a fresh, valid token: sending it again registers the student.
    tokens = _tokens(page)
    assert len(tokens) == 1
    again = student.post(url, {**_typed(), "csrfmiddlewaretoken": tokens})
    assert again.status_code == 302
    assert Registration.objects.filter(name="李小红").count() == 1


def test_csrf_failure_without_a_cookie_still_keeps_the_typed_values(sophomore_class, during_round):
    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    stranger = Client(enforce_csrf_checks=True)  # never loaded the page: no CSRF cookie
    reply = stranger.post(url, _typed())
    assert reply.status_code == 403
    assert 'value="李小红"' in reply.content.decode()
    assert "csrftoken" in reply.cookies  # a fresh cookie comes with the fresh token
    assert not Registration.objects.exists()


def test_csrf_failure_elsewhere_is_a_chinese_page_in_the_site_layout(db, settings):
    settings.DEBUG = False
    reply = Client(enforce_csrf_checks=True).post(reverse("registration:lookup"), {"x": "1"})
    page = reply.content.decode()
    assert reply.status_code == 403
    assert "页面已过期" in page and "重新打开此页面" in page
    assert 'class="navbar' in page  # the site's layout, not Django's bare page
    assert "DEBUG" not in page
