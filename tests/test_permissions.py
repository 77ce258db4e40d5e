"""The permission matrix of docs/roles.md, page by page and role by role."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import roles
from fees.models import FeeItem
from tests.factories import SchoolClassFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN, FORBIDDEN, OK = "login", 403, 200
ROLES = ["anonymous", "counselor", "academic", "finance", "finance_staff", "superuser"]


def make_user(role: str):
    if role == "anonymous":
        return None
    if role == "superuser":
        return UserFactory(username="root", is_staff=True, is_superuser=True)
    group = {
        "counselor": roles.COUNSELOR_GROUP,
        "academic": roles.ACADEMIC_GROUP,
        "finance": roles.FINANCE_GROUP,
        "finance_staff": roles.FINANCE_GROUP,
    }[role]
    user = UserFactory(username=role, is_staff=role == "finance_staff")
    roles.roles_setup()
    user.groups.add(Group.objects.get(name=group))
    return user


def fee_item_id():
    return FeeItem.objects.values_list("pk", flat=True).first()


PAGES = {
    "workspace": (lambda: reverse("registration:counselor_dashboard"), "GET"),
    "finance": (lambda: reverse("fees:finance_home"), "GET"),
    "finance_payments": (lambda: reverse("fees:registration_payment"), "GET"),
    "stats": (lambda: reverse("fees:statistics"), "GET"),
    "stats_export": (lambda: reverse("fees:statistics_export"), "GET"),
    "admin_index": (lambda: reverse("admin:index"), "GET"),
    "admin_registrations": (lambda: reverse("admin:registration_registration_changelist"), "GET"),
    "admin_fee_items": (lambda: reverse("admin:fees_feeitem_changelist"), "GET"),
    "admin_fee_item_view": (
        lambda: reverse("admin:fees_feeitem_change", args=[fee_item_id()]),
        "GET",
    ),
    "admin_fee_item_change": (
        lambda: reverse("admin:fees_feeitem_change", args=[fee_item_id()]),
        "POST",
    ),
    "admin_rules": (lambda: reverse("admin:eligibility_eligibilitycondition_changelist"), "GET"),
    "admin_fee_item_history": (
        lambda: reverse("admin:fees_feeitem_history", args=[fee_item_id()]),
        "GET",
    ),
}

MATRIX = {
    # page: anonymous, counselor, academic, finance, finance_staff, superuser
    "workspace": [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, OK],
    "finance": [LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK],
    "finance_payments": [LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK],
    "stats": [LOGIN, FORBIDDEN, OK, OK, OK, OK],
    "stats_export": [LOGIN, FORBIDDEN, OK, OK, OK, OK],
    "admin_index": [LOGIN, LOGIN, LOGIN, LOGIN, OK, OK],
    "admin_registrations": [LOGIN, LOGIN, LOGIN, LOGIN, OK, OK],
    "admin_fee_items": [LOGIN, LOGIN, LOGIN, LOGIN, OK, OK],
    "admin_fee_item_view": [LOGIN, LOGIN, LOGIN, LOGIN, OK, OK],
    "admin_fee_item_change": [LOGIN, LOGIN, LOGIN, LOGIN, FORBIDDEN, OK],
    "admin_rules": [LOGIN, LOGIN, LOGIN, LOGIN, FORBIDDEN, OK],
    "admin_fee_item_history": [LOGIN, LOGIN, LOGIN, LOGIN, OK, OK],
}

CASES = [
    (page, role, expected)
    for page, row in MATRIX.items()
    for role, expected in zip(ROLES, row, strict=True)
]


@pytest.mark.parametrize(("page", "role", "expected"), CASES)
def test_permission_matrix(client, announcement, page, role, expected):
    user = make_user(role)
    if user is not None:
        client.force_login(user)
        if role == "counselor":
            SchoolClassFactory(counselor=user)
    url_of, method = PAGES[page]
    url = url_of()
    if method == "POST":
        amount_before = FeeItem.objects.get(pk=fee_item_id()).amount
        response = client.post(url, {"amount": "1.00"})
    else:
        response = client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert "login" in response["Location"]
    elif expected == OK and method == "POST":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == expected
    if method == "POST" and expected != OK:
        assert FeeItem.objects.get(pk=fee_item_id()).amount == amount_before


def test_docs_show_the_same_matrix():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "roles.md").read_text()
    assert (
        "| `/finance/` payment lists, `/finance/payments/` | login | 403 | 403 | 200 | 200 | 200 |"
        in text
    )
    assert "| admin: change a fee item | login | login | login | login | 403 | 200 |" in text
