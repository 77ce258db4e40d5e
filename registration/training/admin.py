"""Admin of training classes, enrollments and attendance.

Training classes are a `courses` model, but their admin counts and assigns registrations, so it
lives in `registration` (imported by `registration.admin`); the admin URLs keep their names
(`admin:courses_trainingclass_…`, which follow the model's app label).
"""

from functools import partial

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.admin_scope import ScopedAdminMixin
from common.history_admin import ReadOnlyHistoryAdmin
from courses.models import TrainingClass, TrainingLesson
from registration.training import selectors, services
from registration.training.models import Attendance, TrainingEnrollment


class TrainingLessonInline(admin.TabularInline):
    model = TrainingLesson
    extra = 0
    fields = ["date", "start_time", "end_time", "hours", "place", "topic"]


@admin.register(TrainingClass)
class TrainingClassAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = partial(access.training_scope, training_class="")
    list_display = ["name", "round", "level", "required_hours", "enrolled_count"]
    list_filter = ["round", "level"]
    search_fields = ["name"]
    list_select_related = ["round", "level"]
    filter_horizontal = ["trainers"]
    inlines = [TrainingLessonInline]
    actions = ["enroll_unassigned"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_enrolled=Count(
                    "enrollments",
                    filter=Q(
                        enrollments__registration__status="active",
                        enrollments__registration__pending_requirement="training",
                    ),
                )
            )
        )

    @admin.display(description=_("学员人数"), ordering="n_enrolled")
    def enrolled_count(self, obj) -> int:
        return obj.n_enrolled

    @admin.action(description=_("把本批次本等级未分班的需培训学员分入所选培训班"))
    def enroll_unassigned(self, request, queryset):
        total = 0
        for training_class in queryset:
            try:
                total += services.training_assign(
                    registrations=selectors.registrations_unassigned(training_class=training_class),
                    training_class=training_class,
                )
            except services.TrainingError:
                continue  # nobody unassigned for this one
        self.message_user(request, _("已分班 %(n)d 名学员。") % {"n": total}, messages.SUCCESS)


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["lesson", "present", "marked_by", "marked_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TrainingEnrollment)
class TrainingEnrollmentAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = partial(
        access.training_scope, training_class="training_class", registration="registration"
    )
    list_display = [
        "registration",
        "training_class",
        "completed_on",
        "completion_method",
        "completion_reason",
    ]
    list_filter = ["training_class__round", "training_class", "completion_method"]
    search_fields = ["registration__name", "registration__student_number", "registration__number"]
    list_select_related = ["registration", "training_class"]
    raw_id_fields = ["registration"]
    readonly_fields = ["enrolled_at", "completed_by"]
    inlines = [AttendanceInline]

    def save_model(self, request, obj, form, change):
        # An admin editing the completion by hand is recorded as its author.
        if "completed_on" in form.changed_data or "completion_reason" in form.changed_data:
            obj.completed_by = request.user if obj.completed_on else None
        super().save_model(request, obj, form, change)


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = partial(
        access.training_scope,
        training_class="enrollment__training_class",
        registration="enrollment__registration",
    )
    author_fields = ("marked_by",)
    list_display = ["lesson", "enrollment", "present", "marked_by", "marked_at"]
    list_filter = ["lesson__training_class__round", "lesson__training_class", "present"]
    list_select_related = ["lesson__training_class", "enrollment__registration", "marked_by"]
    raw_id_fields = ["lesson", "enrollment"]
