"""The API's rate limit counts in the shared cache: with Redis, every process sees one counter."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import override_settings

from common.ratelimit import rate_limit_hit as over_limit

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def redis_reachable() -> bool:
    host_port = REDIS_URL.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache():
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is unreachable and CI=true")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable")
    config = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kwt",
        },
        # The counters' own alias, as config/settings/base.py builds it from REDIS_URL.
        "ratelimit": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kwt-ratelimit",
        },
    }
    with override_settings(CACHES=config):
        yield caches["ratelimit"]


def test_over_limit_counts_within_the_window(db):
    client = f"test-{uuid.uuid4()}"

    results = [over_limit(scope="t", key=client, limit=2) for _ in range(4)]

    assert results == [False, False, True, True]
    assert over_limit(scope="t", key=client + "-other", limit=2) is False


def test_over_limit_is_shared_across_processes_through_redis(redis_cache):
    scope = f"shared-{uuid.uuid4().hex}"
    for _ in range(3):
        assert over_limit(scope=scope, key="203.0.113.7", limit=3) is False

    other_process = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup();"
            "from common.ratelimit import rate_limit_hit as over_limit;"
            f"print(over_limit(scope={scope!r}, key='203.0.113.7', limit=3))",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "REDIS_URL": REDIS_URL,
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert other_process.stdout.strip().splitlines()[-1] == "True"


def test_over_limit_window_expires(db):
    client = f"test-{uuid.uuid4()}"
    assert over_limit(scope="w", key=client, limit=1, window_seconds=1) is False
    assert over_limit(scope="w", key=client, limit=1, window_seconds=1) is True

    time.sleep(1.1)

    assert over_limit(scope="w", key=client, limit=1, window_seconds=1) is False


def test_over_limit_lets_requests_through_when_the_cache_is_down():
    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=broken):
        assert over_limit(scope="down", key="x", limit=0) is False


def _round_trips(raw, calls):
    """Spy on the connection: each packed send is one round trip to Redis."""
    raw.ping()  # connect first: the handshake is not what is counted
    connection_class = raw.connection_pool.connection_class
    original = connection_class.send_packed_command

    def spy(self, command, *args, **kwargs):
        calls.append(command)
        return original(self, command, *args, **kwargs)

    connection_class.send_packed_command = spy
    return lambda: setattr(connection_class, "send_packed_command", original)


def test_over_limit_with_redis_opens_an_expiring_window_and_counts_in_one_round_trip(
    redis_cache,
):
    scope = f"ttl-{uuid.uuid4().hex}"
    raw = redis_cache._cache.get_client(write=True)
    key = redis_cache.make_key(f"ratelimit:{scope}:203.0.113.8")
    calls = []
    restore = _round_trips(raw, calls)
    try:
        assert over_limit(scope=scope, key="203.0.113.8", limit=2, window_seconds=30) is False
        assert over_limit(scope=scope, key="203.0.113.8", limit=2, window_seconds=30) is False
        assert over_limit(scope=scope, key="203.0.113.8", limit=2, window_seconds=30) is True
    finally:
        restore()
    assert len(calls) == 3  # one per hit: a script counts and, on the first, sets the expiry
    assert 0 < raw.ttl(key) <= 30  # the window expires: a counter never outlives it
    assert redis_cache.get(f"ratelimit:{scope}:203.0.113.8") == 3  # readable as Django stores it


def test_counted_failures_are_read_in_one_round_trip(redis_cache):
    from common.ratelimit import rate_limit_count, rate_limits_reached

    scope = f"fail-{uuid.uuid4().hex}"
    for _ in range(2):
        rate_limit_count(scope=scope, key="b", window_seconds=30)
    raw = redis_cache._cache.get_client(write=True)
    calls = []
    restore = _round_trips(raw, calls)
    try:
        limits = [(scope, "a", 1), (scope, "b", 3), (scope, "c", 1)]
        assert rate_limits_reached(limits) is False
        assert rate_limits_reached([*limits, (scope, "b", 2)]) is True
    finally:
        restore()
    assert len(calls) == 2


def test_a_counter_never_lives_without_an_expiry(redis_cache):
    """The count and the expiry are one atomic step; a counter an older version left without an
    expiry (a key that expired between two separate commands) is given one on its next hit."""
    scope = f"orphan-{uuid.uuid4().hex}"
    raw = redis_cache._cache.get_client(write=True)
    key = redis_cache.make_key(f"ratelimit:{scope}:203.0.113.9")
    raw.set(key, 5000)  # no TTL: before, this locked the address out for good
    assert raw.ttl(key) == -1
    assert over_limit(scope=scope, key="203.0.113.9", limit=3000, window_seconds=30) is True
    assert 0 < raw.ttl(key) <= 30
    fresh = f"{scope}-fresh"
    assert over_limit(scope=fresh, key="x", limit=1, window_seconds=1) is False
    assert 0 < raw.ttl(redis_cache.make_key(f"ratelimit:{fresh}:x")) <= 1


def _hit_and_reached(scope: str, limits):
    from common.ratelimit import rate_limit_hit_and_reached

    return rate_limit_hit_and_reached(
        scope=scope, key="203.0.113.10", limit=2, window_seconds=30, reached=limits
    )


def _hit_and_reached_answers(scope: str) -> list[tuple[bool, bool]]:
    from common.ratelimit import rate_limit_count

    for _ in range(3):
        rate_limit_count(scope=f"{scope}-fail", key="b", window_seconds=30)
    under = [(f"{scope}-fail", "a", 1), (f"{scope}-fail", "b", 4)]
    reached = [*under, (f"{scope}-fail", "b", 3)]
    return [
        _hit_and_reached(scope, under),
        _hit_and_reached(scope, reached),
        _hit_and_reached(scope, under),  # the third hit is over the limit of 2
        _hit_and_reached(scope, []),
    ]


EXPECTED_HIT_AND_REACHED = [(False, False), (False, True), (True, False), (True, False)]


def test_a_hit_and_counted_failures_together_without_redis(db):
    assert _hit_and_reached_answers(f"both-{uuid.uuid4().hex}") == EXPECTED_HIT_AND_REACHED


def test_a_hit_and_counted_failures_together_in_one_redis_round_trip(redis_cache):
    scope = f"both-{uuid.uuid4().hex}"
    raw = redis_cache._cache.get_client(write=True)
    calls = []
    restore = _round_trips(raw, calls)
    try:
        answers = _hit_and_reached_answers(scope)
    finally:
        restore()
    assert answers == EXPECTED_HIT_AND_REACHED
    assert len(calls) == 3 + 4  # three counted failures, then one round trip per check
    key = redis_cache.make_key(f"ratelimit:{scope}:203.0.113.10")
    assert 0 < raw.ttl(key) <= 30  # the hit's window expires, as rate_limit_hit's does
    assert redis_cache.get(f"ratelimit:{scope}-fail:b") == 3  # only read, never counted


def test_a_hit_and_counted_failures_let_requests_through_when_redis_is_down(db):
    from common.ratelimit import rate_limit_hit_and_reached

    config = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    with override_settings(CACHES=config):
        assert rate_limit_hit_and_reached(
            scope="down", key="x", limit=0, window_seconds=30, reached=[("down", "y", 0)]
        ) == (False, False)
