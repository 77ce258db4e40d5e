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
        # With Redis (config.redis_cache): one atomic round trip opens or counts the window.
        incr_window = getattr(cache, "incr_window", None)
        if incr_window is not None:
            return incr_window(cache_key, window_seconds) > limit
        # Other caches: counting first, since within a window (the usual case) that is the only
        # write.
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


def rate_limits_reached(limits) -> bool:
    """Whether any of several (scope, key, limit) counters has used up its limit (nothing is
    counted here): one cache read (MGET).

    With `rate_limit_count` this limits only what the caller chooses to count, e.g. failures:
    a successful lookup never uses up anybody's allowance.
    """
    keys = {f"ratelimit:{scope}:{key}": limit for scope, key, limit in limits}
    if not keys:
        return False
    try:
        counts = caches["ratelimit"].get_many(list(keys))
    except Exception:
        scopes = ", ".join(sorted({scope for scope, _key, _limit in limits}))
        logger.warning("rate limit cache unavailable for scope %s; allowing the request", scopes)
        return False
    return any((counts.get(key) or 0) >= limit for key, limit in keys.items())


def rate_limit_hit_and_reached(
    *, scope: str, key: str, limit: int, window_seconds: int, reached
) -> tuple[bool, bool]:
    """`rate_limit_hit(...)` and `rate_limits_reached(reached)` together, in one Redis round trip
    (one script counts the hit and reads the other counters): for a POST that is both limited
    and checked against counted failures."""
    try:
        cache = caches["ratelimit"]
        incr_window_read = getattr(cache, "incr_window_read", None)
    except Exception:
        incr_window_read = None
    if incr_window_read is None:
        return (
            rate_limit_hit(scope=scope, key=key, limit=limit, window_seconds=window_seconds),
            rate_limits_reached(reached),
        )
    limits = {f"ratelimit:{s}:{k}": n for s, k, n in reached}
    try:
        count, counts = incr_window_read(f"ratelimit:{scope}:{key}", window_seconds, list(limits))
    except Exception:
        scopes = ", ".join(sorted({scope, *(s for s, _k, _n in reached)}))
        logger.warning("rate limit cache unavailable for scope %s; allowing the request", scopes)
        return False, False
    return count > limit, any((counts.get(k) or 0) >= n for k, n in limits.items())


def rate_limit_count(*, scope: str, key: str, window_seconds: int) -> None:
    """Count one event for `key` (the window starts at its first event)."""
    cache_key = f"ratelimit:{scope}:{key}"
    try:
        cache = caches["ratelimit"]
        incr_window = getattr(cache, "incr_window", None)
        if incr_window is not None:  # Redis: one atomic round trip
            incr_window(cache_key, window_seconds)
            return
        if cache.add(cache_key, 1, timeout=window_seconds):
            return
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=window_seconds)
    except Exception:
        logger.warning("rate limit cache unavailable for scope %s; not counted", scope)


def rate_limits_count_and_read(*, counted, read=()) -> tuple[list[int], list[int]]:
    """Count one hit on each (scope, key, window_seconds) of `counted` and read the counts of each
    (scope, key) of `read`, without counting them: one Redis round trip, one atomic step.

    Returns the counts after this hit and the counts read (0 where there is none), in the order
    given. When the cache is unreachable every count is 0: a student is never refused because
    the cache is down.
    """
    counted = [(f"ratelimit:{scope}:{key}", window) for scope, key, window in counted]
    read = [f"ratelimit:{scope}:{key}" for scope, key in read]
    try:
        cache = caches["ratelimit"]
        incr_windows_read = getattr(cache, "incr_windows_read", None)
        if incr_windows_read is not None:
            counts, found = incr_windows_read(counted, read)
        else:
            counts = [_count_without_redis(cache, key, window) for key, window in counted]
            found = cache.get_many(read) if read else {}
    except Exception:
        logger.warning("rate limit cache unavailable; allowing the request")
        return [0] * len(counted), [0] * len(read)
    return counts, [int(found.get(key) or 0) for key in read]


def _count_without_redis(cache, cache_key: str, window_seconds: int) -> int:
    """One hit on a counter of a cache without atomic windows (locmem): the count after it."""
    try:
        return cache.incr(cache_key)
    except ValueError:  # no window open for this key (or it just expired)
        pass
    if cache.add(cache_key, 1, timeout=window_seconds):
        return 1
    try:  # another request opened the window in between
        return cache.incr(cache_key)
    except ValueError:  # and it expired already
        cache.add(cache_key, 1, timeout=window_seconds)
        return 1
