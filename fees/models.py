"""Fee items: what a registration costs, per round, level and candidate type."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.history import HistoricalRecords
from common.money import yuan
from rounds.models import CandidateType


class FeeKind(models.TextChoices):
    REGISTRATION = "registration", _("报名费")
    TRAINING = "training", _("培训费")
    # A retake (补考) registration pays for the one subject it sits, nothing else.
    RETAKE_THEORY = "retake_theory", _("补考费（理论知识）")
    RETAKE_SKILL = "retake_skill", _("补考费（操作技能）")


RETAKE_KINDS = {"theory": FeeKind.RETAKE_THEORY, "skill": FeeKind.RETAKE_SKILL}


class TrainingOption(models.TextChoices):
    NONE = "", _("（不适用）")
    FREE = "free", _("在校生免费培训")
    INTENSIVE = "intensive", _("强化班")
    IMPROVEMENT = "improvement", _("提高班")


class FeeItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def registration_fees(self):
        return self.filter(kind=FeeKind.REGISTRATION)

    def training_options(self):
        return self.filter(kind=FeeKind.TRAINING)

    def retake_fees(self):
        return self.filter(kind__in=list(RETAKE_KINDS.values()))


class FeeItem(models.Model):
    round = models.ForeignKey(
        "rounds.ExamRound",
        db_column="session_id",
        verbose_name=_("考试批次"),
        on_delete=models.CASCADE,
        related_name="fee_items",
    )
    level = models.ForeignKey(
        "rounds.SkillLevel",
        verbose_name=_("等级"),
        on_delete=models.PROTECT,
        related_name="fee_items",
    )
    candidate_type = models.CharField(_("考生类别"), max_length=10, choices=CandidateType.choices)
    kind = models.CharField(_("费用类型"), max_length=20, choices=FeeKind.choices)
    training_option = models.CharField(
        _("培训方式"), max_length=20, choices=TrainingOption.choices, blank=True, default=""
    )
    amount = models.DecimalField(
        _("金额（元）"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    class_hours = models.PositiveSmallIntegerField(_("学时"), null=True, blank=True)
    description = models.CharField(_("说明"), max_length=120, blank=True)
    charge_item_name = models.CharField(
        _("财务收费项目名称"),
        max_length=120,
        blank=True,
        help_text=_("与学校财务处设置的收费专项名称一致，考生缴费时按此选择。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = FeeItemQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("费用项目历史"))

    class Meta:
        verbose_name = _("费用项目")
        verbose_name_plural = _("费用项目")
        ordering = ["round", "-level__code", "candidate_type", "kind", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(class_hours__isnull=True) | Q(class_hours__gt=0),
                name="fee_class_hours_positive",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["registration", "retake_theory", "retake_skill"])
                    & Q(training_option="")
                )
                | (Q(kind="training") & ~Q(training_option="")),
                name="fee_training_option_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["round", "level", "candidate_type", "kind", "training_option"],
                name="fee_item_unique_per_option",
                violation_error_message=_(
                    "本批次该等级、该类考生已有同类费用项目（每个等级每类考生只能有一个报名费项目，"
                    "每种培训方式一个）。"
                ),
            ),
        ]

    def __str__(self) -> str:
        label = (
            self.get_training_option_display() if self.training_option else self.get_kind_display()
        )
        return f"{self.level} {self.get_candidate_type_display()} {label} {yuan(self.amount)}元"
