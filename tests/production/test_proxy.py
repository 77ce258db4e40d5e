"""gunicorn behind the shipped nginx configuration: slow clients, and logs without personal data.

nginx runs as an instance of its own (scripts/nginx_local.sh: its own prefix, an unprivileged
port, in the foreground) with exactly the files in scripts/nginx/ that docs/deployment.md tells
operators to install; the system's nginx is never touched. Without nginx the tests are skipped
with a message, except in CI, where .ci/run installs it.
"""

import contextlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.idnumbers import make_id_number
from tests.production.conftest import student_form
from tests.production.nodes import ROOT, Browser, database_url, free_ports, node_start

WORKERS, THREADS = 2, 2
# More half-requests than gunicorn has threads: workers × threads × 4.
HALF_REQUESTS = WORKERS * THREADS * 4
STARTUP_SECONDS = 20


@dataclass
class Proxy:
    port: int
    process: subprocess.Popen
    prefix: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return "".join(
            path.read_text(errors="replace")
            for path in sorted((self.prefix / "logs").glob("*.log"))
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)  # nginx: fast shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        shutil.rmtree(self.prefix, ignore_errors=True)


def proxy_start(*, nginx: str, upstream_port: int, listen_port: int) -> Proxy:
    prefix = Path(tempfile.mkdtemp(prefix="kwt-nginx-test-"))
    env = {
        **os.environ,
        "NGINX_BIN": nginx,
        "UPSTREAM": f"127.0.0.1:{upstream_port}",
        "LISTEN": f"127.0.0.1:{listen_port}",
        "NGINX_PREFIX": str(prefix),
    }
    process = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "nginx_local.sh")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    proxy = Proxy(port=listen_port, process=process, prefix=prefix)
    line = process.stdout.readline()
    if not line.startswith("ready "):
        output = line + (process.stdout.read() if process.poll() is not None else "")
        proxy.stop()
        raise RuntimeError(f"nginx_local.sh did not start:\n{output}")
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", listen_port), timeout=1),
        ):
            return proxy
        time.sleep(0.1)
    proxy.stop()
    raise RuntimeError(f"nginx did not listen on {listen_port}")


def _half_requests(port: int, count: int) -> list[socket.socket]:
    """Connections that send part of a request and go silent: headers or a body cut short."""
    sockets = []
    for i in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if i % 2:
            sock.sendall(b"GET /lookup/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slo")
        else:
            sock.sendall(
                b"POST /lookup/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 4096\r\n\r\nid_number="
            )
        sockets.append(sock)
    return sockets


