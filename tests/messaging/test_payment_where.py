"""Where and by when to pay: on the confirmation/private page, the home page and the roster."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.payment_state import payment_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def paying_round(exam_round):
    exam_round.payment_channel = "登录学校统一缴费平台，选择“职业技能等级认定”缴费。"
    exam_round.payment_link = "https://pay.example.edu.cn/kwt"
    exam_round.payment_deadline = timezone.localdate()
    exam_round.save()
    return exam_round


def test_payment_overdue_only_after_the_deadline_day_and_only_when_owing(
    paying_round, own_registration, make_registration, own_class
):
    today = paying_round.payment_deadline
    assert not payment_overdue(own_registration, today)
    assert payment_overdue(own_registration, today + dt.timedelta(days=1))
    paid = make_registration(exam_round=paying_round, school_class=own_class, payment_status="paid")
    assert not payment_overdue(paid, today + dt.timedelta(days=1))
    cancelled = make_registration(
        exam_round=paying_round, school_class=own_class, status="cancelled"
    )
    assert not payment_overdue(cancelled, today + dt.timedelta(days=1))


def test_private_page_shows_where_and_by_when_and_overdue_after_it(
    client, paying_round, own_registration
):
    url = reverse(
        "registration:registration_detail", args=[own_registration.pk, own_registration.token]
    )
    page = client.get(url).content.decode()
    assert "选择“职业技能等级认定”缴费" in page
    assert 'href="https://pay.example.edu.cn/kwt"' in page
    assert 'class="qr-code"' in page
    assert 'id="payment-deadline"' in page
    assert 'id="payment-overdue"' not in page  # the deadline day is in time
    paying_round.payment_deadline = timezone.localdate() - dt.timedelta(days=1)
    paying_round.save()
    page = client.get(url).content.decode()
    assert 'id="payment-overdue"' in page


def test_roster_marks_overdue_rows_for_the_counselor(
    client, counselor, paying_round, own_registration, own_class
):
    paying_round.payment_deadline = timezone.localdate() - dt.timedelta(days=1)
    paying_round.save()
    client.force_login(counselor)
    url = reverse("registration:counselor_class", args=[own_class.pk])
    page = client.get(url, {"session": paying_round.slug}).content.decode()
    assert "payment-overdue" in page
    assert 'id="payment-where"' in page
