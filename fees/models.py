"""Fee items: what a registration costs, per round, level and candidate type."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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


class PaymentImport(models.Model):
    """One upload of the finance office's payment list: previewed first, applied at most once."""

    file_name = models.CharField(_("文件名"), max_length=200)
    file_sha256 = models.CharField(_("文件摘要"), max_length=64)
    rows = models.JSONField(_("解析结果"), default=list, blank=True)
    problems = models.JSONField(_("无法读取的行"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("入账时间"), null=True, blank=True)
    applied_count = models.PositiveIntegerField(_("入账笔数"), default=0)

    class Meta:
        verbose_name = _("缴费名单导入")
        verbose_name_plural = _("缴费名单导入")
        ordering = ["-uploaded_at", "-id"]
        permissions = [("view_statistics", _("查看报名与收费统计"))]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class PaymentSource(models.TextChoices):
    IMPORT = "import", _("财务名单导入")
    MANUAL = "manual", _("手工登记")


class EntryKind(models.TextChoices):
    PAYMENT = "payment", _("缴费")
    REFUND = "refund", _("退费")


class PaymentMethod(models.TextChoices):
    PLATFORM = "platform", _("统一缴费平台")
    TRANSFER = "transfer", _("银行转账")
    CASH = "cash", _("现金")
    CARD = "card", _("刷卡")
    OTHER = "other", _("其他")


class Payment(models.Model):
    """One row of the payment ledger: money received for, or refunded to, one registration.

    Rows are only ever added (by the services in ``payments.ledger`` and ``payments.imports``); a
    registration's payment state is derived from them against its quoted total.
    """

    registration = models.ForeignKey(
        "registration.Registration",
        verbose_name=_("报名"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    kind = models.CharField(
        _("类型"), max_length=10, choices=EntryKind.choices, default=EntryKind.PAYMENT
    )
    charge_item_name = models.CharField(_("收费项目"), max_length=120, blank=True)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    paid_on = models.DateField(_("日期"))
    method = models.CharField(
        _("方式"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.PLATFORM
    )
    source = models.CharField(_("来源"), max_length=10, choices=PaymentSource.choices)
    payment_import = models.ForeignKey(
        PaymentImport,
        verbose_name=_("导入批次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收退费记录")
        verbose_name_plural = _("收退费记录")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(kind="refund") | ~Q(charge_item_name=""),
                name="payment_names_charge_item",
            ),
        ]
        indexes = [models.Index(fields=["registration", "kind"])]

    def __str__(self) -> str:
        sign = "-" if self.kind == EntryKind.REFUND else ""
        amount = yuan(self.amount, cents=True)
        return f"{self.get_kind_display()} {self.charge_item_name} {sign}{amount}元"

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.kind == EntryKind.REFUND else self.amount
