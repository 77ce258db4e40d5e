from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = _("考务安排")
    # Its cached models, personal fields and role permissions (common.appdata).
    declarations = "exams.data"
