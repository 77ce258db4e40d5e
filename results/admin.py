from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_scope import UNSCOPED, ScopedAdminMixin
from results.models import CertificateFormat, RetakeRule, ScorerAssignment, ScoreRule


@admin.register(ScoreRule)
class ScoreRuleAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    list_display = ["level", "subject", "full_marks", "pass_mark"]
    list_filter = ["level", "subject"]


@admin.register(ScorerAssignment)
class ScorerAssignmentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
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
