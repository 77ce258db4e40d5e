from django.contrib import admin

from courses.models import TrainingModule, TrainingTopic
from registration.history_admin import ReadOnlyHistoryAdmin


class TrainingTopicInline(admin.TabularInline):
    model = TrainingTopic
    extra = 0
    fields = ["code", "title", "order"]


@admin.register(TrainingModule)
class TrainingModuleAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "session", "level", "schedule"]
    list_filter = ["session", "level"]
    search_fields = ["title", "topics__title"]
    list_select_related = ["session", "level"]
    inlines = [TrainingTopicInline]


@admin.register(TrainingTopic)
class TrainingTopicAdmin(ReadOnlyHistoryAdmin):
    list_display = ["code", "title", "module"]
    list_filter = ["module__session", "module__level"]
    search_fields = ["title", "code"]
    list_select_related = ["module"]
