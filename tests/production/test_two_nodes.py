"""Two gunicorn app nodes on one PostgreSQL and one Redis behave as one site.

The nodes are real gunicorn processes (2 workers each) started the way scripts/two_nodes.sh starts
them; the test talks HTTP to them on loopback ports, like a load balancer would.
"""

import random
import threading
import uuid

import pytest
from django.urls import NoReverseMatch, reverse

from registration.models import Registration
from registration.ratelimits import (
    LOOKUP_LIMIT_PER_ID,
    LOOKUP_RATE_LIMITED,
    REVEAL_LIMIT_PER_ADDRESS_SUBJECT,
    REVEAL_RATE_LIMITED,
)
from registration.services.submission import ALREADY_REGISTERED
from tests.idnumbers import make_id_number
from tests.production.conftest import DEMO_PASSWORD, student_form
from tests.production.nodes import Browser, database_url, free_ports, two_nodes_start

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REQUESTS_PER_NODE = 4


@pytest.fixture(scope="module")
def two_nodes(redis_required, django_db_setup, tmp_path_factory):
    """scripts/two_nodes.sh, started once for the module; every test uses fresh ID numbers."""
    ports = free_ports(2)
    nodes = two_nodes_start(
        ports=ports,
        database=database_url(),
        log_dir=tmp_path_factory.mktemp("nodes"),
        extra_env={"REDIS_KEY_PREFIX": f"kwt-test-{uuid.uuid4().hex[:12]}"},
    )
    try:
        yield nodes
    finally:
        nodes.stop()


def _class_url(node, demo) -> str:
    return f"{node.url}/r/{demo['classes'][0].code}/"


def test_two_nodes_same_id_number_at_once_makes_exactly_one_registration(two_nodes, demo):
    id_number = make_id_number(random.randrange(400))
    browsers = []
    for i in range(REQUESTS_PER_NODE * len(two_nodes.nodes)):
        node = two_nodes.nodes[i % len(two_nodes.nodes)]
        browser = Browser()
        token = browser.form_token(_class_url(node, demo))
        browsers.append((node, browser, token))
    barrier = threading.Barrier(len(browsers))
    replies = []
    lock = threading.Lock()

    def submit(i, node, browser, token):
        data = {**student_form(id_number, serial=i), "csrfmiddlewaretoken": token}
        barrier.wait(timeout=10)
        reply = browser.request(_class_url(node, demo), data, timeout=30)
        with lock:
            replies.append((node.port, reply))

    threads = [threading.Thread(target=submit, args=(i, *args)) for i, args in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    created = [port for port, reply in replies if reply.status == 302]
    refused = [port for port, reply in replies if str(ALREADY_REGISTERED) in reply.body]
    # Every refusal of an ID number counts toward the reveal limit of that number from one
    # address (REVEAL_LIMIT_PER_ADDRESS_SUBJECT): a request that checks the limit after that many
    # refusals were counted is refused by the limit instead. Either way nothing is created.
    limited = [port for port, reply in replies if str(REVEAL_RATE_LIMITED) in reply.body]
    assert len(replies) == len(browsers)
    assert len(created) == 1, [(port, reply.status) for port, reply in replies]
    assert len(refused) + len(limited) == len(browsers) - 1
    assert len(refused) >= REVEAL_LIMIT_PER_ADDRESS_SUBJECT
    assert {port for port, _ in replies} == {node.port for node in two_nodes.nodes}
    assert Registration.objects.filter(id_number=id_number).count() == 1


def test_two_nodes_lookup_rate_limit_exhausted_on_one_node_holds_on_the_other(two_nodes, demo):
    first, second = two_nodes.nodes
    id_number = make_id_number(random.randrange(400, 800))
    lookup = {"id_number": id_number, "phone": "13800138000"}
    browser = Browser()
    statuses = [
        browser.submit(f"{first.url}/lookup/", lookup).status for _ in range(LOOKUP_LIMIT_PER_ID)
    ]
    assert statuses == [200] * LOOKUP_LIMIT_PER_ID  # not found, but not limited yet

    other_node = Browser().submit(f"{second.url}/lookup/", lookup)
    assert other_node.status == 429
    assert str(LOOKUP_RATE_LIMITED) in other_node.body
    # Control: another ID number through the same node is not limited.
    other_id = Browser().submit(
        f"{second.url}/lookup/", {**lookup, "id_number": make_id_number(random.randrange(800, 999))}
    )
    assert other_id.status == 200


def _login_path() -> str:
    # The counselor login page; the admin login where the workspace is not installed.
    try:
        return reverse("registration:login")
    except NoReverseMatch:
        return reverse("admin:login")


def test_two_nodes_login_on_one_node_is_valid_on_the_other(two_nodes, demo):
    first, second = two_nodes.nodes
    browser = Browser()
    login = browser.submit(
        f"{first.url}{_login_path()}", {"username": "admin", "password": DEMO_PASSWORD}
    )
    assert login.status == 302, login.body[:500]
    assert browser.cookie("sessionid")

    on_second = browser.request(f"{second.url}/admin/")
    assert on_second.status == 200
    assert 'href="/admin/logout/"' in on_second.body or "/admin/logout/" in on_second.body
    # Control: without the session cookie the other node sends you to the login page.
    anonymous = Browser().request(f"{second.url}/admin/")
    assert anonymous.status == 302
    assert "/login/" in anonymous.headers["Location"]

    # Logging out on the second node ends the session on the first as well.
    logout = browser.submit(
        f"{second.url}/admin/logout/", {}, token_from=f"{second.url}/admin/password_change/"
    )
    assert logout.status in (200, 302)
    assert browser.request(f"{first.url}/admin/").status == 302
