"""The real URLs plus /bench/bare (the baseline) and one what-if, for the benchmark server only."""

from django.urls import path
from django.views.decorators.cache import cache_page

from benchmarks.views import bare
from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns
from registration.views.public import home

urlpatterns = [
    path("bench/bare", bare),
    # What-if, not how the app is served: the real home view behind Django's per-view cache in
    # Redis (60 s), to show what caching the anonymous home page would buy.
    path("bench/home-cached", cache_page(60)(home)),
    *app_urlpatterns,
]
