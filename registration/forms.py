"""Forms of the student (and social candidate) sign-up flow."""

import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.functional import cached_property, lazy
from django.utils.translation import gettext_lazy as _

from common.idcard import IdNumberError, id_number_parse, phone_normalise
from common.money import yuan
from common.normalize import NameInvalid, name_clean, student_number_normalize, too_long
from eligibility.forms import QuestionnaireForm
from fees import pricing
from registration.ethnicities import ETHNICITY_CHOICES
from registration.models import Registration
from registration.services.submission import RegistrationInput
from rounds.models import CandidateType, SchoolClass

NAME_CONTROL_CHARS = _("姓名中含有不可见的控制字符，请重新输入。")
STUDENT_NUMBER_INVALID = _("学号只能包含字母、数字和连字符，4至30位。")
CONSENT_REQUIRED = _("须同意为本次考试处理个人信息后才能报名。")
TOO_LONG = _("输入过长：不能超过%(limit_value)d个字符。")

LEVEL_CHOICE_LABEL = "{name}"


class NormalizedCharField(forms.CharField):
    """A CharField whose value is normalised before any validator sees it.

    The raw length is checked first: normalising (NFKC) costs time in proportion to the input,
    and 650,000 × U+FDFA in 学号 held an anonymous POST for 2.1 s. Blanks are removed by the
    normaliser, so the raw value may be up to RAW_LENGTH_FACTOR times `max_length`.
    """

    RAW_LENGTH_FACTOR = 4

    def __init__(self, *, normalizer, **kwargs):
        self.normalizer = normalizer
        super().__init__(**kwargs)

    def to_python(self, value):
        if self.max_length is not None and too_long(
            value, self.max_length * self.RAW_LENGTH_FACTOR
        ):
            raise forms.ValidationError(
                TOO_LONG, code="max_length", params={"limit_value": self.max_length}
            )
        return self.normalizer(super().to_python(value))


class Select(forms.Select):
    """A Select whose copies share its choices (FixedChoiceField): Django's ChoiceWidget copies
    and re-normalises its choices for every form instance. Named as Django's: crispy-forms gives
    each widget its lower-cased class name as a CSS class ("select")."""

    def __deepcopy__(self, memo):
        return forms.Widget.__deepcopy__(self, memo)  # attrs copied, choices shared


class FixedChoiceField(forms.ChoiceField):
    """A ChoiceField whose choices are fixed when the form class is defined: every form instance
    shares them, in the field and in its widget. Django deep-copies every field for every form
    instance, choices included; for the 56 ethnicities that was half of the sign-up form's
    set-up. The list is never changed in place (assigning `field.choices` replaces it on that
    instance only), so sharing it is safe.
    """

    widget = Select

    def __deepcopy__(self, memo):
        memo[id(self._choices)] = self._choices  # deepcopy() hands back the same list
        return super().__deepcopy__(memo)


def _clean_text(value: str) -> str:
    value = " ".join((value or "").split())
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} for ch in value):
        raise forms.ValidationError(NAME_CONTROL_CHARS)
    return value


class _FeeLabels:
    """Level labels with their registration fee, read (one query) when a label is first shown.

    A valid sign-up is saved and redirected without showing the form again: it never reads them.
    """

    def __init__(self, exam_round, candidate_type: str) -> None:
        self._exam_round = exam_round
        self._candidate_type = candidate_type
        self._fees: dict | None = None

    def label(self, level):
        return _fee_label(self, level.code, level.name)

    def text(self, code: int, name: str) -> str:
        if self._fees is None:
            self._fees = pricing.registration_fee_amounts(
                exam_round=self._exam_round, candidate_type=self._candidate_type
            )
        if code not in self._fees:
            return name
        return f"{name}（报名费 {yuan(self._fees[code])} 元）"


# Built once: lazy() creates a proxy class on every call, which cost more than the whole label.
_fee_label = lazy(_FeeLabels.text, str)

# (form class, is_student) -> the base fields that kind of candidate fills in.
_BASE_FIELDS: dict[tuple[type, bool], dict] = {}


