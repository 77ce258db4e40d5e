import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limit_counters():
    """The API's rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()
