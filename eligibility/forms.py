"""Forms of the eligibility app: the admin's condition form and the public self-check form."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from eligibility.models import EligibilityCondition, MajorRelation, SchoolKind
from registration.models import CandidateType

MSG_GRADES_INVALID = _("年级须为 1 至 8 的整数，用逗号分隔，如 2,3。")


class EligibilityConditionAdminForm(forms.ModelForm):
    """Checkboxes for the JSON list fields and a comma-separated grades box; the model's clean()
    still validates the whole condition."""

    candidate_types = forms.MultipleChoiceField(
        label=_("适用考生类别"),
        choices=CandidateType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    school_kinds = forms.MultipleChoiceField(
        label=_("认可的学校类型"),
        choices=SchoolKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    major_relations = forms.MultipleChoiceField(
        label=_("认可的专业关系"),
        choices=MajorRelation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    grades = forms.CharField(
        label=_("在校生年级"),
        required=False,
        help_text=_("破格报考适用的年级，用逗号分隔，如 2,3；留空表示不限。"),
    )

    class Meta:
        model = EligibilityCondition
        fields = [
            "session",
            "occupation",
            "level",
            "code",
            "text",
            "order",
            "candidate_types",
            "is_active",
            "min_years",
            "years_basis",
            "years_scope",
            "prior_level",
            "prior_scope",
            "min_years_after_prior",
            "years_after_prior_basis",
            "school_kinds",
            "major_relations",
            "allow_final_year",
            "training_level",
            "grades",
            "requires_related_major",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grades = self.initial.get("grades")
        if isinstance(grades, list):
            self.initial["grades"] = ",".join(str(g) for g in grades)

    def clean_grades(self) -> list[int]:
        raw = self.cleaned_data.get("grades") or ""
        parts = [p for p in re.split(r"[,，、\s]+", raw.strip()) if p]
        if not all(p.isascii() and p.isdigit() and 1 <= int(p) <= 8 for p in parts):
            raise forms.ValidationError(MSG_GRADES_INVALID)
        return sorted({int(p) for p in parts})
