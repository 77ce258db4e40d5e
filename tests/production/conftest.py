"""Fixtures for the production tests: an open demo round and gunicorn nodes on real engines."""

import os
import shutil
import uuid

import pytest

from registration.loaders import demo_load
from tests.production.nodes import redis_reachable

DEMO_PASSWORD = "kaowutong-demo"


@pytest.fixture(scope="session")
def redis_required():
    """Skip when Redis is unreachable on a laptop; fail in CI, where it must be there."""
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis at 127.0.0.1:6379 is unreachable and CI=true")
        pytest.skip("Redis at 127.0.0.1:6379 is unreachable")


@pytest.fixture
def redis_prefix():
    """A key prefix of its own per test, so counters left by other runs never interfere."""
    return f"kwt-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def demo(transactional_db):
    """The demo round, open today in real time (nodes cannot be time-travelled)."""
    return demo_load(password=DEMO_PASSWORD)


def student_form(id_number: str, *, serial: int = 1, level: int = 3) -> dict:
    return {
        "name": "张三",
        "id_number": id_number,
        "ethnicity": "汉族",
        "phone": f"1380013{serial % 10000:04d}",
        "student_number": f"2020{serial % 1000000:06d}",
        "level": str(level),
        "consent": "on",
    }


@pytest.fixture(scope="session")
def demo_sqlite_template(tmp_path_factory):
    """A SQLite file prepared as `make setup` prepares it (migrate, load_demo), once a session.

    Tests copy it (demo_sqlite_copy) rather than migrating again: migrating takes a minute on a
    busy machine.
    """
    import sqlite3
    import subprocess
    import sys

    from tests.production.nodes import ROOT

    path = tmp_path_factory.mktemp("demo-sqlite") / "template.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    env.pop("REDIS_URL", None)
    for command in (["migrate", "--noinput"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def demo_sqlite_copy(template, folder):
    """A copy of the prepared demo database in `folder`, and a class link code on it that
    accepts sign-ups (大二, a same or related major)."""
    import shutil
    import sqlite3

    path = folder / "demo.sqlite3"
    shutil.copyfile(template, path)
    with sqlite3.connect(path) as db:
        (code,) = db.execute(
            "SELECT c.code FROM registration_schoolclass c JOIN registration_major m"
            " ON m.id = c.major_id WHERE c.name LIKE '%大二%'"
            " AND m.relation IN ('same', 'related') ORDER BY c.id"
        ).fetchone()
    return path, code


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="session")
def nginx_binary():
    """nginx for the tests that run the shipped configuration (scripts/nginx_local.sh)."""
    if os.access(NGINX, os.X_OK):
        return NGINX
    if os.environ.get("CI") == "true":
        pytest.fail("nginx is not installed and CI=true (.ci/run installs it)")
    pytest.skip(
        "nginx is not installed (apt-get install -y nginx): the proxy configuration in "
        "scripts/nginx/ is NOT tested on this machine"
    )
