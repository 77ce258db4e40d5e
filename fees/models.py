"""Fee items: what a registration costs, per round, level and candidate type."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registration.models import CandidateType


class FeeKind(models.TextChoices):
    REGISTRATION = "registration", _("报名费")
    TRAINING = "training", _("培训费")


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


class FeeItem(models.Model):
    session = models.ForeignKey(
        "registration.ExamSession",
        verbose_name=_("考试批次"),
        on_delete=models.CASCADE,
        related_name="fee_items",
    )
    level = models.ForeignKey(
        "registration.SkillLevel",
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

    class Meta:
        verbose_name = _("费用项目")
        verbose_name_plural = _("费用项目")
        ordering = ["session", "-level__code", "candidate_type", "kind", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(class_hours__isnull=True) | Q(class_hours__gt=0),
                name="fee_class_hours_positive",
            ),
            models.CheckConstraint(
                condition=(Q(kind="registration") & Q(training_option=""))
                | (Q(kind="training") & ~Q(training_option="")),
                name="fee_training_option_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["session", "level", "candidate_type", "kind", "training_option"],
                name="fee_item_unique_per_option",
            ),
        ]

    def __str__(self) -> str:
        label = (
            self.get_training_option_display() if self.training_option else self.get_kind_display()
        )
        return f"{self.level} {self.get_candidate_type_display()} {label} {self.amount}元"
