from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from results.models import CertificateFormat, RetakeRule, ScorerAssignment, ScoreRule


@admin.register(ScoreRule)
class ScoreRuleAdmin(SimpleHistoryAdmin):
    list_display = ["level", "subject", "full_marks", "pass_mark"]
    list_filter = ["level", "subject"]


@admin.register(ScorerAssignment)
class ScorerAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["sitting", "room", "scorer"]
    list_filter = ["sitting__round"]
    autocomplete_fields = ["scorer"]
    list_select_related = ["sitting__level", "room", "scorer"]


@admin.register(CertificateFormat)
class CertificateFormatAdmin(SimpleHistoryAdmin):
    list_display = ["round", "pattern"]


@admin.register(RetakeRule)
class RetakeRuleAdmin(SimpleHistoryAdmin):
    list_display = ["level", "retakes_allowed"]
