"""django-device-cookies with a Chinese name in admin and an unlock action.

Its failure records are what lock a browser or an account's unknown browsers
(accounts/login_throttle.py); deleting them ends a lock-out early. The package ships no Chinese
catalogue: its names and its lock-out message are translated in ``locale/zh_Hans`` (LOCALE_PATHS).
"""

from django.utils.translation import gettext_lazy as _
from django_device_cookies.apps import DeviceCookiesConfig as PackageConfig


class DeviceCookiesConfig(PackageConfig):
    verbose_name = _("登录保护（设备）")

    def ready(self):
        super().ready()
        from django.contrib import admin, messages
        from django_device_cookies.admin import FailedAuthenticationAttemptAdmin
        from django_device_cookies.models import FailedAuthenticationAttempt

        if not admin.site.is_registered(FailedAuthenticationAttempt):
            return
        # The package's model has no translatable name of its own.
        FailedAuthenticationAttempt._meta.verbose_name = _("登录失败记录（按账号与浏览器）")
        FailedAuthenticationAttempt._meta.verbose_name_plural = _("登录失败记录（按账号与浏览器）")

        class UnlockingAdmin(FailedAuthenticationAttemptAdmin):
            actions = ["unlock_action"]

            list_display = ["account", "browser", "failed_at"]
            search_help_text = _("输入用户名，查找该账号的失败记录。")

            @admin.display(description=_("账号"), ordering="user__username")
            def account(self, obj):
                return obj.user or _("（不存在的账号）")

            @admin.display(description=_("浏览器"))
            def browser(self, obj):
                return _("曾登录过的浏览器") if obj.device else _("未登录过的浏览器")

            @admin.display(description=_("失败时间"), ordering="time")
            def failed_at(self, obj):
                return obj.time

            @admin.action(description=_("解除所选记录对应的登录锁定"), permissions=["delete"])
            def unlock_action(self, request, queryset):
                count = queryset.count()
                queryset.delete()
                self.message_user(
                    request, _("已删除 %(n)d 条失败记录。") % {"n": count}, messages.SUCCESS
                )

        admin.site.unregister(FailedAuthenticationAttempt)
        admin.site.register(FailedAuthenticationAttempt, UnlockingAdmin)
