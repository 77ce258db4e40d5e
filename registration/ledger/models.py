"""The payment ledger: the finance office's list imports and the rows of money in and out.

Moved here from `fees` (which sits below `registration` and keeps the price list, `FeeItem`) so
that no model of a lower app points at `Registration`: `registration.payment_state` reads these
rows and `payments` (above `registration`) writes them. The tables keep their names
(`fees_paymentimport`, `fees_payment`): registration/migrations/0016 and fees/migrations/0010
move Django's state only.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.money import yuan


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
        db_table = "fees_paymentimport"
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
        db_table = "fees_payment"
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(kind="refund") | ~Q(charge_item_name=""),
                name="payment_names_charge_item",
            ),
        ]
        indexes = [
            models.Index(fields=["registration", "kind"], name="fees_paymen_registr_1e56ad_idx")
        ]

    def __str__(self) -> str:
        sign = "-" if self.kind == EntryKind.REFUND else ""
        amount = yuan(self.amount, cents=True)
        return f"{self.get_kind_display()} {self.charge_item_name} {sign}{amount}元"

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.kind == EntryKind.REFUND else self.amount
