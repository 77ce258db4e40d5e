from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    """The round kernel: rounds (批次), levels, majors, classes; imports only `common`."""

    name = "rounds"
    verbose_name = _("考试批次")
    # Its cached models, personal fields and role permissions (common.appdata).
    declarations = "rounds.data"