def _close(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.close()


def _health(url: str, *, timeout: float) -> int | str:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:  # URLError, TimeoutError, ConnectionError
        return f"no answer: {error!r}"


def _wait_healthy(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _health(url, timeout=2) == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"{url} did not recover")


@pytest.fixture
def slow_stack(nginx_binary, tmp_path):
    """gunicorn (2 workers × 2 threads, its own SQLite file: /healthz needs no data) + nginx."""
    gunicorn_port, nginx_port = free_ports(2)
    node = node_start(
        port=gunicorn_port,
        database=f"sqlite:///{tmp_path / 'slow.sqlite3'}",
        redis="",
        log_dir=tmp_path,
        workers=WORKERS,
        threads=THREADS,
    )
    proxy = None
    try:
        proxy = proxy_start(nginx=nginx_binary, upstream_port=gunicorn_port, listen_port=nginx_port)
        yield node, proxy
    finally:
        if proxy is not None:
            proxy.stop()
        node.stop()


def test_half_requests_starve_bare_gunicorn_but_not_gunicorn_behind_nginx(slow_stack):
    node, proxy = slow_stack
    assert _health(proxy.url, timeout=5) == 200

    # Control: straight to gunicorn the half-requests hold every thread, and the health check
    # gets no answer. This proves the test can see the problem it guards against.
    # A worker still booting under load takes no connection until it is up, and then answers
    # the health check with threads its sibling's half-requests never reached: more rounds of
    # half-requests reach it too. Three rounds at most: the control still has to starve it.
    held = []
    try:
        for _ in range(3):
            held += _half_requests(node.port, HALF_REQUESTS)
            time.sleep(0.5)
            result = _health(node.url, timeout=3)
            if isinstance(result, str) and "timed out" in result:
                break
        assert isinstance(result, str) and "timed out" in result, result
    finally:
        _close(held)
    _wait_healthy(node.url)

    # Through nginx: it holds the same half-requests itself and gunicorn stays free.
    held = _half_requests(proxy.port, HALF_REQUESTS)
    try:
        time.sleep(0.5)
        for _ in range(5):
            started = time.monotonic()
            assert _health(proxy.url, timeout=3) == 200
            assert time.monotonic() - started < 2
        assert _health(node.url, timeout=3) == 200
    finally:
        _close(held)


def test_nginx_refuses_what_the_app_would_refuse_at_the_edge(slow_stack):
    _node, proxy = slow_stack
    from django.conf import settings

    request = urllib.request.Request(
        f"{proxy.url}/lookup/", data=b"x" * (settings.MAX_REQUEST_BODY_BYTES + 1), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 413
    assert "上传的文件不能超过" in error.value.read().decode()  # nginx's own Chinese page
    # A client cannot choose the address the app sees: nginx overwrites X-Forwarded-For.
    config = (ROOT / "scripts" / "nginx" / "kaowutong-locations.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        with contextlib.suppress(TimeoutError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sign_up_through_the_stack_leaves_no_id_number_or_token_in_any_log(
    nginx_binary, demo, tmp_path
):
    id_number = make_id_number(random.randrange(400))
    gunicorn_port, nginx_port = free_ports(2)
    node = node_start(
        port=gunicorn_port, database=database_url(), redis="", log_dir=tmp_path, workers=1
    )
    proxy = None
    logs_proxy = ""
    try:
        proxy = proxy_start(nginx=nginx_binary, upstream_port=gunicorn_port, listen_port=nginx_port)
        browser = Browser()
        reply = browser.submit(
            f"{proxy.url}/r/{demo['classes'][0].code}/", student_form(id_number, serial=7)
        )
        assert reply.status == 302, reply.body[:500]
        match = re.match(r"^/me/(\d+)/([^/]+)/$", reply.headers["Location"])
        assert match, reply.headers["Location"]
        pk, token = match.groups()
        assert browser.request(f"{proxy.url}/me/{pk}/{token}/").status == 200
        # What a student or a scanner types: the ID number in a path, the link in another case
        # or with a doubled slash, HEAD, and a lookup with the wrong phone number.
        for path in (
            f"/lookup/{id_number}/",
            f"/lookup/{id_number}abc",
            f"/ME/{pk}/{token}/",
            f"/me//{pk}/{token}/",
            f"/me/{pk}/{token}",
        ):
            assert browser.request(f"{proxy.url}{path}").status in (301, 404), path
        head = urllib.request.Request(f"{proxy.url}/me/{pk}/{token}/", method="HEAD")
        with urllib.request.urlopen(head, timeout=10) as response:
            assert response.status == 200
        browser.submit(f"{proxy.url}/lookup/", {"id_number": id_number, "phone": "13912345678"})
        # An unknown Host (through nginx) and a malformed request line (straight to gunicorn).
        answer = _raw(
            nginx_port, b"GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
        )
        assert answer.startswith(b"HTTP/1.1 400")
        _raw(gunicorn_port, f"GET /lookup/{id_number}/ HTTP/1.1 x\r\n\r\n".encode())
        time.sleep(1)  # let gunicorn and nginx write their last lines
    finally:
        if proxy is not None:
            logs_proxy = proxy.logs()
            proxy.stop()
        node.stop()
    app_log = node.log()
    everything = app_log + logs_proxy
    assert id_number not in everything
    assert id_number[:15] not in everything
    assert token not in everything
    # The requests were logged, masked (so the test is not passing on an empty log).
    assert '/lookup/[id-number]/ HTTP/1.1" 404' in app_log
    assert f"/ME/{pk}/[token]/" in app_log
    assert f"/me//{pk}/[token]/" in app_log
    assert "GET 404" in logs_proxy  # nginx's access log: method and status, no path
    # The unknown Host: exactly one line, a warning, no traceback.
    host_lines = [line for line in app_log.splitlines() if "evil.example" in line]
    assert len(host_lines) == 1, host_lines
    assert '"level": "WARNING"' in host_lines[0]
    assert "Traceback" not in app_log
