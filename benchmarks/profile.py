"""Where a request's time goes: `python -m benchmarks.profile /r/<code>/` (run by benchmarks.run).

Each scenario is served in-process by Django's test client (the same settings, middleware,
PostgreSQL and Redis as the benchmark server, without gunicorn and HTTP) under cProfile. The
time of every function is attributed to the first matching category of its file, innermost
frames first, so "templates" is time spent inside the template engine and crispy-forms, "database"
inside psycopg and the ORM's SQL compiler, and so on. Prints one JSON object.
"""

import cProfile
import datetime as dt
import json
import os
import pstats
import random
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

CATEGORIES = [
    ("templates", ("/django/template/", "/crispy_forms/", "/crispy_bootstrap5/", "/django/forms/")),
    (
        "database",
        ("/psycopg/", "/django/db/", "/psycopg_binary/"),
    ),
    ("cache (Redis)", ("/redis/", "/django/core/cache/")),
    ("eligibility engine", ("/eligibility/engine/",)),
    (
        "middleware and request handling",
        (
            "/django/middleware/",
            "/django/core/handlers/",
            "/django/contrib/",
            "/csp/",
            "/whitenoise/",
            "/axes/",
            "/simple_history/",
            "/django/http/",
            "/django/test/",
        ),
    ),
    ("translation and formats", ("/django/utils/translation/", "/django/utils/formats")),
]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUESTS = 30
API_BODY = json.dumps({"level": 3, "candidate_type": "student", "major": "电子商务", "grade": 2})


def _category(filename: str) -> str:
    if filename.startswith(ROOT) and "site-packages" not in filename:
        return "app code"
    for name, needles in CATEGORIES:
        if any(needle in filename for needle in needles):
            return name
    if "site-packages" in filename:
        return "other libraries"
    return "Python itself (stdlib, builtins)"


# Frames that only pass the request along: left out of the "top cumulative" list.
PASS_THROUGH = (
    "/config/middleware.py",
    "/django/utils/deprecation.py",
    "/whitenoise/",
    "/simple_history/middleware",
    "/axes/middleware",
    "/django/views/decorators/",
    "/benchmarks/profile.py",
    "contextlib.py",
    "/django/core/handlers/",
    "/django/test/",
    "{built-in method builtins.exec}",
)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


# Reruns against the same database must not resubmit an ID number: start somewhere random.
ID_OFFSET = random.randrange(2000) * 1000


def _post_data(index: int) -> dict:
    index += ID_OFFSET
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    birth = dt.date(1995, 1, 1) + dt.timedelta(days=index // 1000)
    first17 = f"110101{birth:%Y%m%d}{index % 1000:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    return {
        "name": "张三",
        "id_number": first17 + check,
        "ethnicity": "汉族",
        "phone": "13800138000",
        "student_number": "2020123456",
        "level": "3",
        "consent": "on",
    }


def _expect(response, status: int):
    if response.status_code != status:
        raise SystemExit(f"expected {status}, got {response.status_code}")
    return response


def profile(name: str, call) -> dict:
    call(0)  # warm caches
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        call(1)
    started = time.perf_counter()
    for i in range(2, 2 + REQUESTS):
        call(i)
    wall_ms = (time.perf_counter() - started) / REQUESTS * 1000
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(100, 100 + REQUESTS):
        call(i)
    profiler.disable()
    stats = pstats.Stats(profiler)
    totals: dict[str, float] = {}
    for (filename, _line, _func), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        category = _category(filename)
        totals[category] = totals.get(category, 0.0) + tottime
    grand = sum(totals.values()) or 1.0
    top = sorted(
        (
            (ct, f"{filename.split('site-packages/')[-1]}:{line}({func})")
            for (filename, line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items()
            if not any(p in filename for p in PASS_THROUGH)
        ),
        reverse=True,
    )[:12]
    return {
        "scenario": name,
        "ms_per_request": round(wall_ms, 2),
        "queries_per_request": counter.count,
        "share": {
            k: round(v / grand * 100, 1) for k, v in sorted(totals.items(), key=lambda i: -i[1])
        },
        "top_cumulative": [f"{ct / REQUESTS * 1000:.1f} ms {where}" for ct, where in top],
    }


def main(form_path: str) -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    scenarios = {
        "bare": lambda i: client.get("/bench/bare"),
        "home": lambda i: client.get("/"),
        "form": lambda i: client.get(form_path),
        "register": lambda i: _expect(client.post(form_path, _post_data(i)), 302),
        "api": lambda i: client.post(
            "/eligibility/api/evaluate", API_BODY, content_type="application/json"
        ),
    }
    results = [profile(name, call) for name, call in scenarios.items()]
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
