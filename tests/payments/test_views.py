import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from jobs.models import Job
from registration.ledger.models import Payment, PaymentImport
from tests.factories import RegistrationFactory, UserFactory
from tests.payments.test_imports import ITEM3, registration, xlsx

pytestmark = pytest.mark.django_db

FINANCE_PERMISSIONS = [
    "add_paymentimport",
    "view_paymentimport",
    "add_payment",
    "view_payment",
    "view_statistics",
]


def user_with(*codenames, username="staff"):
    user = UserFactory(username=username)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def finance_client(client):
    client.force_login(user_with(*FINANCE_PERMISSIONS, username="finance"))
    return client


@pytest.mark.parametrize(
    "name",
    ["fees:finance_home", "fees:registration_payment", "fees:statistics", "fees:statistics_export"],
)
def test_finance_pages_send_anonymous_visitors_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "name",
    ["fees:finance_home", "fees:registration_payment", "fees:statistics", "fees:statistics_export"],
)
def test_finance_pages_refuse_users_without_the_permission(client, name):
    client.force_login(UserFactory(username="counselor-x"))
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


def test_upload_previews_then_applies_once(finance_client, django_capture_on_commit_callbacks):
    target = registration()
    content = xlsx([[target.id_number, 320, dt.date(2022, 5, 19), ITEM3]])
    upload = io.BytesIO(content)
    upload.name = "缴费名单.xlsx"
    response = finance_client.post(reverse("fees:finance_home"), {"file": upload})
    payment_import = PaymentImport.objects.get()
    assert response["Location"] == reverse("fees:import_detail", kwargs={"pk": payment_import.pk})
    page = finance_client.get(response["Location"]).content.decode()
    assert "匹配，可入账" in page
    assert target.id_number not in page  # masked in the preview
    assert target.masked_id_number in page
    assert not Payment.objects.exists()

    apply_url = reverse("fees:import_apply", kwargs={"pk": payment_import.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = finance_client.post(apply_url)
    # The booking runs on the task queue (immediate in tests); the answer is its progress page.
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    page = finance_client.get(response["Location"]).content.decode()
    assert "已入账 1 笔缴费。" in page
    target.refresh_from_db()
    assert target.payment_status == "paid"
    response = finance_client.post(apply_url, follow=True)
    assert "不能重复入账" in response.content.decode()
    assert Payment.objects.count() == 1


def test_a_duplicate_row_is_booked_only_when_finance_ticks_it(
    finance_client, django_capture_on_commit_callbacks
):
    target = registration()
    day = dt.date(2022, 5, 19)
    upload = io.BytesIO(xlsx([[target.id_number, 160, day, ITEM3]] * 2))
    upload.name = "缴费名单.xlsx"
    response = finance_client.post(reverse("fees:finance_home"), {"file": upload})
    page = finance_client.get(response["Location"]).content.decode()
    assert 'name="include_duplicates"' in page
    assert "文件内重复" in page
    apply_url = reverse("fees:import_apply", kwargs={"pk": PaymentImport.objects.get().pk})
    with django_capture_on_commit_callbacks(execute=True):
        finance_client.post(apply_url, {"include_mismatched": "on", "include_duplicates": "on"})
    target.refresh_from_db()
    assert Payment.objects.filter(registration=target).count() == 2
    assert target.payment_status == "paid"


def test_upload_of_a_malformed_file_shows_the_reason_and_writes_nothing(finance_client):
    upload = io.BytesIO(b"id,amount\n1,2\n")
    upload.name = "list.xlsx"
    response = finance_client.post(reverse("fees:finance_home"), {"file": upload})
    assert response.status_code == 200
    assert "不是有效的 Excel" in response.content.decode()
    assert not PaymentImport.objects.exists()


def test_upload_of_a_non_xlsx_name_is_refused(finance_client):
    upload = io.BytesIO(b"whatever")
    upload.name = "list.csv"
    response = finance_client.post(reverse("fees:finance_home"), {"file": upload})
    assert ".xlsx" in response.content.decode()


def _pay(client, target, amount, *, day="2022-05-19", note="", confirm=False):
    data = {
        "number": target.number,
        "action": "pay",
        "charge_item_name": ITEM3,
        "amount": amount,
        "paid_on": day,
        "method": "cash",
        "note": note,
    }
    if confirm:
        data["confirm_mismatch"] = "on"
    return client.post(reverse("fees:registration_payment"), data)


def test_manual_payment_and_refund(finance_client):
    target = registration()
    url = reverse("fees:registration_payment")
    page = finance_client.get(url, {"number": target.number}).content.decode()
    assert target.masked_id_number in page
    _pay(finance_client, target, "320.00")
    target.refresh_from_db()
    assert target.payment_status == "paid"
    finance_client.post(
        url,
        {
            "number": target.number,
            "action": "refund",
            "amount": "320.00",
            "refunded_on": "2022-05-20",
            "method": "transfer",
            "note": "退考",
        },
    )
    target.refresh_from_db()
    assert target.payment_status == "refunded"
    assert Payment.objects.get(kind="refund").note == "退考"


def test_one_yuan_against_320_needs_a_confirmation_and_a_note(finance_client):
    target = registration()
    response = _pay(finance_client, target, "1.00")
    assert "与该项目应缴 320.00 元不符" in response.content.decode()
    assert not Payment.objects.exists()
    response = _pay(finance_client, target, "1.00", confirm=True)
    assert "请在备注中写明原因" in response.content.decode()
    assert not Payment.objects.exists()
    _pay(finance_client, target, "1.00", confirm=True, note="先交1元")
    target.refresh_from_db()
    assert target.payment_status == "partial"
    assert target.get_payment_status_display() == "部分缴费"


def test_a_payment_dated_in_the_future_is_refused(finance_client):
    target = registration()
    response = _pay(finance_client, target, "320.00", day="2030-01-01")
    assert "日期不能晚于今天" in response.content.decode()
    assert not Payment.objects.exists()


def test_refund_of_money_never_received_is_refused(finance_client):
    target = registration()
    response = finance_client.post(
        reverse("fees:registration_payment"),
        {
            "number": target.number,
            "action": "refund",
            "amount": "320.00",
            "refunded_on": "2022-05-20",
            "method": "transfer",
            "note": "退考",
        },
    )
    assert "没有已收未退的款项" in response.content.decode()
    target.refresh_from_db()
    assert target.payment_status == "unpaid"
    assert not Payment.objects.exists()


def test_lookup_of_a_cancelled_registration_says_so_and_takes_no_payment(finance_client):
    target = registration(status="cancelled")
    page = finance_client.get(
        reverse("fees:registration_payment"), {"number": target.number}
    ).content.decode()
    assert "报名已取消" in page
    assert 'id="pay-form"' not in page
    _pay(finance_client, target, "320.00")
    assert not Payment.objects.exists()


def test_lookup_shows_refund_due_for_money_held_by_a_cancelled_registration(finance_client):
    from registration.services.submission import registration_cancel_by_staff

    target = registration()
    _pay(finance_client, target, "320.00")
    registration_cancel_by_staff(registration=target)
    page = finance_client.get(
        reverse("fees:registration_payment"), {"number": target.number}
    ).content.decode()
    assert '<strong id="payment-status">待退费</strong>' in page
    assert 'id="refund-form"' in page


def test_preview_lists_bad_rows_with_reasons_and_books_the_good_ones(
    finance_client, django_capture_on_commit_callbacks
):
    good, cancelled = registration(), registration(status="cancelled")
    content = xlsx(
        [
            [good.id_number, "¥320", "2022年5月19日", ITEM3],
            [420111200203147000, 320, "2022-05-19", ITEM3],
            [cancelled.id_number, 320, 44700, ITEM3],
        ]
    )
    upload = io.BytesIO(content)
    upload.name = "list.xlsx"
    response = finance_client.post(reverse("fees:finance_home"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "第3行" in page
    assert "身份证号被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新导出" in page
    assert "报名已取消：入账后待退费" in page
    payment_import = PaymentImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        finance_client.post(reverse("fees:import_apply", args=[payment_import.pk]))
    good.refresh_from_db()
    cancelled.refresh_from_db()
    assert good.payment_status == "paid"
    assert cancelled.payment_status == "refund_due"
    assert Payment.objects.count() == 2


def test_statistics_figures_and_export(finance_client, announcement):
    for level_code, fee in ((3, "320.00"), (3, "320.00"), (4, "260.00")):
        reg = RegistrationFactory(
            round=announcement,
            level=announcement.levels.get(code=level_code),
            quoted_registration_fee=Decimal(fee),
            quoted_charge_items=[{"kind": "报名费", "name": f"项目{level_code}", "amount": fee}],
        )
    Payment.objects.create(
        registration=reg,
        charge_item_name="项目4",
        amount=Decimal("260.00"),
        paid_on=dt.date(2022, 5, 19),
        source="manual",
        recorded_by=UserFactory(username="cashier"),
    )
    response = finance_client.get(reverse("fees:statistics"), {"session": announcement.slug})
    stats = response.context["stats"]
    assert stats.total == 3
    assert dict(stats.by_level) == {"三级/高级工": 2, "四级/中级工": 1}
    assert stats.expected_total == Decimal("900.00")
    assert stats.received_total == Decimal("260.00")
    page = response.content.decode()
    assert "900.00 / 260.00" in page
    # The round picker lists the rounds, this one selected.
    assert f'<option value="{announcement.slug}" selected>' in page

    export = finance_client.get(reverse("fees:statistics_export"), {"session": announcement.slug})
    assert "filename*=UTF-8''" in export["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(export.content))
    assert workbook.sheetnames == ["按等级", "按专业", "按班级", "按日期", "考生类别", "收费项目"]
    rows = list(workbook["收费项目"].iter_rows(values_only=True))
    assert rows[0][:3] == ("收费项目", "应缴人数", "应收（元）")
    assert ("项目4", 1, 260, 1, 260, 0) in [tuple(r) for r in rows[1:]]


def test_statistics_query_count_does_not_grow(
    finance_client, announcement, django_assert_max_num_queries
):
    def count_queries():
        with django_assert_max_num_queries(50) as captured:
            finance_client.get(reverse("fees:statistics"), {"session": announcement.slug})
        return len(captured.captured_queries)

    RegistrationFactory.create_batch(2, round=announcement)
    few = count_queries()
    RegistrationFactory.create_batch(20, round=announcement)
    assert count_queries() == few


def test_the_lookup_page_query_count_does_not_grow_with_the_ledger(
    finance_client, django_assert_max_num_queries
):
    target = registration()
    url = reverse("fees:registration_payment")

    def count_queries():
        with django_assert_max_num_queries(40) as captured:
            assert finance_client.get(url, {"number": target.number}).status_code == 200
        return len(captured.captured_queries)

    _pay(finance_client, target, "1.00", confirm=True, note="一")
    few = count_queries()
    for _ in range(5):
        _pay(finance_client, target, "1.00", confirm=True, note="再一")
    assert Payment.objects.count() == 6
    assert count_queries() == few
