"""Staff sign-in attacks replayed with separate browsers (cookie jars) behind one campus address:
the device-cookie scheme (a browser that signed in before keeps its own counter), the shared
counter of unknown browsers per account, the cap per address across accounts, and the lock page.
"""

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django_device_cookies.models import FailedAuthenticationAttempt

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"
CAMPUS = "10.20.0.1"
ELSEWHERE = "10.30.0.7"


def age_failures(*, minutes: int, seconds: int = 0) -> None:
    """Move every recorded failure back in time (django-device-cookies compares with the
    database's clock, which time-machine cannot move)."""
    delta = dt.timedelta(minutes=minutes, seconds=seconds)
    FailedAuthenticationAttempt.objects.update(time=F("time") - delta)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)


def browser(address=CAMPUS) -> Client:
    return Client(REMOTE_ADDR=address)


def login(client, username, password=PASSWORD, *, url=None):
    return client.post(
        url or reverse("registration:login"), {"username": username, "password": password}
    )


def staff(name):
    user = UserFactory(username=name, is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def known_browser(user, address=CAMPUS) -> Client:
    """The counselor's office browser: it signed in once (and signed out), so it carries the
    account's device cookie."""
    client = browser(address)
    assert login(client, user.username).status_code == 302
    assert any(name.startswith(settings.DEVICE_COOKIE_NAME) for name in client.cookies)
    client.post(reverse("registration:logout"))
    return client


def test_a_known_browser_signs_in_while_an_attacker_on_the_same_address_fails_many_times():
    counselor = staff("wang")
    office = known_browser(counselor)
    attacker = browser()  # same campus address, its own cookie jar
    answers = [login(attacker, "wang", "wrong").status_code for _ in range(8)]
    assert answers[:5] == [200] * 5
    assert answers[5:] == [429] * 3  # unknown browsers are locked for this account ...
    assert login(attacker, "wang").status_code == 429  # ... even with the right password
    # ... but the counselor's own browser, behind the same address, signs in.
    assert login(office, "wang").status_code == 302


def test_control_without_a_device_cookie_the_counselor_is_locked_out_too():
    """The control: a browser that never signed in is what the attack locks out."""
    staff("wang")
    attacker = browser()
    for _ in range(5):
        login(attacker, "wang", "wrong")
    assert login(browser(), "wang").status_code == 429
    assert login(browser(ELSEWHERE), "wang").status_code == 429


def test_a_known_browser_has_its_own_counter_and_locks_only_itself():
    counselor = staff("wang")
    office = known_browser(counselor)
    for _ in range(5):
        assert login(office, "wang", "wrong").status_code == 200
    locked = login(office, "wang")
    assert locked.status_code == 429
    assert "本浏览器已暂时不能登录该账号" in locked.content.decode()
    # A failing office browser leaves every other browser alone.
    assert login(browser(), "wang").status_code == 302


def test_a_forged_or_foreign_device_cookie_counts_as_an_unknown_browser():
    wang, li = staff("wang"), staff("li")
    office = known_browser(li)  # a device cookie for another account
    cookie = next(c for c in office.cookies.values() if c.key.startswith("kwt_device"))
    attacker = browser()
    attacker.cookies[f"{settings.DEVICE_COOKIE_NAME}_forged"] = "x" * 40
    attacker.cookies[cookie.key] = cookie.value
    for _ in range(5):
        login(attacker, wang.username, "wrong")
    assert login(attacker, wang.username).status_code == 429


def test_an_address_spraying_passwords_across_accounts_is_capped():
    """Before: 4 wrong passwords on every account every 15 minutes, without end."""
    names = [f"staff{i}" for i in range(8)]
    for name in names:
        staff(name)
    sprayer = browser()
    statuses = [
        login(sprayer, name, "wrong").status_code for name in names for _attempt in range(3)
    ]
    cap = settings.AXES_FAILURE_LIMIT
    # The failure that reaches the cap is answered with the lock page already.
    assert statuses[: cap - 1] == [200] * (cap - 1)
    assert set(statuses[cap - 1 :]) == {429}
    page = login(browser(), "staff7").content.decode()  # any unknown browser on that address
    assert "您所在的网络地址登录失败过多" in page
    # No single account reached its own limit: the cap is what stopped the spray.
    assert not any(
        FailedAuthenticationAttempt.objects.filter(user__username=name).count()
        >= settings.DEVICE_COOKIE_ATTEMPTS_PER_PERIOD
        for name in names
    )


def test_a_forged_forwarded_for_header_does_not_escape_the_address_cap():
    for i in range(5):
        staff(f"staff{i}")
    for i in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR=CAMPUS, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").post(
            reverse("registration:login"), {"username": f"staff{i % 5}", "password": "wrong"}
        )
    assert login(browser(), "staff0").status_code == 429


def test_a_capped_address_still_lets_known_browsers_in_and_other_addresses_too():
    office_user = staff("wang")
    office = known_browser(office_user)
    for name in [f"staff{i}" for i in range(7)]:
        staff(name)
    sprayer = browser()
    for i in range(settings.AXES_FAILURE_LIMIT):
        login(sprayer, f"staff{i % 7}", "wrong")
    assert login(browser(), "staff0").status_code == 429
    assert login(office, "wang").status_code == 302  # known browser, same address
    assert login(browser(ELSEWHERE), "staff0").status_code == 302  # unknown, elsewhere


def test_the_address_cap_ends_after_the_cool_off_and_retries_do_not_extend_it():
    for i in range(5):
        staff(f"staff{i}")
    sprayer = browser()
    for i in range(settings.AXES_FAILURE_LIMIT):
        login(sprayer, f"staff{i % 5}", "wrong")
    age_failures(minutes=10)
    assert login(sprayer, "staff0", "wrong").status_code == 429  # a retry while locked
    age_failures(minutes=5, seconds=1)
    assert login(browser(), "staff0").status_code == 302


def test_retries_during_an_account_lock_out_do_not_extend_it():
    staff("wang")
    attacker = browser()
    for _ in range(5):
        login(attacker, "wang", "wrong")
    age_failures(minutes=10)
    for _ in range(3):
        assert login(attacker, "wang", "wrong").status_code == 429
    age_failures(minutes=5, seconds=1)
    assert login(browser(), "wang").status_code == 302


def test_the_lock_page_says_what_is_locked_until_when_and_that_retries_do_not_extend_it():
    staff("wang")
    attacker = browser()
    for _ in range(5):
        login(attacker, "wang", "wrong")
    page = login(attacker, "wang").content.decode()
    assert "账号“wang”在未登录过该账号的浏览器上 15 分钟内密码错误 5 次" in page
    assert "不会延长锁定时间" in page
    assert "重新计时" not in page  # the old page said retries restart the lock
    until = re.search(r"锁定于 <strong>(\d\d:\d\d)</strong> 自动解除", page)
    assert until, page
    first = FailedAuthenticationAttempt.objects.order_by("time").first().time
    from django.utils import timezone

    expected = timezone.localtime(first + settings.DEVICE_COOKIE_PERIOD).strftime("%H:%M")
    assert until.group(1) == expected


def test_admin_sign_in_gets_the_same_lock_page():
    staff("boss")
    attacker = browser()
    for _ in range(5):
        login(attacker, "boss", "wrong", url="/admin/login/")
    response = login(attacker, "boss", url="/admin/login/")
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()


def test_the_login_page_states_the_policy_as_configured(client):
    page = client.get(reverse("registration:login")).content.decode()
    assert "15 分钟内输错 5 次密码" in page
