"""django-axes with a Chinese name in admin and an unlock action.

django-axes ships no Chinese catalogue: its model and column names are translated in
``locale/zh_Hans`` (LOCALE_PATHS), the app's name here. It keeps the cap on failures per client
address from browsers without a device cookie (accounts/login_throttle.py, settings), so an admin
unlocks an address: the action deletes the selected attempt records, which is how django-axes
resets a lock.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("登录保护（地址）")

    def ready(self):
        super().ready()
        from axes.admin import AccessAttemptAdmin
        from axes.conf import settings as axes_settings
        from axes.models import AccessAttempt
        from django.contrib import admin, messages

        if not axes_settings.AXES_ENABLE_ADMIN or not admin.site.is_registered(AccessAttempt):
            return

        class UnlockingAccessAttemptAdmin(AccessAttemptAdmin):
            actions = ["unlock_action", "cleanup_expired_attempts"]

            @admin.action(description=_("解除所选地址的锁定"), permissions=["delete"])
            def unlock_action(self, request, queryset):
                count = queryset.count()
                queryset.delete()
                self.message_user(
                    request, _("已解除 %(n)d 条锁定记录。") % {"n": count}, messages.SUCCESS
                )

        admin.site.unregister(AccessAttempt)
        admin.site.register(AccessAttempt, UnlockingAccessAttemptAdmin)
