"""Fixed-window rate limits kept in a cache alias of their own.

The counters live in settings.CACHES["ratelimit"], never in the page cache, so that no amount of
page traffic can evict them and reset a limit (docs/caching.md). With Redis they are shared by
every gunicorn worker and every machine. When the cache is unreachable we let the request through
and log a warning: a student must never be locked out of registering because the cache is down.
"""

import logging

from django.core.cache import caches

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it
    # (config.middleware does that for DJANGO_TRUSTED_PROXIES).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int = 60) -> bool:
    """Count one hit; return True when the caller is over the limit for this window.

    The window starts at a client's first request (a fixed window per client, not aligned to the
    clock). cache.add and cache.incr are atomic in Redis.
    """
    cache_key = f"ratelimit:{scope}:{key}"
    try:
        cache = caches["ratelimit"]
        # Counting first: within a window (the usual case) that is the only write. With Redis,
        # add() then incr() took three round trips per hit, incr() alone takes two.
        try:
            return cache.incr(cache_key) > limit
        except ValueError:  # no window open for this client (or it just expired)
            pass
        if cache.add(cache_key, 1, timeout=window_seconds):
            return 1 > limit
        try:  # another request opened the window in between
            return cache.incr(cache_key) > limit
        except ValueError:  # and it expired already
            cache.add(cache_key, 1, timeout=window_seconds)
            return 1 > limit
    except Exception:
        logger.warning("rate limit cache unavailable for scope %s; allowing the request", scope)
        return False


def rate_limit_reached(*, scope: str, key: str, limit: int) -> bool:
    """Whether `key` has already used up `limit` counted events (nothing is counted here).

    With `rate_limit_count` this limits only what the caller chooses to count, e.g. failures:
    a successful lookup never uses up anybody's allowance.
    """
    try:
        count = caches["ratelimit"].get(f"ratelimit:{scope}:{key}")
    except Exception:
        logger.warning("rate limit cache unavailable for scope %s; allowing the request", scope)
        return False
    return (count or 0) >= limit


def rate_limit_count(*, scope: str, key: str, window_seconds: int) -> None:
    """Count one event for `key` (the window starts at its first event)."""
    cache_key = f"ratelimit:{scope}:{key}"
    try:
        cache = caches["ratelimit"]
        if cache.add(cache_key, 1, timeout=window_seconds):
            return
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=window_seconds)
    except Exception:
        logger.warning("rate limit cache unavailable for scope %s; not counted", scope)
