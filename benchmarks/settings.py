"""Production settings for the benchmark server, plus /bench/bare and a temporary STATIC_ROOT.

Everything else (DEBUG off, PostgreSQL, Redis cache and sessions, whitenoise compressed manifest
storage, the full middleware stack, real CSRF checks) is exactly what production runs.
"""

import os

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
# The API allows 60 requests a minute per client address and every request of the benchmark comes
# from 127.0.0.1: the limit would measure the 429 page. The counter is still incremented in Redis.
ELIGIBILITY_API_RATE_LIMIT = 10**9
# Likewise the sign-up limits per address and per class link: the benchmark's thousands of
# registrations all come from one address through a few links. The counters are still kept in
# Redis on every POST.
SIGNUP_RATE_LIMIT = 10**9
SIGNUP_RATE_LIMIT_PER_LINK = 10**9
