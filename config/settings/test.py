"""Test settings: the same as base, with fast hashing and whatever DATABASE_URL says."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"kwt-test-media-{os.getpid()}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "private", "base_url": "/no-public-url/"},
    },
    # Archive exports of finished rounds (archive app): private too, served only to 教务.
    "archives": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "archives", "base_url": "/no-public-url/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from the finders: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None

# Public pages and form fragments are cached for seconds in production; tests that change data
# and read a page back must see the change at once (a dedicated test turns the cache on).
PUBLIC_PAGE_CACHE_SECONDS = 0
FORM_FRAGMENT_CACHE_SECONDS = 0

# Tests and the gunicorn nodes they start run with DEBUG off: they need a key of their own (never
# the public development key, which only DEBUG on may use).
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "test-only-secret-key-not-for-production-5b1c"
# Tasks run in the test process unless a test starts a real worker (tests/messaging/test_worker.py).
HUEY = {**HUEY, "immediate": True}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
