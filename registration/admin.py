"""Admin of the kernel's reference data and of class lists.

The round and registration admins inline fees and rules and run review and ledger actions, so
they live in `workspace/admin.py`, above every app they use (docs/architecture.md).
"""

from functools import partial

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.admin_scope import UNSCOPED, ScopedAdminMixin
from common.history_admin import ReadOnlyHistoryAdmin
from common.idcard import IdNumberError, id_number_parse, phone_normalise
from common.normalize import NameInvalid, name_clean, student_number_normalize
from registration.models import ClassListEntry, RetakeOffer
from registration.training import admin as training_admin  # noqa: F401  (registers its admins)
from rounds.models import Major, SchoolClass, SkillLevel


class PersonFieldsMixin:
    """Admin edits normalised like the sign-up form: no path stores a full-width value."""

    def clean_name(self):
        try:
            return name_clean(self.cleaned_data["name"])
        except NameInvalid as exc:
            raise ValidationError(exc.message) from None

    def clean_phone(self):
        try:
            return phone_normalise(self.cleaned_data["phone"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def clean_student_number(self):
        return student_number_normalize(self.cleaned_data.get("student_number", ""))

    def clean_id_number(self):
        try:
            return id_number_parse(
                self.cleaned_data["id_number"], today=timezone.localdate()
            ).number
        except IdNumberError as exc:
            raise ValidationError(exc.message) from None


class ClassListEntryAdminForm(PersonFieldsMixin, forms.ModelForm):
    class Meta:
        model = ClassListEntry
        fields = ["school_class", "student_number", "name", "id_number", "is_active"]


@admin.register(SkillLevel)
class SkillLevelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope = UNSCOPED
    list_display = ["code", "name", "short_name"]
    search_fields = ["name"]


@admin.register(Major)
class MajorAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = UNSCOPED
    list_display = ["name", "relation", "program_years"]
    list_filter = ["relation"]
    list_editable = ["relation"]
    search_fields = ["name"]


class SchoolClassInline(admin.TabularInline):
    model = SchoolClass
    extra = 0
    fields = ["name", "enrolment_year", "headcount", "counselor", "is_active"]
    show_change_link = True


MajorAdmin.inlines = [SchoolClassInline]


@admin.register(SchoolClass)
class SchoolClassAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = access.class_scope
    list_display = ["name", "major", "enrolment_year", "headcount", "counselor", "is_active"]
    list_filter = ["is_active", "major", "enrolment_year", "counselor"]
    search_fields = ["name", "major__name", "counselor__username", "counselor__first_name"]
    list_select_related = ["major", "counselor"]
    autocomplete_fields = ["counselor"]
    readonly_fields = ["code"]


@admin.register(ClassListEntry)
class ClassListEntryAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    """班级名单, kept by hand; counselors usually import it from Excel in their workspace."""

    scope = partial(access.class_scope, path="school_class")

    form = ClassListEntryAdminForm
    list_display = ["student_number", "name", "masked_id", "school_class", "is_active"]
    list_filter = ["is_active", "school_class__major", "school_class"]
    search_fields = ["student_number", "name", "school_class__name"]
    list_select_related = ["school_class"]
    autocomplete_fields = ["school_class"]
    readonly_fields = ["created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # remove a student by unticking 在名单中: the record and its history stay

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id_number


@admin.register(RetakeOffer)
class RetakeOfferAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    """补考资格: made by 教务 on the results retake page, used by the candidate's retake sign-up."""

    scope = partial(access.registration_scope, path="source_registration")

    list_display = ["name", "masked_id", "level", "subject", "exam_round", "used_registration"]
    list_filter = ["exam_round", "level", "subject"]
    search_fields = ["name"]
    list_select_related = ["level", "exam_round", "used_registration"]
    readonly_fields = [
        "id_number",
        "name",
        "level",
        "subject",
        "source_registration",
        "exam_round",
        "used_registration",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False  # offers are made from the results (results.retakes.offer_retakes)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id_number
