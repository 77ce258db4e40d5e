"""A per-client request counter kept in the Django cache.

The counter starts at a client's first request and expires `window_seconds` later (a fixed window
per client, not aligned to the clock). cache.add and cache.incr are atomic in Redis, so with
REDIS_URL set every worker process and machine shares the counters; with the local-memory cache
each process counts on its own. Should the cache be unreachable the request goes through (a warning
is logged): a broken cache must not take the self-check down with it.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or "unknown"


def over_limit(*, scope: str, client: str, limit: int, window_seconds: int = 60) -> bool:
    """Count one request; True when this client has made more than `limit` in its window."""
    key = f"eligibility:ratelimit:{scope}:{client}"
    try:
        if cache.add(key, 1, timeout=window_seconds):
            return 1 > limit
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add() and incr()
            cache.add(key, 1, timeout=window_seconds)
            return 1 > limit
    except Exception:
        logger.warning("eligibility rate limit: cache unavailable, request allowed")
        return False
    return count > limit
