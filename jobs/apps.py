from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Long jobs on the task queue (Huey) and their progress; imports only `common`."""

    name = "jobs"
    verbose_name = _("后台任务")
    declarations = "jobs.data"
