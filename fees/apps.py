from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "fees"
    verbose_name = _("费用")
    # Its cached models, personal fields and role permissions (common.appdata).
    declarations = "fees.data"
