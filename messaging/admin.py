"""Admin: the event texts (with history), and the message log with delivery state and reasons."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from common.history_admin import ReadOnlyHistoryAdmin
from messaging.models import Message, MessageState, MessageTemplate
from messaging.services import message_retry


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnlyHistoryAdmin):
    list_display = ["event", "title", "essential", "sms_template_code"]
    readonly_fields = ["event"]

    def has_add_permission(self, request):
        return False  # one row per event, seeded by the migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient_name",
        "event",
        "channel",
        "state",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state", "channel", "event", "round"]
    search_fields = ["recipient_name"]
    exclude = ["address", "sms_params"]  # e-mail addresses and phones stay out of the list
    actions = ["retry"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Message._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("重新发送选中的失败消息"))
    def retry(self, request, queryset):
        count = 0
        for message in queryset.filter(state=MessageState.FAILED):
            message_retry(message=message)
            count += 1
        self.message_user(request, _("已重新排队 %(n)d 条。") % {"n": count}, messages.SUCCESS)
