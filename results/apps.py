from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = _("成绩与证书")
    # Its cached models, personal fields and role permissions (common.appdata).
    declarations = "results.data"

    def ready(self) -> None:
        # The score sheet and certificate list fields join workspace's exchange registry here,
        # so the lower app never imports results.
        from results.exchange import register_fields

        register_fields()
