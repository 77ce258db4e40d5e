"""The project's URLs plus a second admin site with a deliberately unscoped ModelAdmin
(tests/accounts/test_admin_scope.py shows the matrix catching it)."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401
from tests.accounts.test_admin_scope import unscoped_site

urlpatterns = [*urlpatterns, path("unscoped-admin/", unscoped_site.urls)]
