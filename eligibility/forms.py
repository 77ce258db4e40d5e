"""Forms of the eligibility app: the admin's condition form and the public self-check form."""

import re
from decimal import Decimal

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from eligibility.models import EligibilityCondition, MajorRelation, SchoolKind
from rounds.models import CandidateType

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
            "round",
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
            "student_pending_requirement",
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


# --- The questionnaire (one for the self-check and the sign-up) -------------------------------

MSG_STUDENT_NEEDS_CLASS_OR_MAJOR = _("请选择班级，或选择专业和年级。")
MSG_STUDENT_NEEDS_GRADE = _("请选择年级。")
MSG_CUMULATIVE_LESS = _("累计工作年限不能小于连续工作年限。")
MSG_PRIOR_INCOMPLETE = _("请填写证书所属职业和取证后的工作年限。")
MSG_EDUCATION_INCOMPLETE = _("请选择所学专业与电子商务师的关系。")

GRADE_CHOICES = [("", _("请选择")), (1, _("大一")), (2, _("大二")), (3, _("大三")), (4, _("大四"))]
PRIOR_LEVEL_CHOICES = [("", _("没有")), (5, _("五级/初级工")), (4, _("四级/中级工"))]
PRIOR_OCCUPATION_CHOICES = [("same", _("本职业（电子商务师）")), ("related", _("相关职业"))]
# One answer per diploma: 高职 (职业技术学院), 技师学院 and 高级技工学校 are 大专 (see SchoolKind).
EDUCATION_KIND_CHOICES = [
    ("", _("以上都不是 / 不填")),
    *SchoolKind.choices,
]
EDUCATION_MAJOR_CHOICES = [
    (MajorRelation.SAME, _("本专业（电子商务）")),
    (MajorRelation.RELATED, _("相关专业（如跨境电商、市场营销、酒店管理）")),
    (MajorRelation.UNRELATED, _("非相关专业")),
]
EDUCATION_STATUS_CHOICES = [
    ("graduated", _("已取得毕业证书")),
    ("final_year", _("在校应届毕业生（尚未取得毕业证书）")),
    ("studying", _("在读，非应届")),
]
TRAINING_CHOICES = [("", _("没有")), (4, _("四级/中级工")), (3, _("三级/高级工"))]


def _years_field(label, help_text="", required=False):
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=0,
        max_value=60,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5", "min": "0"}),
    )


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class QuestionnaireForm(forms.Form):
    """The questions a social candidate answers, with one set of names and labels: the self-check
    and the sign-up both inherit them, so the same answers give the same facts."""

    QUESTIONNAIRE_FIELDS = (
        "years_in_occupation",
        "cumulative_years_in_occupation",
        "prior_level",
        "prior_occupation",
        "prior_years_after",
        "prior_continuous",
        "education_kind",
        "education_major",
        "education_status",
        "training_certificate",
    )

    years_in_occupation = _years_field(
        _("在本职业连续工作年限（年）"), _("电子商务相关岗位连续工作的年数，没有填 0。")
    )
    cumulative_years_in_occupation = _years_field(
        _("在本职业累计工作年限（年）"), _("可不填；不填按连续工作年限计算。")
    )
    prior_level = forms.TypedChoiceField(
        label=_("已取得的职业资格（技能等级）证书"),
        choices=PRIOR_LEVEL_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
    )
    prior_occupation = forms.ChoiceField(
        label=_("证书所属职业"),
        choices=PRIOR_OCCUPATION_CHOICES,
        initial="same",
        required=False,
    )
    prior_years_after = _years_field(_("取证后从事本职业或相关职业的工作年限（年）"))
    prior_continuous = forms.BooleanField(label=_("取证后一直连续从事本职业工作"), required=False)
    education_kind = forms.ChoiceField(
        label=_("毕业（或就读）学校类型"), choices=EDUCATION_KIND_CHOICES, required=False
    )
    education_major = forms.ChoiceField(
        label=_("所学专业与电子商务师的关系"),
        choices=EDUCATION_MAJOR_CHOICES,
        initial=MajorRelation.SAME,
        required=False,
    )
    education_status = forms.ChoiceField(
        label=_("毕业情况"), choices=EDUCATION_STATUS_CHOICES, initial="graduated", required=False
    )
    training_certificate = forms.TypedChoiceField(
        label=_("已取得的本职业正规培训结业证书"),
        choices=TRAINING_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
    )

    @staticmethod
    def questionnaire_layout(**kwargs) -> Div:
        return Div(
            Fieldset(_("工作经历"), "years_in_occupation", "cumulative_years_in_occupation"),
            Fieldset(
                _("已取得的证书"),
                "prior_level",
                Div(
                    "prior_occupation",
                    "prior_years_after",
                    "prior_continuous",
                    css_id="elig-prior-details",
                    data_depends="id_prior_level",
                ),
            ),
            Fieldset(
                _("学历"),
                "education_kind",
                Div(
                    "education_major",
                    "education_status",
                    css_id="elig-education-details",
                    data_depends="id_education_kind",
                ),
            ),
            Fieldset(_("培训"), "training_certificate"),
            **kwargs,
        )

    def questionnaire_clean(self, data: dict) -> None:
        years = data.get("years_in_occupation") or 0
        cumulative = data.get("cumulative_years_in_occupation")
        if cumulative is not None and cumulative < years:
            self.add_error("cumulative_years_in_occupation", MSG_CUMULATIVE_LESS)
        if data.get("prior_level") is not None and not data.get("prior_occupation"):
            self.add_error("prior_occupation", MSG_PRIOR_INCOMPLETE)
        if data.get("education_kind") and not data.get("education_major"):
            self.add_error("education_major", MSG_EDUCATION_INCOMPLETE)

    def questionnaire_facts_dict(self) -> dict:
        """The answers in the shape eligibility.selectors.facts_from_dict reads (social)."""
        data = self.cleaned_data
        prior = None
        if data.get("prior_level") is not None:
            prior = {
                "level": data["prior_level"],
                "occupation": data.get("prior_occupation") or "same",
                "years_after": _number(data.get("prior_years_after") or 0),
                "continuous": bool(data.get("prior_continuous")),
            }
        education = None
        if data.get("education_kind"):
            status = data.get("education_status") or "graduated"
            education = {
                "kind": data["education_kind"],
                "major": data.get("education_major") or MajorRelation.SAME,
                "graduated": status == "graduated",
                "final_year": status == "final_year",
            }
        return {
            "candidate_type": CandidateType.SOCIAL.value,
            "years_in_occupation": _number(data.get("years_in_occupation") or 0),
            "cumulative_years_in_occupation": _number(data.get("cumulative_years_in_occupation")),
            "prior_certificate": prior,
            "education": education,
            "training_certificate": data.get("training_certificate"),
        }

    @staticmethod
    def questionnaire_initial(facts: dict) -> dict:
        """Form initial values from stored facts (facts_to_dict shape): the inverse of the above."""
        prior = facts.get("prior_certificate") or {}
        education = facts.get("education") or {}
        status = ""
        if education:
            status = (
                "graduated"
                if education.get("graduated")
                else ("final_year" if education.get("final_year") else "studying")
            )
        kind = education.get("kind")
        if kind == "vocational_advanced":  # the old separate answer for a 高职 diploma
            kind = SchoolKind.COLLEGE
        return {
            "years_in_occupation": facts.get("years_in_occupation"),
            "cumulative_years_in_occupation": facts.get("cumulative_years_in_occupation"),
            "prior_level": prior.get("level"),
            "prior_occupation": prior.get("occupation"),
            "prior_years_after": prior.get("years_after"),
            "prior_continuous": prior.get("continuous"),
            "education_kind": kind,
            "education_major": education.get("major"),
            "education_status": status,
            "training_certificate": facts.get("training_certificate"),
        }


