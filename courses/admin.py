"""Admin of the training catalog. Training classes (with their enrolment counts and bulk
assignment), enrollments and attendance are registered by `registration.training.admin`, since
they read registrations."""

from functools import partial

from django.contrib import admin

from accounts import access
from accounts.admin_scope import UNSCOPED, ScopedAdminMixin
from common.history_admin import ReadOnlyHistoryAdmin
from courses.models import TrainingCutoff, TrainingLesson, TrainingModule, TrainingTopic


class TrainingTopicInline(admin.TabularInline):
    model = TrainingTopic
    extra = 0
    fields = ["code", "title", "order"]


@admin.register(TrainingModule)
class TrainingModuleAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = UNSCOPED
    list_display = ["__str__", "round", "level", "schedule"]
    list_filter = ["round", "level"]
    search_fields = ["title", "topics__title"]
    list_select_related = ["round", "level"]
    inlines = [TrainingTopicInline]


@admin.register(TrainingTopic)
class TrainingTopicAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = UNSCOPED
    list_display = ["code", "title", "module"]
    list_filter = ["module__round", "module__level"]
    search_fields = ["title", "code"]
    list_select_related = ["module"]


# --- Lessons and the cut-off --------------------------------------------------------------------


@admin.register(TrainingLesson)
class TrainingLessonAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = partial(access.training_scope, training_class="training_class")
    list_display = ["training_class", "date", "start_time", "end_time", "hours", "place"]
    list_filter = ["training_class__round", "training_class"]
    list_select_related = ["training_class"]
    date_hierarchy = "date"


@admin.register(TrainingCutoff)
class TrainingCutoffAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = UNSCOPED
    list_display = ["round", "cutoff_date"]
    list_select_related = ["round"]
