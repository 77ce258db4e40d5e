"""Markup that phones and assistive technology rely on: autocomplete tokens and a print link that
works without JavaScript. (Contrast and sizes are checked in Chromium by tests/e2e/test_axe.py.)"""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from registration.forms import LookupForm, RegistrationForm
from registration.models import Registration
from rounds.models import SkillLevel
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def autocomplete_of(html: str, name: str) -> str | None:
    tag = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no field {name}"
    found = re.search(r'autocomplete="([^"]*)"', tag.group(0))
    return found.group(1) if found else None


def test_signup_form_personal_fields_carry_autocomplete_tokens(
    client, sophomore_class, during_round
):
    html = client.get(
        reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    ).content.decode()

    assert autocomplete_of(html, "name") == "name"
    assert autocomplete_of(html, "phone") == "tel"
    # Not the browser's to remember or to offer on a shared computer.
    assert autocomplete_of(html, "id_number") == "off"
    assert autocomplete_of(html, "student_number") == "off"


def test_social_form_work_unit_autocompletes_as_organization(announcement):
    form = RegistrationForm(
        exam_round=announcement, candidate_type="social", levels=SkillLevel.objects.all()
    )

    assert autocomplete_of(str(form["work_unit"]), "work_unit") == "organization"
    assert autocomplete_of(str(form["name"]), "name") == "name"


def test_lookup_form_fields_carry_autocomplete_tokens():
    form = LookupForm()

    assert autocomplete_of(str(form["id_number"]), "id_number") == "off"
    assert autocomplete_of(str(form["phone"]), "phone") == "tel"


def test_confirmation_print_link_leads_to_a_print_view_without_javascript(
    client, sophomore_class, during_round
):
    response = client.post(
        reverse("registration:class_entry", kwargs={"code": sophomore_class.code}),
        {
            "name": "张三",
            "id_number": make_id_number(7),
            "ethnicity": "汉族",
            "phone": "13800138000",
            "student_number": "2020123456",
            "level": "3",
            "consent": "on",
        },
        follow=True,
    )
    registration = Registration.objects.get()
    detail = reverse("registration:registration_detail", args=[registration.pk, registration.token])
    html = response.content.decode()
    link = re.search(r"<a [^>]*data-print[^>]*>打印确认单</a>", html)
    assert link and 'href="?print=1"' in link.group(0)
    assert "kwt-print-view" not in html

    printable = client.get(detail + "?print=1").content.decode()

    assert re.search(r'<body class="[^"]*kwt-print-view', printable)
    assert "这是打印版" in printable
    assert f'<a href="{detail}">返回</a>' in printable
    assert registration.number in printable
