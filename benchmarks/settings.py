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
# Likewise the per-address sign-up limit (300 per 10 minutes): the benchmark's thousands of
# registrations all come from one address. The counter is still kept in Redis on every POST.
SIGNUP_RATE_LIMIT = 10**9
