"""Fixed-window rate limits kept in the Django cache.

With Redis as the cache the counters are shared by every gunicorn worker and every machine. When the
cache is unreachable we let the request through and log a warning: a student must never be locked
out of registering because the cache is down.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit; return True when the caller is over the limit for this window."""
    cache_key = f"ratelimit:{scope}:{key}"
    try:
        if cache.add(cache_key, 1, timeout=window_seconds):
            return False
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=window_seconds)
            return False
        return count > limit
    except Exception:
        logger.warning("rate limit cache unavailable for scope %s; allowing the request", scope)
        return False
