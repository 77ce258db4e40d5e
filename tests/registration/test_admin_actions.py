import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from registration.ledger.models import Payment
from rounds.models import ExamRound
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

ITEM = "电子商务师三级/高级工考试报名费"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def run_action(client, action, registrations, **extra):
    return client.post(
        reverse("admin:registration_registration_changelist"),
        {"action": action, "_selected_action": [r.pk for r in registrations], **extra},
        follow=action != "export_action",
    )


def test_bulk_confirm(admin_client):
    registrations = RegistrationFactory.create_batch(2)
    response = run_action(admin_client, "confirm_action", registrations)
    assert "已确认 2 份报名" in response.content.decode()
    for registration in registrations:
        registration.refresh_from_db()
        assert registration.review_status == "confirmed"


def test_bulk_mark_paid_records_each_unpaid_charge_item_once(admin_client):
    registration = RegistrationFactory(
        quoted_charge_items=[{"kind": "报名费", "name": ITEM, "amount": "320.00"}]
    )
    run_action(admin_client, "mark_paid_action", [registration])
    run_action(admin_client, "mark_paid_action", [registration])
    registration.refresh_from_db()
    assert registration.payment_status == "paid"
    assert registration.paid_amount == Decimal("320.00")
    assert Payment.objects.filter(registration=registration).count() == 1


def test_bulk_export_selected_keeps_ids_as_text(admin_client):
    registrations = RegistrationFactory.create_batch(3)
    registrations[0].name = "=HYPERLINK(1)"
    registrations[0].save()
    response = run_action(admin_client, "export_action", registrations[:2])
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    header = rows[0]
    ids = {row[header.index("身份证号")] for row in rows[1:]}
    assert ids == {r.id_number for r in registrations[:2]}
    names = {row[header.index("姓名")] for row in rows[1:]}
    assert "=HYPERLINK(1)" in names  # stored as text, not as a formula
    cell = next(c for c in sheet.iter_rows(min_row=2) for c in c if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"


def test_clone_round_through_admin(admin_client, announcement):
    response = admin_client.post(
        reverse("admin:rounds_examround_changelist"),
        {"action": "clone_action", "_selected_action": [announcement.pk]},
    )
    clone_url = reverse("admin:rounds_examround_clone", args=[announcement.pk])
    assert response["Location"] == clone_url
    form_page = admin_client.get(clone_url)
    assert "报名记录不会复制" in form_page.content.decode()

    bad = admin_client.post(
        clone_url,
        {
            "title": "下半年",
            "slug": announcement.slug,
            "registration_deadline": "2022-10-20",
            "exam_period": "2022年11月",
        },
    )
    assert "已被使用" in bad.content.decode()
    assert ExamRound.objects.count() == 1

    admin_client.post(
        clone_url,
        {
            "title": "2022年下半年电子商务师",
            "slug": "dzsws-2022-2",
            "registration_opens": "2022-09-01",
            "registration_deadline": "2022-10-20",
            "exam_period": "2022年11月下旬",
        },
    )
    copy = ExamRound.objects.get(slug="dzsws-2022-2")
    assert copy.is_published is False
    assert copy.registration_deadline == dt.date(2022, 10, 20)
    assert copy.fee_items.count() == 9
