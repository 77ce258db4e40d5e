from decimal import Decimal

import pytest
from django.urls import reverse

from fees.models import FeeItem
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def item_form(item: FeeItem, **changes) -> dict:
    data = {
        "round": item.round_id,
        "level": item.level_id,
        "candidate_type": item.candidate_type,
        "kind": item.kind,
        "training_option": item.training_option,
        "amount": str(item.amount),
        "class_hours": item.class_hours or "",
        "description": item.description,
        "charge_item_name": item.charge_item_name,
        "order": item.order,
        "is_active": "on" if item.is_active else "",
        "change_reason": "物价局核定新标准",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def reg_fee(exam_round, level_code=3) -> FeeItem:
    return FeeItem.objects.get(
        round=exam_round, level__code=level_code, candidate_type="student", kind="registration"
    )


def change_url(item):
    return reverse("admin:fees_feeitem_change", args=[item.pk])


def test_fee_change_in_admin_keeps_existing_quotes_and_says_how_many(admin_client, announcement):
    item = reg_fee(announcement)
    registration = RegistrationFactory(
        round=announcement,
        registration_fee_item=item,
        quoted_registration_fee=Decimal("320.00"),
    )
    response = admin_client.post(change_url(item), item_form(item, amount="350.00"), follow=True)
    assert "已有 1 份报名保留原报价" in response.content.decode()
    item.refresh_from_db()
    registration.refresh_from_db()
    assert item.amount == Decimal("350.00")
    assert registration.quoted_registration_fee == Decimal("320.00")
    changelist = admin_client.get(reverse("admin:fees_feeitem_changelist"))
    row = next(obj for obj in changelist.context["cl"].result_list if obj.pk == item.pk)
    assert changelist.context["cl"].model_admin.old_quotes(row) == 1


def test_deactivating_an_item_in_use_needs_confirmation(admin_client, announcement):
    item = reg_fee(announcement)
    RegistrationFactory(round=announcement, registration_fee_item=item)
    response = admin_client.post(change_url(item), item_form(item, is_active=""))
    assert response.status_code == 200
    assert "有 1 份有效报名使用此费用项目" in response.content.decode()
    item.refresh_from_db()
    assert item.is_active

    admin_client.post(change_url(item), item_form(item, is_active="", confirm_deactivate="on"))
    item.refresh_from_db()
    assert not item.is_active


def test_a_second_registration_fee_for_the_same_level_and_type_is_refused(
    admin_client, announcement
):
    item = reg_fee(announcement)
    response = admin_client.post(
        reverse("admin:fees_feeitem_add"), item_form(item, amount="100.00")
    )
    assert response.status_code == 200
    assert "只能有一个报名费项目" in response.content.decode()
    assert FeeItem.objects.filter(round=announcement, kind="registration").count() == 4


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "-1"}, "0"),
        ({"amount": "12.345"}, "2"),
        ({"class_hours": "0"}, "学时须为正整数"),
    ],
)
def test_fee_item_validation(admin_client, announcement, changes, message):
    item = reg_fee(announcement)
    response = admin_client.post(change_url(item), item_form(item, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    item.refresh_from_db()
    assert item.amount == Decimal("320.00")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1e3", "不接受“1e3”"),
        ("999999.99", "不能超过 10000.00 元"),
        ("10000.01", "不能超过 10000.00 元"),
        ("0", "只有“在校生免费培训”的金额可以为 0 元"),
        ("320.5x", "金额"),
    ],
)
def test_absurd_fees_are_refused(admin_client, announcement, amount, message):
    item = reg_fee(announcement)
    response = admin_client.post(change_url(item), item_form(item, amount=amount))
    assert response.status_code == 200
    assert message in response.content.decode()
    item.refresh_from_db()
    assert item.amount == Decimal("320.00")


def test_the_upper_bound_itself_is_accepted_and_configurable(admin_client, announcement, settings):
    item = reg_fee(announcement)
    admin_client.post(change_url(item), item_form(item, amount="10000.00"))
    item.refresh_from_db()
    assert item.amount == Decimal("10000.00")
    settings.FEE_MAX_AMOUNT = Decimal("500")
    response = admin_client.post(change_url(item), item_form(item, amount="600"))
    assert "不能超过 500.00 元" in response.content.decode()


def test_a_fee_change_needs_a_reason_that_the_history_shows(admin_client, announcement):
    item = reg_fee(announcement)
    response = admin_client.post(
        change_url(item), item_form(item, amount="330.00", change_reason="")
    )
    assert "须填写修改原因" in response.content.decode()
    item.refresh_from_db()
    assert item.amount == Decimal("320.00")
    admin_client.post(change_url(item), item_form(item, amount="330.00", change_reason="调价"))
    assert item.history.first().history_change_reason == "调价"
    page = admin_client.get(reverse("admin:fees_feeitem_history", args=[item.pk]))
    html = page.content.decode()
    assert "调价" in html
    assert "变更内容" in html
    assert "Changes" not in html
    assert "None" not in html


def test_axes_admin_speaks_chinese(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "登录保护" in html
    assert "登录失败记录" in html
    assert "Axes" not in html
    assert "Access attempt" not in html


def test_device_cookie_admin_speaks_chinese(admin_client):
    html = admin_client.get(
        reverse("admin:device_cookies_failedauthenticationattempt_changelist")
    ).content.decode()
    assert "登录失败记录（按账号与浏览器）" in html
    assert "failed authentication attempt" not in html.lower()
    assert ">Device<" not in html and ">Key<" not in html
