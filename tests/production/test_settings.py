"""The production configuration: `check --deploy` is clean, gunicorn reads its settings from env."""

import datetime as dt
import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from gunicorn.config import Config

from tests.idnumbers import make_id_number

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"
ID_NUMBER = make_id_number(5)


def production_env(**overrides) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE": "true",
            "DJANGO_ALLOWED_HOSTS": "kwt.example.edu.cn",
            "DATABASE_URL": "postgres://kaowutong@127.0.0.1:5432/kaowutong",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    env.update(overrides)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"DJANGO_SECURE": "false"}, "security.W004"),  # no HSTS without the switch
        ({"DJANGO_SECRET_KEY": ""}, "security.W009"),  # the development key is refused
        ({"DJANGO_DEBUG": "true"}, "security.W018"),
    ],
)
def test_check_deploy_fails_without_each_production_setting(override, expected):
    env = production_env(**override)
    if not override.get("DJANGO_SECRET_KEY", True):
        del env["DJANGO_SECRET_KEY"]
    result = check_deploy(env)
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr


def _load_wsgi(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_app_refuses_to_start_with_debug_off_and_no_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = _load_wsgi(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off" in result.stderr
    # An empty value is no key either.
    assert _load_wsgi({**env, "DJANGO_SECRET_KEY": "  "}).returncode != 0
    # Controls: with a key, or with DEBUG on (the development key), it starts.
    assert _load_wsgi(production_env()).returncode == 0, _load_wsgi(production_env()).stderr
    debug = _load_wsgi({**env, "DJANGO_DEBUG": "true", "DJANGO_SECURE": "false"})
    assert debug.returncode == 0, debug.stderr


def test_gunicorn_holds_no_more_connections_per_worker_than_it_has_threads(monkeypatch):
    config = _gunicorn_config(monkeypatch, GUNICORN_THREADS="4")
    assert config.worker_connections == 4
    assert config.backlog >= 64  # a classroom rush waits in the kernel's queue
    assert config.max_requests > 0 and config.max_requests_jitter > 0


def _gunicorn_config(monkeypatch, **env) -> Config:
    for key in ("PORT", "GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_THREADS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = Config()
    namespace = {"__file__": str(GUNICORN_CONF)}
    exec(compile(GUNICORN_CONF.read_text(), str(GUNICORN_CONF), "exec"), namespace)
    for key, value in namespace.items():
        if key in config.settings:
            config.set(key, value)
    return config


def test_gunicorn_config_takes_workers_threads_and_port_from_the_environment(monkeypatch):
    config = _gunicorn_config(monkeypatch, PORT="8147", GUNICORN_WORKERS="3", GUNICORN_THREADS="5")
    assert config.bind == ["127.0.0.1:8147"]
    assert config.workers == 3
    assert config.threads == 5
    assert config.worker_class_str == "gthread"
    assert config.control_socket_disable is True
    assert "%(U)s" in config.access_log_format
    assert "%(r)s" not in config.access_log_format  # the request line carries the query string


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.mark.parametrize(
    "path",
    [
        "/me/42/s3cr3t-Token_abcdefghijklmnopqrs/edit/",
        "/ME/42/s3cr3t-Token_abcdefghijklmnopqrs/",
        "/me//42/s3cr3t-Token_abcdefghijklmnopqrs/",
        f"/lookup/{ID_NUMBER}/",
        f"/lookup/{ID_NUMBER}abc",
    ],
)
def test_gunicorn_access_log_masks_tokens_and_id_numbers(monkeypatch, path):
    config = _gunicorn_config(monkeypatch)
    logger = config.logger_class(config)
    lines = _Lines()
    logger.access_log.addHandler(lines)

    class Response:
        status = "404 Not Found"
        headers = []
        sent = 10

    class Request:
        headers = []

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "phone=13800138000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.8",
        "RAW_URI": f"{path}?phone=13800138000",
    }
    try:
        logger.access(Response(), Request(), environ, dt.timedelta(milliseconds=12))
    finally:
        logger.access_log.removeHandler(lines)
    (line,) = lines.lines
    assert "[token]" in line or "[id-number]" in line
    assert "s3cr3t" not in line
    assert ID_NUMBER not in line
    assert "13800138000" not in line


def test_gunicorn_error_log_masks_a_quoted_request_line(monkeypatch):
    config = _gunicorn_config(monkeypatch)
    logger = config.logger_class(config)
    lines = _Lines()
    logger.error_log.addHandler(lines)
    try:
        logger.warning(
            "Invalid request from ip=10.0.0.8: Invalid HTTP Version: '/lookup/%s x'", ID_NUMBER
        )
    finally:
        logger.error_log.removeHandler(lines)
    assert lines.lines == [
        "Invalid request from ip=10.0.0.8: Invalid HTTP Version: '/lookup/[id-number] x'"
    ]


@pytest.mark.parametrize(
    ("bind", "warned"),
    [
        ("127.0.0.1:8000", False),
        ("[::1]:8000", False),
        ("localhost:8000", False),
        ("unix:/run/kaowutong.sock", False),
        ("0.0.0.0:8000", True),
        ("10.0.0.5:8000", True),
        ("[::]:8000", True),
    ],
)
def test_gunicorn_warns_when_it_listens_beyond_loopback(monkeypatch, bind, warned):
    config = _gunicorn_config(monkeypatch, GUNICORN_BIND=bind)
    namespace = {"__file__": str(GUNICORN_CONF)}
    exec(compile(GUNICORN_CONF.read_text(), str(GUNICORN_CONF), "exec"), namespace)
    messages = []

    class Server:
        cfg = config

        class log:
            @staticmethod
            def warning(message, *args):
                messages.append(message % args)

    namespace["when_ready"](Server())
    assert bool(messages) is warned
    if warned:
        assert "buffering proxy" in messages[0]


def test_gunicorn_binds_to_loopback_by_default(monkeypatch):
    assert _gunicorn_config(monkeypatch).bind == ["127.0.0.1:8000"]


SECURE_PROBE = """
from django.test import Client
client = Client()
home = client.get("/", HTTP_HOST="kwt.example.edu.cn")
health = client.get("/healthz", HTTP_HOST="kwt.example.edu.cn")
proxied = client.get("/healthz", HTTP_HOST="kwt.example.edu.cn", HTTP_X_FORWARDED_PROTO="https")
import json
print(json.dumps([home.status_code, home.get("Location"), health.status_code,
      proxied.headers.get("Strict-Transport-Security")]))
"""


def test_secure_switch_redirects_to_https_except_the_health_check():
    env = production_env(DATABASE_URL="sqlite:///:memory:")
    del env["REDIS_URL"]
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SECURE_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    home_status, location, health_status, hsts = json.loads(result.stdout.splitlines()[-1])
    assert (home_status, location) == (301, "https://kwt.example.edu.cn/")
    assert health_status == 200
    assert hsts == "max-age=31536000; includeSubDomains"
