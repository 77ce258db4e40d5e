"""GET /healthz: is this app node able to serve? For load balancers, monitors and deploy scripts.

200 when the database answers; the cache is reported too, but a cache outage alone keeps the
node in service (status "degraded"), because every feature works without Redis, only slower and
with rate limits relaxed. Taking every node out of the pool over a Redis hiccup would turn a
degraded site into a dead one. 503 when the database does not answer.
"""

import logging
import time
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("kaowutong.availability")


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:
        return {
            "ok": False,
            "error": type(exc).__name__,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache read-back mismatch")
    cache.delete(key)


@never_cache
@require_GET
def healthz(request):
    database = _timed(_database)
    if not database["ok"]:
        # Drop the broken connection now so that the next check reconnects.
        connection.close_if_unusable_or_obsolete()
    cache_result = _timed(_cache)
    if not database["ok"]:
        status = "down"
    elif not cache_result["ok"]:
        status = "degraded"
    else:
        status = "ok"
    if status != "ok":
        logger.warning(
            "health check %s: database=%s cache=%s",
            status,
            database.get("error", "ok"),
            cache_result.get("error", "ok"),
        )
    return JsonResponse(
        {"status": status, "database": database, "cache": cache_result},
        status=503 if status == "down" else 200,
    )
