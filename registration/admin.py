from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from courses.models import TrainingModule
from fees.models import FeeItem
from registration.models import ExamSession, Major, Registration, SchoolClass, SkillLevel


@admin.register(SkillLevel)
class SkillLevelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name"]
    search_fields = ["name"]


class FeeItemInline(admin.TabularInline):
    model = FeeItem
    extra = 0
    fields = [
        "level",
        "candidate_type",
        "kind",
        "training_option",
        "amount",
        "class_hours",
        "charge_item_name",
        "is_active",
    ]


class TrainingModuleInline(admin.TabularInline):
    model = TrainingModule
    extra = 0
    fields = ["level", "number", "title", "schedule"]
    show_change_link = True


@admin.register(ExamSession)
class ExamSessionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "occupation",
        "registration_deadline",
        "is_published",
        "accepts_students",
        "accepts_social",
    ]
    list_filter = ["is_published", "occupation", "accepts_social"]
    search_fields = ["title", "slug", "occupation"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["levels"]
    inlines = [FeeItemInline, TrainingModuleInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "occupation", "organizer", "is_published", "levels"]}),
        (
            _("报名与考试"),
            {
                "fields": [
                    "registration_opens",
                    "registration_deadline",
                    "exam_period",
                    "exam_location",
                ]
            },
        ),
        (
            _("报名政策"),
            {"fields": ["accepts_students", "accepts_social", "social_refusal_reason"]},
        ),
        (
            _("咨询"),
            {
                "fields": [
                    "consultation_qq",
                    "consultation_days",
                    "consultation_start",
                    "consultation_end",
                    "consultation_note",
                ]
            },
        ),
        (
            _("公告正文"),
            {
                "classes": ["collapse"],
                "fields": [
                    "intro_text",
                    "value_text",
                    "eligibility_notes",
                    "training_audience",
                    "training_note",
                    "fee_payment_text",
                    "fee_note",
                    "how_to_register_text",
                ],
            },
        ),
    ]


@admin.register(Major)
class MajorAdmin(admin.ModelAdmin):
    list_display = ["name", "is_related", "program_years"]
    list_filter = ["is_related"]
    list_editable = ["is_related"]
    search_fields = ["name"]


class SchoolClassInline(admin.TabularInline):
    model = SchoolClass
    extra = 0
    fields = ["name", "enrolment_year", "headcount", "counselor", "is_active"]
    show_change_link = True


MajorAdmin.inlines = [SchoolClassInline]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["name", "major", "enrolment_year", "headcount", "counselor", "is_active"]
    list_filter = ["is_active", "major", "enrolment_year", "counselor"]
    search_fields = ["name", "major__name", "counselor__username", "counselor__first_name"]
    list_select_related = ["major", "counselor"]
    autocomplete_fields = ["counselor"]
    readonly_fields = ["code"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "masked_id",
        "session",
        "level",
        "school_class",
        "status",
        "review_status",
        "payment_status",
        "created_at",
    ]
    list_filter = [
        "session",
        "level",
        "status",
        "review_status",
        "payment_status",
        "candidate_type",
        "school_class__major",
        "school_class",
    ]
    search_fields = ["number", "name", "student_number"]
    list_select_related = ["session", "level", "school_class"]
    readonly_fields = [
        "number",
        "token",
        "quoted_registration_fee",
        "quoted_training_fee",
        "quoted_charge_items",
        "matched_condition_code",
        "matched_condition_text",
        "declared_facts",
        "consent_at",
        "created_at",
        "updated_at",
        "cancelled_at",
    ]
    date_hierarchy = "created_at"

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id_number
