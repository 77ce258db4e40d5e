"""The project's Redis cache backend (config/redis_cache.py) against a real Redis."""

import threading
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

from config.redis_cache import RedisCache
from tests.common.test_ratelimit import REDIS_URL, redis_reachable


@pytest.fixture
def reusing_cache():
    if not redis_reachable():
        pytest.skip(f"Redis at {REDIS_URL} is unreachable")
    config = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"kwt-test-{uuid.uuid4().hex[:8]}",
        }
    }
    with override_settings(CACHES=config):
        cache = caches["default"]
        assert isinstance(cache, RedisCache)
        yield cache
        # Only this test's keys: clear() would FLUSHDB a Redis other runs share.
        cache.delete_many(["a", "a-count", "n"])


def test_one_client_serves_every_operation(reusing_cache):
    reusing_cache.set("a", {"x": 1}, 30)
    client = reusing_cache._cache.get_client(write=True)
    assert reusing_cache.get("a") == {"x": 1}
    assert reusing_cache.get_many(["a", "missing"]) == {"a": {"x": 1}}
    assert reusing_cache.add("a-count", 0, 30) and reusing_cache.incr("a-count") == 1
    assert reusing_cache._cache.get_client() is client
    assert reusing_cache._cache.get_client(write=True) is client


def test_the_shared_client_is_safe_across_threads(reusing_cache):
    reusing_cache.set("n", 0, 30)
    errors = []

    def work():
        try:
            for _ in range(50):
                reusing_cache.incr("n")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert reusing_cache.get("n") == 200
