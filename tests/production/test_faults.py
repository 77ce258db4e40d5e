"""PostgreSQL or Redis lost under a running app node: friendly 503, nothing half-saved, recovery.

The node reaches both services through TCP proxies that the test cuts and restores (the machine's
real services are shared and must keep running). A cut drops every open connection and refuses
new ones, which is what the app sees when the server dies or the network to it goes away.
"""

import json
import random
import time
import uuid

import pytest
from django.db import connection

from registration.models import Registration
from registration.ratelimits import LOOKUP_LIMIT_PER_ID
from tests.idnumbers import make_id_number
from tests.production.conftest import DEMO_PASSWORD, student_form
from tests.production.nodes import REDIS_URL, Browser, database_url, free_ports, node_start
from tests.production.tcpproxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FRIENDLY_503 = "系统暂时无法访问"
INSERT_REGISTRATION = b'INSERT INTO "registration_registration"'
RECOVERY_SECONDS = 20


@pytest.fixture(scope="module")
def proxied_node(redis_required, django_db_setup, tmp_path_factory):
    """One gunicorn node whose PostgreSQL and Redis connections go through cuttable proxies."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    redis_host, redis_port = "127.0.0.1", int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])
    pg = TcpProxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)).start()
    redis = TcpProxy(redis_host, redis_port).start()
    node = None
    try:
        node = node_start(
            port=free_ports(1)[0],
            # Without TLS (the default on loopback) so the proxy can see the INSERT go by.
            database=database_url(host="127.0.0.1", port=pg.port) + "&sslmode=disable",
            redis=f"redis://127.0.0.1:{redis.port}/0",
            log_dir=tmp_path_factory.mktemp("faults"),
            extra_env={"REDIS_KEY_PREFIX": f"kwt-test-{uuid.uuid4().hex[:12]}"},
        )
        yield node, pg, redis
    finally:
        if node is not None:
            node.stop()
        pg.stop()
        redis.stop()


@pytest.fixture
def services_restored(proxied_node):
    """Whatever a test cut, the next test starts with both services reachable."""
    node, pg, redis = proxied_node
    yield node, pg, redis
    pg.restore()
    redis.restore()


def _class_url(node, demo) -> str:
    return f"{node.url}/r/{demo['classes'][0].code}/"


def _wait_until(condition, *, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(message)


def _node_backends() -> int:
    """Backends of the node other than idle ones (an aborted transaction ends its backend)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
        )
        return cursor.fetchone()[0]


def _healthy(node) -> bool:
    reply = Browser().request(f"{node.url}/healthz", timeout=10)
    return reply.status == 200 and json.loads(reply.body)["status"] == "ok"


def test_database_lost_mid_submission_shows_503_and_leaves_no_record(services_restored, demo):
    node, pg, _redis = services_restored
    id_number = make_id_number(random.randrange(1000))
    browser = Browser()
    token = browser.form_token(_class_url(node, demo))
    data = {**student_form(id_number), "csrfmiddlewaretoken": token}

    # The node's INSERT reaches PostgreSQL inside the submission transaction, then the database
    # connection is lost before COMMIT.
    pg.cut_after(INSERT_REGISTRATION)
    replies = [browser.request(_class_url(node, demo), data)]
    assert pg.is_cut, "the submission never sent its INSERT"

    (reply,) = replies
    assert reply.status == 503
    assert FRIENDLY_503 in reply.body
    assert "没有保存" in reply.body
    assert reply.headers["Retry-After"] == "30"
    # The node's transaction never committed: once its backend is gone, nothing is there.
    _wait_until(lambda: _node_backends() == 0, seconds=15, message="node backend still there")
    assert Registration.objects.filter(id_number=id_number).count() == 0

    # The database returns: the same student submits again and it works, no restart needed.
    pg.restore()
    _wait_until(lambda: _healthy(node), seconds=RECOVERY_SECONDS, message="node did not recover")
    again = browser.request(_class_url(node, demo), data)
    assert again.status == 302
    assert Registration.objects.filter(id_number=id_number).count() == 1
    assert id_number not in node.log()


def test_database_down_pages_and_health_check_say_so_then_recover(services_restored, demo):
    node, pg, _redis = services_restored
    assert Browser().request(f"{node.url}/").status == 200
    pg.cut()
    home = Browser().request(f"{node.url}/")
    assert home.status == 503
    assert FRIENDLY_503 in home.body
    assert home.headers["X-Frame-Options"] == "DENY"
    health = Browser().request(f"{node.url}/healthz")
    assert health.status == 503
    assert json.loads(health.body)["status"] == "down"
    # Static files do not need the database.
    assert Browser().request(f"{node.url}/static/css/app.css").status == 200

    pg.restore()
    _wait_until(lambda: _healthy(node), seconds=RECOVERY_SECONDS, message="node did not recover")
    assert Browser().request(f"{node.url}/").status == 200
    assert Browser().request(_class_url(node, demo)).status == 200


def test_redis_down_registration_and_login_still_work_rate_limits_relax(services_restored, demo):
    node, _pg, redis = services_restored
    redis.cut()
    health = Browser().request(f"{node.url}/healthz")
    assert health.status == 200
    assert json.loads(health.body)["status"] == "degraded"

    id_number = make_id_number(random.randrange(1000))
    browser = Browser()
    started = time.perf_counter()
    reply = browser.submit(_class_url(node, demo), student_form(id_number))
    assert reply.status == 302, reply.body[:300]
    assert time.perf_counter() - started < 10
    assert Registration.objects.filter(id_number=id_number).count() == 1

    # Lookups are not limited while the counters are unreachable (the student is never blocked).
    lookup = {"id_number": make_id_number(random.randrange(1000)), "phone": "13800138000"}
    statuses = {
        Browser().submit(f"{node.url}/lookup/", lookup).status
        for _ in range(LOOKUP_LIMIT_PER_ID + 1)
    }
    assert statuses == {200}

    # Sessions fall back to PostgreSQL: staff can still log in and stay logged in.
    staff = Browser()
    login = staff.submit(
        f"{node.url}/admin/login/", {"username": "admin", "password": DEMO_PASSWORD}
    )
    assert login.status == 302
    assert staff.request(f"{node.url}/admin/").status == 200

    _wait_until(
        lambda: "rate limit cache unavailable" in node.log(),
        seconds=5,
        message="no warning about the cache was logged",
    )
    assert id_number not in node.log()

    # Redis returns: limits apply again, by themselves.
    redis.restore()
    _wait_until(lambda: _healthy(node), seconds=RECOVERY_SECONDS, message="cache not back")
    lookup = {"id_number": make_id_number(random.randrange(1000)), "phone": "13800138000"}
    statuses = [
        Browser().submit(f"{node.url}/lookup/", lookup).status
        for _ in range(LOOKUP_LIMIT_PER_ID + 1)
    ]
    assert statuses == [200] * LOOKUP_LIMIT_PER_ID + [429]
    assert staff.request(f"{node.url}/admin/").status == 200
