from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Staff roles (groups and their permissions) and the login pages; imports only `common`."""

    name = "accounts"
    verbose_name = _("账号与角色")
