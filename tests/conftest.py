"""Fixtures shared by the whole suite."""

import pytest
from django.db import connection

from registration.loaders import announcement_load


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    vendor = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in vendor:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in the PostgreSQL pass of make test)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_in_process_caches():
    """Every test starts with empty in-process caches: pages, verdicts, rate-limit counters and
    process memos (common.content_cache.ProcessMemo).

    Only LocMemCache aliases are cleared: clear() on a Redis alias would flush a shared database.
    """
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from common.content_cache import process_memos_clear

    for alias in caches:
        if isinstance(caches[alias], LocMemCache):
            caches[alias].clear()
    process_memos_clear()
    yield


@pytest.fixture
def announcement(db):
    """The 2022 round exactly as the announcement states it."""
    return announcement_load()


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True, scope="session")
def _photo_files_removed_after_the_run():
    """Uploaded test photos go to a per-process MEDIA_ROOT under /tmp (config/settings/test.py)."""
    yield
    import shutil

    from django.conf import settings

    if "kwt-test-media-" in str(settings.MEDIA_ROOT):
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
