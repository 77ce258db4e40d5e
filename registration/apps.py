from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = _("报名")
    # Its cached models, personal fields and role permissions (common.appdata).
    declarations = "registration.data"

    def ready(self):
        # Connects the receiver that makes every login a browser-session, idle-timed staff
        # session (config.middleware.StaffSessionMiddleware), also for logins that happen before
        # the first request has loaded the middleware (management commands, tests).
        import config.middleware  # noqa: F401
        from common import content_cache
        from rounds.content import content_version_bump

        content_cache.connect_signals(database_bump=content_version_bump)
