"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Everything that differs between machines comes from the environment (docs/deployment.md):

    PORT                 port to bind on 127.0.0.1 (default 8000); GUNICORN_BIND overrides
                         the whole address, e.g. 0.0.0.0:8000 or unix:/run/kaowutong.sock
    GUNICORN_WORKERS     processes (default 2 × cores + 1)
    GUNICORN_THREADS     threads per process (default 4): requests mostly wait on PostgreSQL
    GUNICORN_TIMEOUT     seconds before a stuck worker is restarted (default 30)

Access logs carry the path without its query string, and a self-service link's secret token is
masked, so the log holds no personal data and no key to anyone's registration.
"""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{_int('PORT', 8000)}"
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 4)
# gthread when threads > 1 (gunicorn picks it by itself); sync otherwise.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so that a slow leak can never take a node down mid-round.
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

_SELF_SERVICE_TOKEN = re.compile(r"^(/me/\d+/)[^/]+")


class RedactingLogger(Logger):
    """Masks the secret token of /me/<pk>/<token>/ links in access log lines."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = _SELF_SERVICE_TOKEN.sub(r"\1[token]", atoms.get("U", ""))
        return atoms


logger_class = RedactingLogger
