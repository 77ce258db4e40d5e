"""Logging out ends the session on every node, even while Redis does not answer (issue 24).

Two gunicorn nodes share PostgreSQL and Redis; the first reaches Redis through a proxy the test
cuts. Before, sessions were read from Redis first (cached_db): a logout on the cut-off node
deleted the database row but not the cached copy, and the other node kept serving the session
from Redis (until the next minute's last-seen write failed). Sessions are now read from the
database on every request (config/settings/base.py), so a logout holds everywhere at once.
"""

import uuid

import pytest

from tests.production.conftest import DEMO_PASSWORD
from tests.production.nodes import REDIS_URL, Browser, database_url, free_ports, node_start
from tests.production.tcpproxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def nodes(redis_required, django_db_setup, tmp_path):
    redis_port = int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])
    proxy = TcpProxy("127.0.0.1", redis_port).start()
    prefix = {"REDIS_KEY_PREFIX": f"kwt-test-{uuid.uuid4().hex[:12]}"}
    started = []
    try:
        cut_port, direct_port = free_ports(2)
        started.append(
            node_start(
                port=cut_port,
                database=database_url(),
                redis=f"redis://127.0.0.1:{proxy.port}/0",
                log_dir=tmp_path,
                extra_env=prefix,
            )
        )
        started.append(
            node_start(
                port=direct_port,
                database=database_url(),
                redis=REDIS_URL,
                log_dir=tmp_path,
                extra_env=prefix,
            )
        )
        yield started[0], started[1], proxy
    finally:
        for node in started:
            node.stop()
        proxy.stop()


def test_logout_while_redis_stalls_ends_the_session_on_the_other_node(nodes, demo):
    cut_off, other, redis = nodes
    staff = Browser()
    login = staff.submit(
        f"{other.url}/admin/login/", {"username": "admin", "password": DEMO_PASSWORD}
    )
    assert login.status == 302
    assert staff.request(f"{other.url}/admin/").status == 200
    assert staff.request(f"{cut_off.url}/admin/").status == 200

    # A copy of the signed-in cookie (another tab's, or one read off the shared PC).
    replayer = Browser()
    for cookie in list(staff.cookies):
        replayer.cookies.set_cookie(cookie)

    redis.cut()
    logout = staff.submit(
        f"{cut_off.url}/admin/logout/", {}, token_from=f"{cut_off.url}/admin/password_change/"
    )
    assert logout.status in (200, 302)
    # The old cookie, replayed on the node that reaches Redis: signed out.
    replay = replayer.request(f"{other.url}/admin/")
    assert replay.status == 302 and "/login/" in replay.headers["Location"], replay.status
    redis.restore()
    replay = replayer.request(f"{other.url}/admin/")
    assert replay.status == 302 and "/login/" in replay.headers["Location"], replay.status
