"""The real URLs plus /bench/bare, for the benchmark server only."""

from django.urls import path

from benchmarks.views import bare
from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench/bare", bare), *app_urlpatterns]
