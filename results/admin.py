from functools import partial

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts import access
from accounts.admin_scope import UNSCOPED, ScopedAdminMixin
from results.models import (
    CertificateFormat,
    OfficialCalendarDay,
    RetakeRule,
    ReviewRequest,
    ScorerAssignment,
    ScorerRecusal,
    ScorerRequirement,
    ScoreRule,
)
from results.scorers import ScorerRuleError, assignment_check


@admin.register(ScoreRule)
class ScoreRuleAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    list_display = ["level", "subject", "full_marks", "pass_mark"]
    list_filter = ["level", "subject"]


class ScorerAssignmentForm(forms.ModelForm):
    """The admin refuses what the service refuses: a 考评员 who must step aside (回避)."""

    class Meta:
        model = ScorerAssignment
        fields = ["sitting", "room", "scorer"]

    def clean(self):
        data = super().clean()
        if all(data.get(key) for key in ("sitting", "room", "scorer")):
            try:
                assignment_check(scorer=data["scorer"], sitting=data["sitting"], room=data["room"])
            except ScorerRuleError as error:
                raise forms.ValidationError(error.errors) from None
        return data


@admin.register(ScorerAssignment)
class ScorerAssignmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    form = ScorerAssignmentForm
    list_display = ["sitting", "room", "scorer"]
    list_filter = ["sitting__round"]
    autocomplete_fields = ["scorer"]
    list_select_related = ["sitting__level", "room", "scorer"]


@admin.register(CertificateFormat)
class CertificateFormatAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    list_display = ["round", "pattern"]


@admin.register(RetakeRule)
class RetakeRuleAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    list_display = ["level", "retakes_allowed"]


@admin.register(OfficialCalendarDay)
class OfficialCalendarDayAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(ScorerRequirement)
class ScorerRequirementAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    list_display = ["round", "subject", "scorers_per_room"]
    list_filter = ["round"]


@admin.register(ScorerRecusal)
class ScorerRecusalAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    list_display = ["__str__", "relation"]
    autocomplete_fields = ["scorer"]


@admin.register(ReviewRequest)
class ReviewRequestAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = partial(access.registration_scope, path="registration")
    list_display = ["registration", "subject", "status", "requested_at", "decided_at"]
    list_filter = ["status", "registration__round"]
    readonly_fields = ["registration", "subject", "reason", "requested_at"]
