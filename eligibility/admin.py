from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import UNSCOPED, ScopedAdminMixin
from common.history_admin import ReadOnlyHistoryAdmin
from eligibility.forms import EligibilityConditionAdminForm
from eligibility.models import EligibilityCondition
from rounds.models import CandidateType


@admin.register(EligibilityCondition)
class EligibilityConditionAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = UNSCOPED
    form = EligibilityConditionAdminForm
    list_display = [
        "code",
        "level",
        "round",
        "short_text",
        "candidate_types_display",
        "is_active",
        "order",
    ]
    list_display_links = ["code", "short_text"]
    list_filter = ["round", "level", "is_active"]
    list_select_related = ["round", "level"]
    search_fields = ["code", "text", "occupation"]
    ordering = ["round", "-level__code", "order", "code"]

    class Media:
        css = {"all": ["css/eligibility.css"]}

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "round",
                    "occupation",
                    "level",
                    "code",
                    "text",
                    "order",
                    "candidate_types",
                    "is_active",
                ]
            },
        ),
        (_("从业年限"), {"fields": ["min_years", "years_basis", "years_scope"]}),
        (
            _("已取得的证书"),
            {
                "fields": [
                    "prior_level",
                    "prior_scope",
                    "min_years_after_prior",
                    "years_after_prior_basis",
                ]
            },
        ),
        (_("学历"), {"fields": ["school_kinds", "major_relations", "allow_final_year"]}),
        (_("培训"), {"fields": ["training_level", "student_pending_requirement"]}),
        (_("在校生破格报考"), {"fields": ["grades", "requires_related_major"]}),
    ]

    @admin.display(description=_("公告原文"), ordering="text")
    def short_text(self, obj: EligibilityCondition) -> str:
        return obj.text if len(obj.text) <= 40 else obj.text[:40] + "…"

    @admin.display(description=_("适用考生类别"))
    def candidate_types_display(self, obj: EligibilityCondition) -> str:
        labels = dict(CandidateType.choices)
        return "、".join(str(labels.get(t, t)) for t in obj.candidate_types)