class RegistrationForm(QuestionnaireForm):
    name = forms.CharField(
        label=_("姓名"),
        max_length=30,
        help_text=_("与身份证上的姓名一致"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=24,
        help_text=_("18位，最后一位可能是X；性别和出生日期将根据身份证号自动识别"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "text", "data-id-number": "1"}
        ),
    )
    ethnicity = FixedChoiceField(label=_("民族"), choices=[("", "请选择"), *ETHNICITY_CHOICES])
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    student_number = NormalizedCharField(
        normalizer=student_number_normalize,
        label=_("学号"),
        max_length=30,
        validators=[RegexValidator(r"^[A-Za-z0-9-]{4,30}$", STUDENT_NUMBER_INVALID)],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    level = forms.TypedChoiceField(
        label=_("申报等级"), coerce=int, widget=forms.RadioSelect, choices=()
    )
    training_fee_item = forms.TypedChoiceField(
        label=_("培训方式"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=(),
        required=False,
        help_text=_("提高班和强化班可2选1"),
        error_messages={"required": _("请选择培训方式（提高班或强化班）。")},
    )
    work_unit = forms.CharField(
        label=_("工作单位"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    consent = forms.BooleanField(
        label=_("我同意考务通及评价机构为本次职业技能等级认定收集和处理我的上述个人信息"),
        error_messages={"required": CONSENT_REQUIRED},
    )

    # The eligibility questions come from the one questionnaire the self-check uses too.
    SOCIAL_FIELDS = ("work_unit", *QuestionnaireForm.QUESTIONNAIRE_FIELDS)

    def __init__(
        self,
        *args,
        exam_round,
        candidate_type: str,
        levels,
        training_items=(),
        school_class: SchoolClass | None = None,
        **kwargs,
    ):
        is_student = candidate_type == CandidateType.STUDENT
        # Django deep-copies every field of base_fields for each form instance; copy only the
        # fields this kind of candidate fills in (an instance attribute: nothing shared changes).
        self.base_fields = self._base_fields_for(is_student)
        super().__init__(*args, **kwargs)
        self.exam_round = exam_round
        self.candidate_type = candidate_type
        self.school_class = school_class
        fees = _FeeLabels(exam_round, candidate_type)
        self.fields["level"].choices = [(lvl.code, fees.label(lvl)) for lvl in levels]
        if len(self.fields["level"].choices) == 1 and not self.is_bound:
            self.initial.setdefault("level", self.fields["level"].choices[0][0])
        items = list(training_items)
        self.training_items = items
        if not is_student:
            self.fields["training_fee_item"].choices = [
                (item.pk, self._training_label(item)) for item in items
            ]
            # The quote needs one (fees.pricing refuses a social sign-up without it): say so on
            # the form, with the asterisk and the browser's own check, not only after posting.
            self.fields["training_fee_item"].required = bool(items)
            self.fields["work_unit"].required = True

    @cached_property
    def helper(self) -> FormHelper:
        """crispy-forms' layout, built when the form is shown: a valid sign-up never is."""
        helper = FormHelper()
        helper.form_tag = False
        # The template renders its own token: one inside a cached fragment would be stale.
        helper.disable_csrf = True
        helper.layout = self._layout(self.candidate_type == CandidateType.STUDENT)
        return helper

    @classmethod
    def _base_fields_for(cls, is_student: bool) -> dict:
        key = (cls, is_student)
        fields = _BASE_FIELDS.get(key)
        if fields is None:
            # In-school students answer no eligibility questions and have one free training
            # option per level, chosen for them; other candidates have no student number.
            left_out = (
                (*cls.SOCIAL_FIELDS, "training_fee_item") if is_student else ("student_number",)
            )
            fields = {n: f for n, f in cls.base_fields.items() if n not in left_out}
            _BASE_FIELDS[key] = fields
        return fields

    @staticmethod
    def _training_label(item) -> str:
        """ "四级 提高班 300.00元（线上+线下集中1天学习）": the option's name once, then what the
        fee item adds (its hours, or its description without repeating the name)."""
        name = item.get_training_option_display()
        label = f"{item.level.short_name} {name} {yuan(item.amount)}元"
        detail = f"{item.class_hours}学时" if item.class_hours else (item.description or "")
        if detail.startswith(name):
            detail = detail[len(name) :].strip().strip("（）()").strip()
        return f"{label}（{detail}）" if detail else label

    def _layout(self, is_student: bool) -> Layout:
        personal = Fieldset(
            _("个人信息"),
            "name",
            "id_number",
            HTML(
                '<div class="alert alert-light border small py-2 d-none" id="id-derived" '
                'aria-live="polite"></div>'
            ),
            "ethnicity",
            "phone",
            *(["student_number"] if is_student else ["work_unit"]),
        )
        exam = Fieldset(
            _("报考信息"),
            "level",
            HTML('<div id="eligibility-hint" class="small mb-3" aria-live="polite"></div>'),
            *([] if is_student else ["training_fee_item"]),
        )
        parts = [personal, exam]
        if not is_student:
            parts.append(
                Fieldset(_("报考条件相关信息"), self.questionnaire_layout(css_id="questionnaire"))
            )
        parts.append(Fieldset(_("个人信息处理"), "consent"))
        return Layout(*parts)

    def clean_name(self):
        try:
            return name_clean(self.cleaned_data["name"])
        except NameInvalid as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_work_unit(self):
        return _clean_text(self.cleaned_data.get("work_unit", ""))

    def clean_id_number(self):
        try:
            card = id_number_parse(self.cleaned_data["id_number"], today=timezone.localdate())
        except IdNumberError as exc:
            raise forms.ValidationError(exc.message) from None
        self.id_card = card
        return card.number

    def clean_phone(self):
        try:
            return phone_normalise(self.cleaned_data["phone"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        cleaned = super().clean()
        if self.candidate_type == CandidateType.SOCIAL:
            self.questionnaire_clean(cleaned)
        return cleaned

    def answers(self) -> dict:
        """Social candidates' answers in the eligibility API's shape."""
        if self.candidate_type != CandidateType.SOCIAL:
            return {}
        answers = self.questionnaire_facts_dict()
        del answers["candidate_type"]
        return answers

    def to_input(self) -> RegistrationInput:
        data = self.cleaned_data
        return RegistrationInput(
            name=data["name"],
            id_number=data["id_number"],
            ethnicity=data["ethnicity"],
            phone=data["phone"],
            level_code=data["level"],
            candidate_type=self.candidate_type,
            student_number=data.get("student_number", ""),
            training_fee_item_id=data.get("training_fee_item"),
            work_unit=data.get("work_unit", ""),
            answers=self.answers(),
        )

    @classmethod
    def initial_from(cls, registration: Registration) -> dict:
        initial = {
            "name": registration.name,
            "id_number": registration.id_number,
            "ethnicity": registration.ethnicity,
            "phone": registration.phone,
            "student_number": registration.student_number,
            "level": registration.level.code,
            "training_fee_item": registration.training_fee_item_id,
            "work_unit": registration.work_unit,
            "consent": True,
        }
        facts = registration.declared_facts or {}
        if registration.candidate_type == CandidateType.SOCIAL:
            initial.update(QuestionnaireForm.questionnaire_initial(facts))
        return initial


class ClassPickForm(forms.Form):
    school_class = forms.ModelChoiceField(
        label=_("班级"),
        queryset=SchoolClass.objects.none(),
        empty_label=_("请选择您的班级"),
        error_messages={"invalid_choice": _("请选择有效的班级。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.active().select_related("major")
        self.fields["school_class"].label_from_instance = lambda c: f"{c.name}（{c.major.name}）"


class LookupForm(forms.Form):
    id_number = forms.CharField(
        label=_("身份证号"), max_length=24, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("报名时填写的手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self):
        try:
            return phone_normalise(self.cleaned_data["phone"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
