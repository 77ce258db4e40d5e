from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from fees.models import FeeItem
from registration.models import Registration
from registration.services import submission
from rounds.models import ExamRound
from tests.factories import UserFactory
from tests.registration.test_submission import student_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def fee(exam_round) -> FeeItem:
    return FeeItem.objects.get(
        round=exam_round, level__code=3, candidate_type="student", kind="registration"
    )


def test_admin_fee_change_is_recorded_with_who_when_and_what(admin_client, root, announcement):
    item = fee(announcement)
    from tests.fees.test_admin import item_form

    admin_client.post(
        reverse("admin:fees_feeitem_change", args=[item.pk]), item_form(item, amount="330.00")
    )
    latest, previous = item.history.all()[:2]
    assert latest.history_user == root
    assert latest.history_type == "~"
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("amount", Decimal("320.00"), Decimal("330.00"))
    ]
    page = admin_client.get(reverse("admin:fees_feeitem_history", args=[item.pk]))
    assert page.status_code == 200
    assert "330" in page.content.decode()


def test_registration_changes_are_recorded_without_the_secret_token(
    announcement, sophomore_class, during_round
):
    registration = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input()
    )
    submission.registration_update(registration=registration, data=student_input(name="李雷"))
    submission.registration_cancel(registration=registration)
    history = list(Registration.history.filter(id=registration.pk).order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~", "~"]
    assert [h.name for h in history] == ["张三", "李雷", "李雷"]
    assert history[-1].status == "cancelled"
    assert not hasattr(history[0], "token")


def test_session_and_rule_edits_are_recorded(announcement):
    announcement.exam_location = "实训楼301"
    announcement.save()
    assert announcement.history.first().exam_location == "实训楼301"
    assert announcement.history.count() >= 2


def test_history_cannot_be_edited_or_reverted_through_admin(admin_client, announcement):
    item = fee(announcement)
    item.amount = Decimal("330.00")
    item.save()
    old_version = item.history.order_by("history_date").first()
    url = reverse("admin:fees_feeitem_simple_history", args=[item.pk, old_version.history_id])
    assert admin_client.get(url).status_code == 200
    from tests.fees.test_admin import item_form

    response = admin_client.post(url, item_form(item, amount="320.00"))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.amount == Decimal("330.00")


def test_no_historical_model_has_an_admin_page():
    assert not [m for m in admin.site._registry if m.__name__.startswith("Historical")]


@pytest.mark.parametrize(
    "name",
    [
        "admin:rounds_examround_history",
        "admin:registration_registration_history",
        "admin:fees_feeitem_history",
    ],
)
def test_history_pages_open(admin_client, announcement, name):
    obj = {
        "admin:rounds_examround_history": lambda: announcement,
        "admin:registration_registration_history": lambda: Registration.objects.create(
            round=announcement,
            number="X1",
            level=announcement.levels.first(),
            name="甲",
            id_number="11010519491231002X",
            gender="F",
            birth_date="1949-12-31",
            ethnicity="汉族",
            phone="13800138000",
            consent_at="2022-05-10T10:00:00+08:00",
        ),
        "admin:fees_feeitem_history": lambda: fee(announcement),
    }[name]()
    assert admin_client.get(reverse(name, args=[obj.pk])).status_code == 200
    assert ExamRound.objects.exists()


def test_eligibility_rule_edit_in_admin_is_recorded(admin_client, root, announcement):
    from eligibility.models import EligibilityCondition

    condition = EligibilityCondition.objects.get(round=announcement, code="L4-1")
    condition.min_years = 2
    condition._history_user = root
    condition.save()
    latest = condition.history.first()
    assert latest.min_years == 2
    assert latest.history_user == root
    page = admin_client.get(
        reverse("admin:eligibility_eligibilitycondition_history", args=[condition.pk])
    )
    assert page.status_code == 200
