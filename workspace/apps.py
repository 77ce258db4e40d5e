from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """Counselor and 教务 pages: rosters, review, exports, class lists, QR posters."""

    name = "workspace"
    verbose_name = _("辅导员与教务工作台")
