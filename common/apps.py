from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared toolbox: no models, imports no app of the project (checked by import-linter)."""

    name = "common"
    verbose_name = "common"

    def ready(self):
        from common import checks  # noqa: F401  (registers the system checks)
