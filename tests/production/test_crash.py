"""When a worker or a node dies (issue 24): only the dying worker's own requests are lost, and
what students see through nginx says their sign-up may be saved.

Before: one gthread worker accepted 22–33 of 40 simultaneous sign-ups (gunicorn's default
worker_connections is 1000, so a worker takes every connection it can reach and queues them for
its 4 threads), and killing it cut off 70–82 % of the sign-ups in flight; nginx answered the
cut-off ones with an English "502 Bad Gateway nginx/1.22.1".
"""

import os
import signal
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.idnumbers import make_id_number
from tests.production.conftest import demo_sqlite_copy, student_form
from tests.production.nodes import Browser, free_ports, node_start, worker_pids
from tests.production.test_proxy import proxy_start

WORKERS, THREADS = 2, 4
STUDENTS = 40


@pytest.fixture
def crash_node(demo_sqlite_template, tmp_path):
    path, code = demo_sqlite_copy(demo_sqlite_template, tmp_path)
    node = node_start(
        port=free_ports(1)[0],
        database=f"sqlite:///{path}",
        redis="",
        log_dir=tmp_path,
        workers=WORKERS,
        threads=THREADS,
        # gunicorn's own config decides worker_connections (config/gunicorn.conf.py).
    )
    try:
        yield node, code
    finally:
        node.stop()


def test_a_worker_killed_mid_rush_cuts_off_at_most_its_own_threads(crash_node):
    node, code = crash_node
    url = f"{node.url}/r/{code}/"
    students = [Browser() for _ in range(STUDENTS)]
    tokens = [student.form_token(url) for student in students]
    barrier = threading.Barrier(STUDENTS + 1)
    outcomes: list[int | str] = []
    lock = threading.Lock()

    def submit(serial: int) -> None:
        data = {
            **student_form(make_id_number(serial), serial=serial),
            "csrfmiddlewaretoken": tokens[serial],
        }
        barrier.wait(timeout=30)
        try:
            outcome: int | str = students[serial].request(url, data, timeout=60).status
        except OSError as error:  # reset, closed without an answer
            outcome = type(error).__name__
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(STUDENTS)]
    for thread in threads:
        thread.start()
    victim = worker_pids(node)[0]
    barrier.wait(timeout=30)
    time.sleep(0.3)  # the rush is in flight
    os.kill(victim, signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=120)
    lost = [outcome for outcome in outcomes if outcome != 302]
    print(f"40 sign-ups, one worker killed: {len(lost)} lost {lost}")
    assert len(outcomes) == STUDENTS
    assert len(lost) <= THREADS, lost


def test_nginx_answers_a_dead_node_with_the_chinese_502_page(nginx_binary, tmp_path):
    """gunicorn gone (crashed, restarting): the student is sent to the lookup, in Chinese, and
    no nginx version is shown anywhere."""
    upstream_port, listen_port = free_ports(2)
    proxy = proxy_start(nginx=nginx_binary, upstream_port=upstream_port, listen_port=listen_port)
    try:
        reply = Browser().request(f"{proxy.url}/r/any/", {"name": "张三"})
        home = Browser().request(f"{proxy.url}/")
    finally:
        proxy.stop()
    for answer in (reply, home):
        assert answer.status == 502
        assert answer.headers["Content-Type"].startswith("text/html")
        assert "可能已保存，请先查询报名" in answer.body
        assert 'href="/lookup/"' in answer.body
        assert "Bad Gateway" not in answer.body and "nginx/" not in answer.body
        assert answer.headers["Server"] == "nginx"  # server_tokens off
        assert "<script" not in answer.body


def test_nginx_refuses_a_body_over_the_upload_limit_with_the_chinese_413_page(
    nginx_binary, tmp_path
):
    from django.conf import settings

    upstream_port, listen_port = free_ports(2)
    proxy = proxy_start(nginx=nginx_binary, upstream_port=upstream_port, listen_port=listen_port)
    try:
        body = b"x" * (settings.MAX_REQUEST_BODY_BYTES + 1)
        request = urllib.request.Request(f"{proxy.url}/me/1/token/supplement/", data=body)
        try:
            urllib.request.urlopen(request, timeout=30)
            raise AssertionError("nginx accepted a body over the limit")
        except urllib.error.HTTPError as error:
            status, page = error.code, error.read().decode()
        # Just at the limit, nginx lets it through (to the dead upstream: a 502).
        request = urllib.request.Request(
            f"{proxy.url}/me/1/token/supplement/", data=b"x" * settings.MAX_REQUEST_BODY_BYTES
        )
        try:
            urllib.request.urlopen(request, timeout=30)
        except urllib.error.HTTPError as error:
            at_limit = error.code
    finally:
        proxy.stop()
    assert status == 413
    assert f"上传的文件不能超过 {settings.UPLOAD_MAX_MB} MB" in page
    assert 'href=""' in page  # back to the form's own page
    assert at_limit == 502
