"""Exchange layouts (数据交换模板): the columns of a sheet exchanged with the national platform,
stored as data so an admin can copy the shipped layout and adjust it per province.

A column names a field of the code registry (`workspace.exchange.registry`) by key; the
registry says what the key computes. Shipped defaults: migration 0002 (docs/exchange.md says
where each column comes from).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.history import HistoricalRecords
from workspace.exchange import registry

UNKNOWN_FIELD = _("“{key}”不是{kind}可用的字段。可用字段：{choices}")
HEADER_TWICE = _("表头“{header}”重复。")


class LayoutKind(models.TextChoices):
    CANDIDATES = registry.KIND_CANDIDATES, _("考生信息表")
    SCORES = registry.KIND_SCORES, _("成绩表")
    CERTIFICATES = registry.KIND_CERTIFICATES, _("证书名单")


class ExchangeLayoutQuerySet(models.QuerySet):
    def of_kind(self, kind: str):
        return self.filter(kind=kind)

    def default_of(self, kind: str):
        return self.filter(kind=kind, is_default=True).first()


class ExchangeLayout(models.Model):
    kind = models.CharField(_("类型"), max_length=20, choices=LayoutKind.choices)
    name = models.CharField(_("模板名称"), max_length=80)
    province = models.CharField(
        _("适用省份"), max_length=40, blank=True, help_text=_("空白表示通用模板。")
    )
    source = models.TextField(
        _("来源说明"),
        blank=True,
        help_text=_("这些列从何而来（如某省平台下载的模板、某年的通知），便于日后核对。"),
    )
    is_default = models.BooleanField(
        _("默认模板"), default=False, help_text=_("每种类型只有一个默认模板。")
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("复制自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("数据交换模板历史"))
    objects = ExchangeLayoutQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据交换模板")
        verbose_name_plural = _("数据交换模板")
        ordering = ["kind", "-is_default", "province", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="exchange_layout_name_unique"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(is_default=True),
                name="exchange_layout_one_default",
                violation_error_message=_("每种类型只能有一个默认模板。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


class ExchangeColumn(models.Model):
    layout = models.ForeignKey(
        ExchangeLayout, verbose_name=_("模板"), on_delete=models.CASCADE, related_name="columns"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    header = models.CharField(_("表头"), max_length=60)
    field_key = models.CharField(_("字段"), max_length=40)
    width = models.PositiveSmallIntegerField(
        _("列宽"), default=12, help_text=_("Excel 字符宽度，4–80。")
    )

    history = HistoricalRecords(verbose_name=_("数据交换模板列历史"))

    class Meta:
        verbose_name = _("列")
        verbose_name_plural = _("列")
        ordering = ["layout", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["layout", "header"],
                name="exchange_column_header_unique",
                violation_error_message=_("同一模板中表头不能重复。"),
            ),
            models.CheckConstraint(
                condition=Q(width__gte=4, width__lte=80),
                name="exchange_column_width_range",
                violation_error_message=_("列宽须在 4 到 80 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.header}"

    def clean(self):
        super().clean()
        self.header = (self.header or "").strip()
        try:
            kind = self.layout.kind
        except ExchangeLayout.DoesNotExist:
            kind = None
        if kind and registry.field_of(kind, self.field_key) is None:
            raise ValidationError(
                {
                    "field_key": UNKNOWN_FIELD.format(
                        key=self.field_key,
                        kind=LayoutKind(kind).label,
                        choices="、".join(f.key for f in registry.fields_of(kind).values()),
                    )
                }
            )


class PersonalDataExport(models.Model):
    """One export of personal data from Django admin: who, when, what, how many, and whether the
    ID numbers and phones were full or masked. Counts only: no exported value is kept here.

    The `export_personal_data` permission it declares is what lets an export carry full ID
    numbers (setup_roles grants it to 教务; superusers have it); everyone else exports masked.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    exported_at = models.DateTimeField(_("导出时间"), auto_now_add=True)
    what = models.CharField(_("导出内容"), max_length=120)
    rows = models.PositiveIntegerField(_("条数"))
    full = models.BooleanField(_("含完整身份证号和手机号"))

    class Meta:
        verbose_name = _("个人信息导出记录")
        verbose_name_plural = _("个人信息导出记录")
        ordering = ["-exported_at", "-id"]
        permissions = [("export_personal_data", _("导出完整身份证号和手机号"))]

    def __str__(self) -> str:
        return f"{self.exported_at:%Y-%m-%d %H:%M} {self.what} × {self.rows}"


class ReminderKind(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("未确认")
    UNPAID = "unpaid", _("未缴费")
    SUPPLEMENT = "supplement", _("补充资料未完成")


class ReminderLog(models.Model):
    """Audit of a counselor's or 教务's "send a reminder" click: who, which list, how many."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    round = models.ForeignKey(
        "rounds.ExamRound", verbose_name=_("批次"), on_delete=models.CASCADE, related_name="+"
    )
    school_class = models.ForeignKey(
        "rounds.SchoolClass",
        verbose_name=_("班级"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("名单"), max_length=20, choices=ReminderKind.choices)
    recipients = models.PositiveIntegerField(_("名单人数"))
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"
