"""Eligibility conditions (报考条件) as data an admin edits.

Each record is one numbered condition of the announcement. All of the parameters that are set must
hold together; a candidate may apply for a level when any one active condition of that level holds.
The evaluation itself lives in plain Python (eligibility.engine); this module only stores rules.
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.history import HistoricalRecords
from eligibility.engine import vocabulary as v
from rounds.models import MajorRelation


class YearsBasis(models.TextChoices):
    CONTINUOUS = "continuous", _("连续")
    CUMULATIVE = "cumulative", _("累计")


class OccupationScope(models.TextChoices):
    SAME = "same", _("本职业")
    SAME_OR_RELATED = "same_or_related", _("本职业或相关职业")


class SchoolKind(models.TextChoices):
    """One answer per diploma: 高职 (职业技术学院), 高级技工学校 and 技师学院 diplomas are 大专
    diplomas, so a rule about 大专 holds for all of them (the old separate value
    "vocational_advanced" is read as "college" by the engine and was migrated away)."""

    # Labels come from the engine's vocabulary: one label per value everywhere.
    TECHNICAL_SCHOOL = v.TECHNICAL_SCHOOL, _(v.SCHOOL_KIND_LABELS[v.TECHNICAL_SCHOOL])
    VOCATIONAL_INTERMEDIATE = (
        v.VOCATIONAL_INTERMEDIATE,
        _(v.SCHOOL_KIND_LABELS[v.VOCATIONAL_INTERMEDIATE]),
    )
    COLLEGE = v.COLLEGE, _(v.SCHOOL_KIND_LABELS[v.COLLEGE])


class StudentPendingRequirement(models.TextChoices):
    NONE = "", _("无")
    TRAINING = "training", _("在校生可在考前完成本校培训（有条件符合）")


CANDIDATE_TYPE_VALUES = ("student", "social")

# Sensible bounds for the year parameters: the announcement asks 1 to 6 years.
MAX_RULE_YEARS = Decimal(30)
MSG_YEARS_RANGE = _("年限须大于 0 且不超过 %(max)s 年。")
MSG_TEXT_YEARS = _(
    "公告原文写的年限（%(text)s）与参数（%(params)s）不一致：请修改公告原文或“%(field)s”，"
    "使两者一致。"
)
MSG_TEXT_YEARS_MISSING = _(
    "“%(field)s”为 %(value)s 年，但公告原文中没有“%(value)s年”：请在公告原文中写明，或修改该参数。"
)
MSG_TEXT_LEVEL_MISSING = _(
    "“%(field)s”为%(level)s，但公告原文中没有“%(level)s”：请修改公告原文或该参数，使两者一致。"
)
YEARS_IN_TEXT = re.compile(r"(\d+(?:\.\d+)?)\s*年")


def _years_label(value: Decimal) -> str:
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


class EligibilityCondition(models.Model):
    round = models.ForeignKey(
        "rounds.ExamRound",
        db_column="session_id",
        verbose_name=_("考试批次"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="eligibility_conditions",
        help_text=_("留空表示对该职业的所有批次适用。"),
    )
    occupation = models.CharField(
        _("职业（工种）"), max_length=60, blank=True, help_text=_("仅在未指定批次时使用。")
    )
    level = models.ForeignKey(
        "rounds.SkillLevel",
        verbose_name=_("申报等级"),
        on_delete=models.PROTECT,
        related_name="eligibility_conditions",
    )
    code = models.CharField(_("条件代码"), max_length=20, help_text=_("如 L4-2"))
    text = models.TextField(_("公告原文"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    candidate_types = models.JSONField(
        _("适用考生类别"), default=list, help_text=_('如 ["social", "student"]')
    )
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords(verbose_name=_("报考条件历史"))

    min_years = models.DecimalField(
        _("最少从业年限"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_RULE_YEARS)],
    )
    years_basis = models.CharField(
        _("年限计算方式"), max_length=12, choices=YearsBasis.choices, blank=True
    )
    years_scope = models.CharField(
        _("从业范围"), max_length=20, choices=OccupationScope.choices, blank=True
    )

    prior_level = models.ForeignKey(
        "rounds.SkillLevel",
        verbose_name=_("须持有的证书等级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    prior_scope = models.CharField(
        _("证书职业范围"), max_length=20, choices=OccupationScope.choices, blank=True
    )
    min_years_after_prior = models.DecimalField(
        _("取证后最少从业年限"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_RULE_YEARS)],
    )
    years_after_prior_basis = models.CharField(
        _("取证后年限计算方式"), max_length=12, choices=YearsBasis.choices, blank=True
    )

    school_kinds = models.JSONField(_("认可的学校类型"), default=list, blank=True)
    major_relations = models.JSONField(_("认可的专业关系"), default=list, blank=True)
    allow_final_year = models.BooleanField(
        _("含在校应届毕业生"), default=False, help_text=_("尚未取得毕业证书的在校应届毕业生亦可。")
    )

    training_level = models.ForeignKey(
        "rounds.SkillLevel",
        verbose_name=_("须取得的培训结业证书等级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    grades = models.JSONField(
        _("在校生年级"), default=list, blank=True, help_text=_("破格报考适用的年级，如 [2, 3]")
    )
    requires_related_major = models.BooleanField(_("须为相关专业在校生"), default=False)
    student_pending_requirement = models.CharField(
        _("在校生可考前完成"),
        max_length=20,
        choices=StudentPendingRequirement.choices,
        blank=True,
        default="",
        help_text=_(
            "学院对公告的理解：本条要求的培训即本校免费培训，在校生报名后考前完成即可。"
            "在校生仅缺培训结业证书时，判为“有条件符合”。"
        ),
    )

    class Meta:
        verbose_name = _("报考条件")
        verbose_name_plural = _("报考条件")
        ordering = ["-level__code", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "code"],
                condition=Q(round__isnull=False),
                name="condition_code_unique_per_session",
            ),
            models.UniqueConstraint(
                fields=["occupation", "code"],
                condition=Q(round__isnull=True),
                name="condition_code_unique_per_occupation",
            ),
            models.CheckConstraint(
                condition=Q(min_years__isnull=True)
                | (Q(min_years__gt=0) & Q(min_years__lte=MAX_RULE_YEARS)),
                name="condition_min_years_range",
                violation_error_message=_("最少从业年限须大于 0 且不超过 30 年。"),
            ),
            models.CheckConstraint(
                condition=Q(min_years_after_prior__isnull=True)
                | (Q(min_years_after_prior__gt=0) & Q(min_years_after_prior__lte=MAX_RULE_YEARS)),
                name="condition_years_after_prior_range",
                violation_error_message=_("取证后最少从业年限须大于 0 且不超过 30 年。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:30]}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.round_id is None and not self.occupation:
            errors["occupation"] = _("未指定批次时须填写职业（工种）。")
        types = self.candidate_types
        if (
            not isinstance(types, list)
            or not types
            or any(t not in CANDIDATE_TYPE_VALUES for t in types)
        ):
            errors["candidate_types"] = _("适用考生类别须为 student、social 中的一个或多个。")
        if self.min_years is not None and not (self.years_basis and self.years_scope):
            errors["years_basis"] = _("设置了从业年限时，须选择年限计算方式和从业范围。")
        if self.prior_level_id is not None and not self.prior_scope:
            errors["prior_scope"] = _("设置了须持有的证书时，须选择证书职业范围。")
        if self.min_years_after_prior is not None:
            if self.prior_level_id is None:
                errors["min_years_after_prior"] = _("取证后年限须与须持有的证书等级一起设置。")
            elif not self.years_after_prior_basis:
                errors["years_after_prior_basis"] = _("请选择取证后年限的计算方式。")
        kinds = self.school_kinds
        if not isinstance(kinds, list) or any(k not in SchoolKind.values for k in kinds):
            errors["school_kinds"] = _("学校类型取值无效：可选 %(values)s。") % {
                "values": "、".join(SchoolKind.values)
            }
        relations = self.major_relations
        if not isinstance(relations, list) or any(r not in MajorRelation.values for r in relations):
            errors["major_relations"] = _("专业关系取值无效：可选 same、related、unrelated。")
        elif relations and not kinds:
            errors["school_kinds"] = _("设置了专业关系时须同时设置认可的学校类型。")
        grades = self.grades
        if not isinstance(grades, list) or any(
            not isinstance(g, int) or isinstance(g, bool) or not 1 <= g <= 8 for g in grades
        ):
            errors["grades"] = _("年级须为 1 至 8 的整数列表。")
        has_requirement = any(
            [
                self.min_years is not None,
                self.prior_level_id is not None,
                bool(kinds),
                self.training_level_id is not None,
                bool(grades),
                self.requires_related_major,
            ]
        )
        if not has_requirement:
            errors["code"] = _("条件至少须包含一项要求，否则任何人都符合。")
        if self.student_pending_requirement and self.training_level_id is None:
            errors["student_pending_requirement"] = _(
                "“在校生可考前完成”须与“须取得的培训结业证书等级”一起设置。"
            )
        if self.student_pending_requirement and "student" not in (types or []):
            errors["student_pending_requirement"] = _(
                "“在校生可考前完成”只对在校生适用：请在适用考生类别中勾选在校生。"
            )
        errors.update(self._text_errors(errors))
        if errors:
            raise ValidationError(errors)

    def _text_errors(self, errors: dict) -> dict:
        """The wording must not silently contradict the parameters: every number of years in the
        text is a year parameter and every year parameter is in the text; a required certificate
        or training level is named in the text."""
        found: dict[str, str] = {}
        text = self.text or ""
        year_fields = [
            ("min_years", self.min_years),
            ("min_years_after_prior", self.min_years_after_prior),
        ]
        params = {}
        for name, value in year_fields:
            if value is None or name in errors:
                continue
            try:
                params[name] = _years_label(value)
            except ArithmeticError:
                continue
        in_text = {_years_label(Decimal(n)) for n in YEARS_IN_TEXT.findall(text)}
        for name, label in params.items():
            if label not in in_text:
                found[name] = MSG_TEXT_YEARS_MISSING % {
                    "field": self._meta.get_field(name).verbose_name,
                    "value": label,
                }
        stray = sorted(in_text - set(params.values()))
        if stray and "text" not in errors:
            field = next(iter(params), "min_years")
            found["text"] = MSG_TEXT_YEARS % {
                "text": "、".join(f"{n}年" for n in stray),
                "params": "、".join(f"{n}年" for n in params.values()) or _("未设置年限"),
                "field": self._meta.get_field(field).verbose_name,
            }
        for name in ("prior_level", "training_level"):
            level = getattr(self, name) if getattr(self, f"{name}_id") else None
            if level is not None and level.short_name and level.short_name not in text:
                found[name] = MSG_TEXT_LEVEL_MISSING % {
                    "field": self._meta.get_field(name).verbose_name,
                    "level": level.short_name,
                }
        return {k: v for k, v in found.items() if k not in errors}
