from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """The outbox: messages to candidates and their delivery; imports rounds and common only."""

    name = "messaging"
    verbose_name = _("消息通知")
    declarations = "messaging.data"
