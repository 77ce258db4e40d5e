"""Staff pages are never stored, and staff sessions end with the browser and when idle.

Counselors, 教务 and finance work on shared office PCs: the next person at the desk must not find
a roster in the browser's cache, nor a session that is still signed in the next morning.
"""

import datetime as dt
import os
import subprocess
import sys

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, override_settings

from config.settings.base import BASE_DIR
from registration.loaders import demo_load

PASSWORD = "kaowutong-demo"


@pytest.fixture
def demo(db):
    return demo_load(password=PASSWORD)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("counselor", "/counselor/"),
        ("counselor", "/counselor/export.xlsx"),
        ("counselor", "class"),
        ("counselor", "class-export"),
        ("counselor", "poster"),
        ("academic", "/counselor/"),
        ("academic", "/counselor/export.xlsx"),
        ("academic", "/stats/"),
        ("academic", "/stats/export.xlsx"),
        ("finance", "/finance/"),
        ("finance", "/finance/payments/"),
        ("finance", "/stats/"),
        ("admin", "/admin/"),
        ("admin", "/admin/registration/registration/"),
        ("counselor", "/accounts/password/change/"),
        # A public page seen by a signed-in user shows their name: not stored either.
        ("counselor", "/"),
        ("counselor", "/lookup/"),
    ],
)
def test_every_staff_page_and_export_is_not_stored(demo, who, path):
    school_class = demo["classes"][0]
    path = {
        "class": f"/counselor/classes/{school_class.pk}/",
        "class-export": f"/counselor/classes/{school_class.pk}/export.xlsx",
        "poster": f"/counselor/classes/{school_class.pk}/poster/",
    }.get(path, path)
    response = _signed_in(demo[who]).get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert _no_store(response), response.get("Cache-Control")
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/accounts/login/", "/counselor/", "/stats/", "/finance/"])
def test_staff_paths_are_not_stored_even_before_signing_in(db, path):
    assert _no_store(Client().get(path))


@pytest.mark.parametrize("path", ["/", "/register/", "/eligibility/"])
def test_public_pages_for_students_keep_their_caching(demo, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert not _no_store(response)


def _login(client: Client, username: str):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def test_staff_session_cookie_ends_with_the_browser(demo):
    client = Client()
    response = _login(client, "counselor")
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie.value
    # No Max-Age and no Expires: the browser forgets it when it closes.
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert client.get("/counselor/").status_code == 200


def test_admin_login_is_a_browser_session_too(demo):
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == ""


def test_staff_session_ends_after_the_idle_timeout(demo):
    start = dt.datetime(2026, 5, 11, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        assert _login(client, "counselor").status_code == 302
        assert client.get("/counselor/").status_code == 200
        # Used every 100 minutes, the session lives on: idle time counts from the last request.
        for _ in range(3):
            clock.shift(dt.timedelta(minutes=100))
            assert client.get("/counselor/").status_code == 200
        clock.shift(dt.timedelta(minutes=121))
        response = client.get("/counselor/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        # Signed out for good: the old session is gone, not merely hidden.
        assert client.get("/counselor/").status_code == 302


@override_settings(STAFF_SESSION_IDLE_MINUTES=5)
def test_idle_timeout_is_configurable(demo):
    start = dt.datetime(2026, 5, 11, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = _signed_in(demo["finance"])
        assert client.get("/finance/").status_code == 200
        clock.shift(dt.timedelta(minutes=4))
        assert client.get("/finance/").status_code == 200
        clock.shift(dt.timedelta(minutes=6))
        assert client.get("/finance/").status_code == 302


def test_idle_timeout_comes_from_the_environment():
    env = {**os.environ, "STAFF_SESSION_IDLE_MINUTES": "15"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config.settings import base; print(base.STAFF_SESSION_IDLE_MINUTES)",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "15", result.stderr
    env.pop("STAFF_SESSION_IDLE_MINUTES")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config.settings import base; print(base.STAFF_SESSION_IDLE_MINUTES)",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "120", result.stderr


def test_two_staff_sessions_time_out_independently(demo):
    start = dt.datetime(2026, 5, 11, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        busy, idle = _signed_in(demo["counselor"]), _signed_in(demo["academic"])
        assert busy.get("/counselor/").status_code == 200
        assert idle.get("/counselor/").status_code == 200
        for _ in range(2):
            clock.shift(dt.timedelta(minutes=70))
            assert busy.get("/counselor/").status_code == 200
        assert idle.get("/counselor/").status_code == 302
        assert busy.get("/counselor/").status_code == 200


def test_anonymous_sessions_are_left_alone(demo):
    start = dt.datetime(2026, 5, 11, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        session = client.session
        session["note"] = "kept"
        session.save()
        key = session.session_key
        clock.shift(dt.timedelta(hours=5))
        response = client.get("/lookup/")
        assert response.status_code == 200
        assert "sessionid" not in response.cookies  # not rewritten, not deleted
        stored = SessionStore(session_key=key)
        assert stored.get("note") == "kept"
        assert stored.get_expire_at_browser_close() is False


def test_a_login_outside_a_request_starts_a_staff_session_too(demo):
    # force_login (tests, scripts) before any request has loaded the middleware: the receiver
    # is connected when the app registry is ready, so the first request need not write the
    # session (query counts of staff pages stay what their tests pin).
    client = _signed_in(demo["counselor"])
    session = client.session
    assert isinstance(session.get("_kwt_staff_seen"), int)
    assert session.get_expire_at_browser_close() is True
