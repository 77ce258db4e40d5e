"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Everything that differs between machines comes from the environment (docs/deployment.md):

    PORT                 port to bind on 127.0.0.1 (default 8000); GUNICORN_BIND overrides
                         the whole address, e.g. 0.0.0.0:8000 or unix:/run/kaowutong.sock
    GUNICORN_WORKERS     processes (default 2 × cores + 1)
    GUNICORN_THREADS     threads per process (default 4): requests mostly wait on PostgreSQL
    GUNICORN_TIMEOUT     seconds before a stuck worker is restarted (default 30)

Access logs carry the path without its query string, and every access and error line goes
through the same scrubbing as the application's logs (config/logs.py: ID numbers, phone numbers,
self-service tokens), so the log holds no personal data and no key to anyone's registration.

gunicorn listens on loopback by default: a client that sends half a request holds a worker
thread until it finishes, so only a buffering proxy (nginx, scripts/nginx/) may talk to it.
"""

import ipaddress
import multiprocessing
import os
import sys
from pathlib import Path

from gunicorn.glogging import Logger

# gunicorn reads this file before it imports the app: make the project importable for the
# scrubbing filter.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from config.logs import ScrubFilter  # noqa: E402


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{_int('PORT', 8000)}"
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 4)
# gthread when threads > 1 (gunicorn picks it by itself); sync otherwise.
# Connections one worker holds at once: as many as it has threads. gunicorn's default (1000) let
# one worker accept 36 of 40 simultaneous sign-ups and queue them for its 4 threads, so killing
# it cut off 36; now a worker takes only what it can run, the rest wait in the listen backlog,
# where any worker (or the one the master starts in its place) picks them up
# (tests/production/test_crash.py).
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", threads)
# The kernel's queue of connections no worker has accepted yet: a classroom rush (40 at once)
# and far more wait there instead of being reset (runserver's queue of 10 reset 9–13 of 40).
backlog = _int("GUNICORN_BACKLOG", 2048)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# An idle keep-alive connection holds one of the worker's connections: keep it short. nginx
# keeps no idle connections to gunicorn (scripts/nginx/); browsers talking to gunicorn directly
# (make run) do.
keepalive = _int("GUNICORN_KEEPALIVE", 2)
# Recycle workers now and then so that a slow leak can never take a node down mid-round; the
# jitter keeps the workers from restarting at the same moment.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Load the app before forking: a broken deploy fails at start, not at the first request.
preload_app = True
# gunicorn 27 opens a control socket under ~/.gunicorn/ by default; nothing here uses it, and two
# instances on one machine would fight over the same path.
control_socket_disable = True
# Heartbeat files in memory rather than on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Requests arrive through nginx on the same machine; it sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Reject absurd request lines/headers before Django sees them.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# %(U)s is the path without the query string; %(M)s the duration in milliseconds.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'


class RedactingLogger(Logger):
    """Scrubs personal data and self-service tokens from every access and error line.

    The access line's path, and the error log's lines too: gunicorn quotes a malformed request
    line there ("Invalid request from ip=...: ... '/lookup/<ID number>/ ...'").
    """

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, ScrubFilter) for f in log.filters):
                log.addFilter(ScrubFilter())


logger_class = RedactingLogger


def _public_binds(addresses: list[str]) -> list[str]:
    """The bind addresses other clients than this machine can reach."""
    public = []
    for address in addresses:
        if address.startswith(("unix:", "fd://")):
            continue
        host = address.rsplit(":", 1)[0].strip("[]") if ":" in address else address
        try:
            if ipaddress.ip_address(host).is_loopback:
                continue
        except ValueError:
            if host == "localhost":
                continue
        public.append(address)
    return public


def when_ready(server):
    public = _public_binds(server.cfg.bind)
    if public:
        server.log.warning(
            "gunicorn listens on %s, beyond loopback: clients that send half a request can tie "
            "up every worker thread. Only a buffering proxy (nginx, scripts/nginx/) may reach "
            "this port; firewall it from everyone else (docs/deployment.md).",
            ", ".join(public),
        )
