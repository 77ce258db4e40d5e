from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("归档与个人信息清理")
    # Its cached models, personal fields and role permissions (common.appdata).
    declarations = "archive.data"
