from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """Counselor and 教务 pages: rosters, review, exports, class lists, QR posters, and the
    national-platform exchange layouts."""

    name = "workspace"
    verbose_name = _("辅导员与教务工作台")
    # Its cached models, personal fields and role permissions (common.appdata).
    declarations = "workspace.data"

    def ready(self) -> None:
        from workspace.exchange import candidate_fields  # noqa: F401  (registers the fields)
