"""Start real gunicorn app nodes for the two-node and fault tests, and talk to them like a browser.

Nodes run `gunicorn -c config/gunicorn.conf.py config.wsgi` with DEBUG off against the test
database that pytest-django created (committed data is visible to them: tests that use nodes are
`transaction=True`). They use the test settings only for the fast password hasher and for serving
static files without collectstatic; the benchmark runs the real production settings.
"""

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# Ports reserved for this project's test nodes (8140-8149); the first free ones are used.
NODE_PORTS = range(8141, 8150)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STARTUP_SECONDS = 30


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    ports = [port for port in NODE_PORTS if port_is_free(port)][:count]
    if len(ports) < count:
        raise RuntimeError(f"no {count} free ports in {NODE_PORTS}")
    return ports


def redis_reachable(url: str = REDIS_URL) -> bool:
    parsed = urllib.parse.urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def database_url(*, host: str | None = None, port: int | None = None) -> str:
    """A URL for the test database pytest-django created, optionally through a proxy."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = host or db.get("HOST") or "127.0.0.1"
    port = port or db.get("PORT") or 5432
    # A short connect timeout: an unreachable database must fail the request fast.
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}?connect_timeout=3"


@dataclass
class Node:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGINT)  # quick shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def node_start(
    *,
    port: int,
    database: str,
    redis: str,
    log_dir: Path,
    workers: int = 2,
    threads: int = 2,
    extra_env: dict[str, str] | None = None,
) -> Node:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "REDIS_TIMEOUT_SECONDS": "0.5",
        "DATABASE_CONN_MAX_AGE": "60",
        "PORT": str(port),
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_MAX_REQUESTS": "0",
        "DJANGO_LOG_FORMAT": "json",
        # The nodes run test settings, whose tasks run in process: no queue worker beside them.
        "TASKS_WORKERS": "0",
        **(extra_env or {}),
    }
    log_path = log_dir / f"node-{port}.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "config" / "gunicorn.conf.py"),
            "--no-control-socket",
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    node = Node(port=port, process=process, log_path=log_path)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"node on {port} exited:\n{node.log()}")
        try:
            with urllib.request.urlopen(f"{node.url}/healthz", timeout=2) as response:
                if response.status in (200, 503):
                    return node
        except urllib.error.HTTPError:
            return node
        except OSError:
            time.sleep(0.2)
    node.stop()
    raise RuntimeError(f"node on {port} did not answer in {STARTUP_SECONDS}s:\n{node.log()}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str


class Browser:
    """A cookie-keeping client that does not follow redirects, so tests see every 302."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, url: str, data: dict | None = None, *, timeout: float = 15) -> Reply:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)
        if body is not None:
            request.add_header("Referer", url)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Reply(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read().decode(errors="replace"))

    def upload(self, url: str, fields: dict, files: dict, *, timeout: float = 60) -> Reply:
        """A multipart POST (a file upload) from this browser, with its cookies."""
        body, content_type = multipart(fields, files)
        request = urllib.request.Request(url, data=body)
        request.add_header("Content-Type", content_type)
        request.add_header("Referer", url)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Reply(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read().decode(errors="replace"))

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def form_token(self, url: str) -> str:
        page = self.request(url)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert match, f"no CSRF token on {url} ({page.status})"
        return match.group(1)

    def submit(self, url: str, data: dict, *, token_from: str | None = None) -> Reply:
        token = self.form_token(token_from or url)
        return self.request(url, {**data, "csrfmiddlewaretoken": token})

    def copy_cookies_to(self, other: "Browser") -> None:
        for cookie in self.cookies:
            other.cookies.set_cookie(cookie)


@dataclass
class NodePair:
    """The two nodes of scripts/two_nodes.sh and the script's own process."""

    nodes: list[Node]
    script: subprocess.Popen

    def stop(self) -> None:
        if self.script.poll() is None:
            # The script's trap stops both gunicorn masters quickly (SIGINT).
            self.script.terminate()
            try:
                self.script.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.script.pid, signal.SIGKILL)


def two_nodes_start(
    *, ports: list[int], database: str, log_dir: Path, extra_env: dict[str, str] | None = None
) -> NodePair:
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "NODE_PORTS": " ".join(map(str, ports)),
        "NODE_LOG_DIR": str(log_dir),
        "NODE_SETUP": "0",  # pytest-django migrated the test database
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHON": sys.executable,
        "DJANGO_LOG_FORMAT": "json",
        # The nodes run test settings, whose tasks run in process: no queue worker beside them.
        "TASKS_WORKERS": "0",
        **(extra_env or {}),
    }
    script = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "two_nodes.sh")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    nodes = [
        Node(port=port, process=script, log_path=log_dir / f"node-{port}.log") for port in ports
    ]
    pair = NodePair(nodes=nodes, script=script)
    deadline = time.monotonic() + STARTUP_SECONDS * 2
    output = []
    while time.monotonic() < deadline:
        line = script.stdout.readline()
        if not line:
            break
        output.append(line)
        if line.startswith("ready "):
            return pair
    pair.stop()
    logs = "".join(n.log() for n in nodes if n.log_path.exists())
    raise RuntimeError(f"two_nodes.sh did not get ready:\n{''.join(output)}\n{logs}")


def worker_pids(node: Node) -> list[int]:
    """The pids of a gunicorn node's workers (children of its master)."""
    children = Path(f"/proc/{node.process.pid}/task/{node.process.pid}/children")
    return [int(pid) for pid in children.read_text().split()]


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
    """A multipart/form-data body and its content type, as a browser sends a file upload."""
    boundary = f"----kwt{os.urandom(8).hex()}"
    parts = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    for name, (filename, data, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
