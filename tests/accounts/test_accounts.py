import pytest
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "pass-word-123"


def _login(client, username, password):
    return client.post(reverse("registration:login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_login_page_is_in_chinese(client):
    content = client.get(reverse("registration:login")).content.decode()
    assert "辅导员 / 教务登录" in content
    assert "用户名" in content and "密码" in content


@pytest.mark.django_db
def test_counselor_login_lands_on_the_dashboard(client, counselor):
    response = _login(client, counselor.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:counselor_dashboard")


@pytest.mark.django_db
def test_login_honours_a_safe_next_and_refuses_an_external_one(client, counselor, own_class):
    url = reverse("registration:login")
    target = reverse("registration:counselor_class", args=[own_class.pk])
    response = client.post(
        url, {"username": counselor.username, "password": PASSWORD, "next": target}
    )
    assert response["Location"] == target
    client.logout()
    response = client.post(
        url, {"username": counselor.username, "password": PASSWORD, "next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("registration:counselor_dashboard")


@pytest.mark.django_db
def test_wrong_password_shows_a_chinese_error(client, counselor):
    response = _login(client, counselor.username, "wrong")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


@pytest.mark.django_db
def test_four_failures_still_allow_the_right_password(client, counselor):
    for _ in range(4):
        assert _login(client, counselor.username, "wrong").status_code == 200
    assert _login(client, counselor.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_five_failures_lock_the_username_even_with_the_right_password(client, counselor):
    for _ in range(5):
        _login(client, counselor.username, "wrong")
    response = _login(client, counselor.username, PASSWORD)
    assert response.status_code == 429
    content = response.content.decode()
    assert "登录已暂时锁定" in content and "15 分钟" in content
    assert "_auth_user_id" not in client.session


def _lock_then_wait(client, counselor, minutes, seconds):
    from tests.accounts.test_login_throttle import age_failures

    for _ in range(5):
        _login(client, counselor.username, "wrong")
    # django-device-cookies compares failure times with the database's clock: age the records.
    age_failures(minutes=minutes, seconds=seconds)
    return _login(client, counselor.username, PASSWORD)


@pytest.mark.django_db
def test_lockout_holds_just_before_the_cool_off_ends(client, counselor):
    assert _lock_then_wait(client, counselor, 14, 59).status_code == 429


@pytest.mark.django_db
def test_lockout_ends_just_after_the_cool_off(client, counselor):
    assert _lock_then_wait(client, counselor, 15, 1).status_code == 302


@pytest.mark.django_db
def test_admin_login_is_throttled_too(client, counselor):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": admin.username, "password": "wrong"})
    response = client.post("/admin/login/", {"username": admin.username, "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.django_db
def test_logout_needs_post_and_returns_to_login(client, counselor):
    client.force_login(counselor)
    response = client.post(reverse("registration:logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("registration:login")
    assert "您已安全退出" in response.content.decode()
    assert client.get(reverse("registration:counselor_dashboard")).status_code == 302


@pytest.mark.django_db
def test_password_change_in_chinese(client, counselor):
    client.force_login(counselor)
    url = reverse("registration:password_change")
    assert "修改密码" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "x1-Lanzhou-2026",
            "new_password2": "x1-Lanzhou-2026",
        },
    )
    assert response["Location"] == reverse("registration:password_change_done")
    counselor.refresh_from_db()
    assert counselor.check_password("x1-Lanzhou-2026")


@pytest.mark.django_db
def test_password_change_requires_login(client):
    response = client.get(reverse("registration:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
