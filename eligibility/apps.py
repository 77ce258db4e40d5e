from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = _("报考条件")
    # Its cached models, personal fields and role permissions (common.appdata).
    declarations = "eligibility.data"