class SelfCheckForm(QuestionnaireForm):
    """Asks only what matters for the candidate type; without JavaScript both groups show and the
    server reads the group of the chosen type."""

    candidate_type = forms.ChoiceField(
        label=_("考生类别"),
        choices=CandidateType.choices,
        initial=CandidateType.STUDENT,
        widget=forms.RadioSelect,
    )

    school_class = forms.ModelChoiceField(
        label=_("班级"),
        queryset=None,
        required=False,
        empty_label=_("不选班级，按专业和年级自测"),
    )
    major = forms.ModelChoiceField(
        label=_("专业"), queryset=None, required=False, empty_label=_("请选择")
    )
    grade = forms.TypedChoiceField(
        label=_("年级"),
        choices=GRADE_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("按报名截止时的年级填写。"),
    )

    # The round's slug, carried through the GET submit as ?round= (common.round_param.PARAM; the
    # view reads it, and the older ?session=, with round_slug). The layout names it: a layout
    # entry without a field of that name logged a KeyError traceback on every render.
    round = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, classes=None, majors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
        self.fields["major"].queryset = majors
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "self-check-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "round",
            InlineRadios("candidate_type"),
            Div(
                Field("school_class"),
                HTML(
                    '<p class="elig-or small text-body-secondary">'
                    + str(_("或者按专业和年级："))
                    + "</p>"
                ),
                Div(
                    Div("major", css_class="col-7"),
                    Div("grade", css_class="col-5"),
                    css_class="row g-2",
                ),
                css_id="elig-student",
                css_class="elig-group",
                data_group="student",
            ),
            self.questionnaire_layout(
                css_id="elig-social", css_class="elig-group", data_group="social"
            ),
            Submit("check", _("查看自测结果"), css_class="btn-lg w-100 mt-2"),
        )

    def clean(self):
        data = super().clean()
        if data.get("candidate_type") == CandidateType.STUDENT:
            if data.get("school_class") is None:
                if data.get("major") is None:
                    self.add_error("major", MSG_STUDENT_NEEDS_CLASS_OR_MAJOR)
                elif data.get("grade") is None:
                    self.add_error("grade", MSG_STUDENT_NEEDS_GRADE)
        elif data.get("candidate_type") == CandidateType.SOCIAL:
            self.questionnaire_clean(data)
        return data

    def social_facts_dict(self) -> dict:
        return self.questionnaire_facts_dict()
