"""The outbox: one row per message and channel, and the texts staff may edit.

A message is written by the service that changes the state it reports (`messaging.services`),
in that service's transaction, at most once per person, event and occasion: the idempotency key
plus the channel is unique in the database. Delivery (e-mail, SMS) happens later in the task
queue's worker (`messaging.delivery`); the inbox row is "delivered" the moment it exists.

The recipient is a registration, which lives in a higher layer: rows keep its primary key
(`recipient_ref`) and the round (`round`, cascading: the log goes with the round's data), never
a foreign key upwards (tests/test_model_layers.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.history import HistoricalRecords


class Event(models.TextChoices):
    REGISTRATION_CONFIRMED = "registration_confirmed", _("报名已审核通过")
    REGISTRATION_RETURNED = "registration_returned", _("报名被退回修改")
    PHOTO_RETURNED = "photo_returned", _("证件照被退回")
    SUPPLEMENT_INCOMPLETE = "supplement_incomplete", _("补充资料未完成")
    PAYMENT_DUE = "payment_due", _("缴费即将截止")
    PAYMENT_OVERDUE = "payment_overdue", _("逾期未缴费")
    TICKET_READY = "ticket_ready", _("准考证可下载")
    PLAN_CHANGED = "plan_changed", _("考试安排变更")
    RESULTS_PUBLISHED = "results_published", _("成绩已公布")
    RETAKE_OFFERED = "retake_offered", _("补考通知")
    CERTIFICATE_READY = "certificate_ready", _("证书可领取")
    REMINDER = "reminder", _("老师提醒")


class Channel(models.TextChoices):
    INBOX = "inbox", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class MessageState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")


class MessageTemplate(models.Model):
    """The Chinese text of one event, editable in admin with history.

    `title` and `body` are Django template text; the variables each event offers are listed in
    `messaging.defaults.VARIABLES`. SMS providers in China send only texts registered with them
    beforehand: `sms_template_code` is that registration's id (the provider renders its own
    copy with the same variables)."""

    event = models.CharField(_("事件"), max_length=40, choices=Event.choices, unique=True)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"), max_length=1000)
    sms_template_code = models.CharField(
        _("短信模板编号"),
        max_length=40,
        blank=True,
        help_text=_("在短信服务商处审核通过的模板编号；留空则该事件不发短信。"),
    )
    essential = models.BooleanField(
        _("必要通知"),
        default=True,
        help_text=_("必要通知总会发出；非必要通知考生可以关闭邮件和短信（站内消息始终保留）。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("通知模板")
        verbose_name_plural = _("通知模板")
        ordering = ["event"]

    def __str__(self) -> str:
        return self.get_event_display()

    def clean(self):
        from django.core.exceptions import ValidationError

        from messaging.services import MessagingError, template_text_check

        errors = {}
        for field in ("title", "body"):
            try:
                template_text_check(getattr(self, field))
            except MessagingError as error:
                errors[field] = str(error.message)
        if errors:
            raise ValidationError(errors)


class Message(models.Model):
    round = models.ForeignKey(
        "rounds.ExamRound",
        verbose_name=_("批次"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    recipient_ref = models.PositiveBigIntegerField(_("报名记录编号"), db_index=True)
    recipient_name = models.CharField(_("收件人"), max_length=30)
    address = models.CharField(_("地址"), max_length=254, blank=True)
    event = models.CharField(_("事件"), max_length=40, choices=Event.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    key = models.CharField(_("去重键"), max_length=200)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"))
    link = models.CharField(_("链接"), max_length=300, blank=True)
    sms_template_code = models.CharField(_("短信模板编号"), max_length=40, blank=True)
    sms_params = models.JSONField(_("短信模板变量"), default=dict, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=MessageState.choices, default=MessageState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.CharField(_("失败原因"), max_length=500, blank=True)
    provider_id = models.CharField(_("服务商回执"), max_length=100, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], name="messaging_once_per_channel")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="messaging_due")]

    def __str__(self) -> str:
        return f"{self.recipient_name} · {self.get_event_display()} · {self.get_channel_display()}"


class ContactPreference(models.Model):
    """How a candidate wants to hear from us beyond the inbox: an optional e-mail address (with
    consent) and whether non-essential messages go out by e-mail and SMS."""

    round = models.ForeignKey(
        "rounds.ExamRound",
        verbose_name=_("批次"),
        on_delete=models.CASCADE,
        related_name="contact_preferences",
    )
    recipient_ref = models.PositiveBigIntegerField(_("报名记录编号"), unique=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    email_consent_at = models.DateTimeField(_("同意邮件通知时间"), null=True, blank=True)
    nonessential_off = models.BooleanField(_("不接收非必要通知"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        ordering = ["recipient_ref"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email="") | models.Q(email_consent_at__isnull=False),
                name="messaging_email_needs_consent",
            )
        ]

    def __str__(self) -> str:
        return str(self.recipient_ref)
