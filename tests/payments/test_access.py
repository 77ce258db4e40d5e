"""Staff access on a shared campus address: lock-outs per browser, account and address (the
attacks themselves are replayed in tests/accounts/test_login_throttle.py), unlock, landing pages
per role, and finance seeing masked personal data in admin."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_device_cookies.models import FailedAuthenticationAttempt

from accounts.roles import ACADEMIC_GROUP, COUNSELOR_GROUP, FINANCE_GROUP, user_role_add
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"
CAMPUS = "10.20.0.1"
HOME = "10.30.0.7"


def login(username, password=PASSWORD, *, address=CAMPUS):
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        reverse("registration:login"), {"username": username, "password": password}
    )
    return response


@pytest.fixture
def staff():
    users = {}
    for name, group in (
        ("wang", COUNSELOR_GROUP),
        ("jiaowu", ACADEMIC_GROUP),
        ("finance", FINANCE_GROUP),
    ):
        user = UserFactory(username=name)
        user.set_password(PASSWORD)
        user.save()
        user_role_add(user=user, group_name=group)
        users[name] = user
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    users["admin"] = admin
    return users


def test_a_student_guessing_one_account_does_not_lock_other_staff_on_the_same_address(staff):
    office = Client(REMOTE_ADDR=CAMPUS)  # wang's office browser: signed in here before
    assert (
        office.post(
            reverse("registration:login"), {"username": "wang", "password": PASSWORD}
        ).status_code
        == 302
    )
    office.post(reverse("registration:logout"))
    for _ in range(5):
        login("wang", "wrong")
    # Unknown browsers are locked for that account, wherever they are (OWASP's device cookies:
    # before, only this address was, so anyone elsewhere could keep guessing) ...
    assert login("wang").status_code == 429
    assert login("wang", address=HOME).status_code == 429
    # ... while wang's own browser, behind the same campus address, signs in ...
    assert (
        office.post(
            reverse("registration:login"), {"username": "wang", "password": PASSWORD}
        ).status_code
        == 302
    )
    # ... and the other accounts are unaffected.
    assert login("jiaowu").status_code == 302
    assert login("admin").status_code == 302


def test_failures_spread_over_many_accounts_lock_none_of_them(staff):
    for name in ("wang", "jiaowu", "finance", "admin"):
        for _ in range(4):
            login(name, "wrong")
    assert all(login(name).status_code == 302 for name in ("wang", "jiaowu", "finance"))


def test_an_admin_unlocks_an_account_from_admin(staff):
    for _ in range(5):
        login("wang", "wrong")
    assert login("wang").status_code == 429
    admin = Client()
    admin.force_login(staff["admin"])
    url = reverse("admin:device_cookies_failedauthenticationattempt_changelist")
    page = admin.get(url).content.decode()
    assert "解除所选记录对应的登录锁定" in page
    assert "未登录过的浏览器" in page
    rows = list(FailedAuthenticationAttempt.objects.filter(user=staff["wang"]))
    assert len(rows) == 5
    response = admin.post(
        url,
        {"action": "unlock_action", "_selected_action": [row.pk for row in rows]},
        follow=True,
    )
    assert "已删除 5 条失败记录" in response.content.decode()
    assert login("wang").status_code == 302


def test_an_admin_unlocks_an_address_from_admin(staff, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        login(f"nobody{i}", "wrong")
    assert login("wang").status_code == 429
    admin = Client()
    admin.force_login(staff["admin"])
    page = admin.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "解除所选地址的锁定" in page
    attempts = list(AccessAttempt.objects.filter(ip_address=CAMPUS))
    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock_action", "_selected_action": [a.pk for a in attempts]},
        follow=True,
    )
    assert f"已解除 {len(attempts)} 条锁定记录" in response.content.decode()
    assert login("wang").status_code == 302


@pytest.mark.parametrize(
    ("username", "landing"),
    [
        ("wang", "registration:counselor_dashboard"),
        ("jiaowu", "registration:counselor_dashboard"),
        ("finance", "fees:finance_home"),
        ("admin", "registration:counselor_dashboard"),
    ],
)
def test_each_role_lands_on_its_own_workspace(staff, username, landing):
    response = login(username)
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)


def test_staff_without_a_workspace_lands_in_admin(staff):
    user = UserFactory(username="clerk", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    assert login("clerk")["Location"] == reverse("admin:index")


def test_finance_in_admin_sees_masked_id_numbers_and_phones(staff):
    finance = staff["finance"]
    finance.is_staff = True
    finance.save()
    registration = RegistrationFactory(phone="13812345678")
    registration.phone = "13912345678"
    registration.save()  # a history row with a phone change
    client = Client()
    client.force_login(finance)
    url = reverse("admin:registration_registration_change", args=[registration.pk])
    page = client.get(url).content.decode()
    assert registration.masked_id_number in page
    assert registration.id_number not in page
    assert "13912345678" not in page and "139****5678" in page
    history = client.get(
        reverse("admin:registration_registration_history", args=[registration.pk])
    ).content.decode()
    assert "13812345678" not in history and "13912345678" not in history
    version = registration.history.first().history_id
    old = client.get(
        reverse("admin:registration_registration_simple_history", args=[registration.pk, version])
    )
    assert old.status_code == 403

    admin = Client()
    admin.force_login(staff["admin"])
    assert registration.id_number in admin.get(url).content.decode()
