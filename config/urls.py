from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

import accounts.urls
import registration.urls
import workspace.urls
from accounts import views as accounts_views
from config.health import healthz

admin.site.site_header = _("考务通 管理后台")
admin.site.site_title = _("考务通")
admin.site.index_title = _("考务管理")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Django admin's sign-in with the workspace's lock page (accounts/login_throttle.py).
    path("admin/login/", accounts_views.admin_login, name="admin_login_throttled"),
    path("admin/", admin.site.urls),
    path("archive/", include("archive.urls")),
    path("eligibility/", include("eligibility.urls")),
    path("exams/", include("exams.urls")),
    path("jobs/", include("jobs.urls")),
    path("results/", include("results.urls")),
    path("training/", include("workspace.training_urls")),  # namespace "courses"
    path("", include("payments.urls")),
    # One namespace for the student, staff and login pages: their URL names predate the split.
    path(
        "",
        include(
            (
                [
                    *registration.urls.urlpatterns,
                    *workspace.urls.urlpatterns,
                    *accounts.urls.urlpatterns,
                ],
                "registration",
            )
        ),
    ),
]

handler400 = "registration.views.errors.bad_request"
handler403 = "registration.views.errors.permission_denied"
handler404 = "registration.views.errors.page_not_found"
handler500 = "registration.views.errors.server_error"
