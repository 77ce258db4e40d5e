"""Fixtures for the production tests: an open demo round and gunicorn nodes on real engines."""

import os
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
