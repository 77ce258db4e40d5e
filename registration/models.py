"""Registrations and class lists; the round kernel they point at lives in ``rounds``."""

import secrets
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.choices import choice_label
from common.history import HistoricalRecords
from registration.candidate_data import Education, ExamType, IdType, RetakeSubject
from registration.photos import photo_storage, photo_upload_to
from rounds.models import CandidateType, ExamRound, SchoolClass, SkillLevel

SHANGHAI = ZoneInfo("Asia/Shanghai")


class PhotoStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已上传")
    RETURNED = "returned", _("已退回")


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    CANCELLED = "cancelled", _("已取消")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    CONFIRMED = "confirmed", _("已确认")
    RETURNED = "returned", _("已退回")


class PaymentStatus(models.TextChoices):
    """Derived from the ledger (``registration.payment_state.payment_state``), never by hand."""

    UNPAID = "unpaid", _("未缴费")
    PARTIAL = "partial", _("部分缴费")
    PAID = "paid", _("已缴费")
    OVERPAID = "overpaid", _("多缴")
    REFUND_DUE = "refund_due", _("待退费")
    REFUNDED = "refunded", _("已退费")


class PendingRequirement(models.TextChoices):
    """What a conditionally eligible candidate must still do before the exam.

    Stored because the verdict is frozen at sign-up (the rules may change later); whether the
    requirement has since been met is derived (from training completion,
    ``registration.training``).
    """

    NONE = "", _("无")
    TRAINING = "training", _("需完成本校培训并取得结业证书")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


def new_registration_token() -> str:
    return secrets.token_urlsafe(24)


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=RegistrationStatus.ACTIVE)


class Registration(models.Model):
    """One candidate's sign-up for one level of one round, with what they were told at the time."""

    round = models.ForeignKey(
        ExamRound,
        db_column="session_id",
        verbose_name=_("考试批次"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    number = models.CharField(_("报名号"), max_length=24, unique=True)
    token = models.CharField(
        _("自助链接令牌"),
        max_length=64,
        unique=True,
        default=new_registration_token,
        editable=False,
    )
    candidate_type = models.CharField(
        _("考生类别"), max_length=10, choices=CandidateType.choices, default=CandidateType.STUDENT
    )
    level = models.ForeignKey(
        SkillLevel,
        verbose_name=_("申报等级"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("班级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    name = models.CharField(_("姓名"), max_length=30)
    id_number = models.CharField(_("身份证号"), max_length=18)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=20)
    phone = models.CharField(_("手机号"), max_length=11)
    student_number = models.CharField(_("学号"), max_length=30, blank=True)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    training_fee_item = models.ForeignKey(
        "fees.FeeItem",
        verbose_name=_("培训方式"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_registrations",
    )
    registration_fee_item = models.ForeignKey(
        "fees.FeeItem",
        verbose_name=_("报名费项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_registrations",
    )
    # What the candidate was quoted when they registered; later fee edits never change these.
    quoted_registration_fee = models.DecimalField(
        _("报名费（元）"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    quoted_training_fee = models.DecimalField(
        _("培训费（元）"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    quoted_charge_items = models.JSONField(_("缴费项目"), default=list, blank=True)
    matched_condition_code = models.CharField(_("符合条件代码"), max_length=20, blank=True)
    matched_condition_text = models.TextField(_("符合的报考条件"), blank=True)
    declared_facts = models.JSONField(_("申报信息"), default=dict, blank=True)
    pending_requirement = models.CharField(
        _("待满足条件"),
        max_length=20,
        blank=True,
        default="",
        choices=PendingRequirement.choices,
        help_text=_("有条件符合报考条件时，考前仍需完成的事项"),
    )
    status = models.CharField(
        _("报名状态"), max_length=10, choices=RegistrationStatus.choices, default="active"
    )
    review_status = models.CharField(
        _("审核状态"), max_length=10, choices=ReviewStatus.choices, default="pending"
    )
    review_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    counselor_note = models.TextField(_("辅导员备注"), blank=True)
    # The three payment fields are a cache of the ledger (`registration.ledger`), kept so that
    # rosters, filters and exports stay one query; only
    # registration.payment_state.registration_payment_refresh writes them, every time the ledger,
    # the quote or the registration's status changes.
    payment_status = models.CharField(
        _("缴费状态"),
        max_length=10,
        choices=PaymentStatus.choices,
        default="unpaid",
        editable=False,
    )
    paid_amount = models.DecimalField(
        _("实缴金额（元）"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        help_text=_("收款减退款"),
    )
    paid_on = models.DateField(_("缴费日期"), null=True, blank=True, editable=False)
    # Platform data (issue 14), completed in the 补充资料 step: see registration.candidate_data.
    id_type = models.CharField(
        _("证件类型"), max_length=12, choices=IdType.choices, default=IdType.RESIDENT
    )
    education = models.CharField(
        _("文化程度"), max_length=12, choices=Education.choices, blank=True
    )
    exam_type_theory = models.CharField(
        _("理论知识考试类型"), max_length=8, choices=ExamType.choices, default=ExamType.NEW
    )
    exam_type_skill = models.CharField(
        _("操作技能考试类型"), max_length=8, choices=ExamType.choices, default=ExamType.NEW
    )
    photo = models.FileField(
        _("证件照"), storage=photo_storage, upload_to=photo_upload_to, blank=True, max_length=120
    )
    photo_status = models.CharField(
        _("证件照状态"), max_length=10, choices=PhotoStatus.choices, blank=True
    )
    photo_return_reason = models.CharField(_("证件照退回原因"), max_length=200, blank=True)
    consent_at = models.DateTimeField(_("同意个人信息处理时间"))
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()
    # The private-link token is a secret: it stays out of the history tables.
    history = HistoricalRecords(excluded_fields=["token"], verbose_name=_("报名历史"))

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "id_number"],
                condition=Q(status="active"),
                name="one_active_registration_per_id_per_session",
                violation_error_message=_("该身份证号已在本批次报名。"),
            ),
            models.CheckConstraint(
                condition=Q(quoted_registration_fee__gte=0) & Q(quoted_training_fee__gte=0),
                name="registration_quoted_fees_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "school_class", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def _get_FIELD_display(self, field):
        # get_FOO_display with the labels looked up once per field and language (exports).
        return choice_label(field, getattr(self, field.attname))

    @property
    def quoted_total(self) -> Decimal:
        return self.quoted_registration_fee + self.quoted_training_fee

    @property
    def reviewed_by_academic(self) -> bool:
        """Who reviews this registration, by rule: the class's counselor; 教务 when nobody
        counsels it (social candidates, class-less sign-ups, a class without a counselor)."""
        return self.school_class_id is None or self.school_class.counselor_id is None

    @property
    def review_label(self) -> str:
        """The review state as the candidate reads it, naming who reviews."""
        by_academic = self.reviewed_by_academic
        if self.review_status == ReviewStatus.CONFIRMED:
            return str(_("教务已确认") if by_academic else _("辅导员已确认"))
        if self.review_status == ReviewStatus.RETURNED:
            return str(_("已退回，请修改"))
        return str(_("待教务审核") if by_academic else _("待辅导员审核"))

    @property
    def masked_id_number(self) -> str:
        from common.privacy import mask_id_number

        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        from common.privacy import mask_phone

        return mask_phone(self.phone)


class ClassListEntryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ClassListEntry(models.Model):
    """One student on a class's official list (班级名单): who may sign up through the class link.

    When a class has a list, a sign-up must match one entry on 学号, 姓名 and 身份证号, so nobody
    can register someone else's ID number through the class link. Entries are never deleted by
    an import; removing a student deactivates the entry, and every change has a history row.
    """

    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("班级"),
        on_delete=models.CASCADE,
        related_name="list_entries",
    )
    student_number = models.CharField(_("学号"), max_length=30)
    name = models.CharField(_("姓名"), max_length=30)
    id_number = models.CharField(_("身份证号"), max_length=18)
    is_active = models.BooleanField(
        _("在名单中"), default=True, help_text=_("取消勾选即从班级名单中移除（保留记录）。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ClassListEntryQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("班级名单历史"))

    class Meta:
        verbose_name = _("班级名单条目")
        verbose_name_plural = _("班级名单")
        ordering = ["school_class", "student_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "student_number"],
                condition=Q(is_active=True),
                name="class_list_one_active_entry_per_student_number",
                violation_error_message=_("该学号已在本班名单中。"),
            ),
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(is_active=True),
                name="class_list_one_active_entry_per_id_number",
                violation_error_message=_("该身份证号已在某个班级的名单中。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_number} {self.name}"

    @property
    def masked_id_number(self) -> str:
        from common.privacy import mask_id_number

        return mask_id_number(self.id_number)


class ClassListImport(models.Model):
    """One upload of a class list (or of many classes' lists, by 教务): previewed, then applied."""

    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("班级"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("为空表示多个班级的名单（文件中有“班级”列）。"),
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    rows = models.JSONField(_("解析结果"), default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    applied_count = models.PositiveIntegerField(_("新增或更新人数"), default=0)

    class Meta:
        verbose_name = _("班级名单导入")
        verbose_name_plural = _("班级名单导入")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class RetakeOfferQuerySet(models.QuerySet):
    def unused(self):
        return self.filter(used_registration__isnull=True)


class RetakeOffer(models.Model):
    """A candidate's right to retake (补考) one subject of a level in a later round.

    Written by the results app (results.services.offer_retakes), which sits above this one: the
    offer is data down here so the sign-up (registration.services.retakes) can read it without
    importing results. The person is known by the normalised ID number and name only; they prove
    it by typing both on the retake page.
    """

    id_number = models.CharField(_("身份证号"), max_length=18)
    name = models.CharField(_("姓名"), max_length=30)
    level = models.ForeignKey(
        SkillLevel, verbose_name=_("等级"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("补考科目"), max_length=10, choices=RetakeSubject.choices)
    source_registration = models.ForeignKey(
        Registration,
        verbose_name=_("原报名"),
        on_delete=models.PROTECT,
        related_name="retake_offers_from",
    )
    exam_round = models.ForeignKey(
        ExamRound,
        verbose_name=_("补考批次"),
        on_delete=models.CASCADE,
        related_name="retake_offers",
    )
    used_registration = models.OneToOneField(
        Registration,
        verbose_name=_("补考报名"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retake_offer",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发出人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发出时间"), auto_now_add=True)

    objects = RetakeOfferQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("补考资格历史"))

    class Meta:
        verbose_name = _("补考资格")
        verbose_name_plural = _("补考资格")
        ordering = ["exam_round", "-level__code", "id_number", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_registration", "subject", "exam_round"],
                name="retake_offer_once_per_source_subject_round",
            ),
        ]
        indexes = [models.Index(fields=["exam_round", "id_number"])]

    def __str__(self) -> str:
        return f"{self.name} {self.level} {self.get_subject_display()}"

    @property
    def masked_id_number(self) -> str:
        from common.privacy import mask_id_number

        return mask_id_number(self.id_number)


# The training enrollment and attendance models live in their own module; importing them here
# registers them with the app (Django loads `registration.models`).
# Likewise the payment ledger (moved from `fees`).
from registration.backups.models import BackupRecord  # noqa: E402
from registration.ledger.models import (  # noqa: E402
    EntryKind,
    Payment,
    PaymentImport,
    PaymentMethod,
    PaymentSource,
)
from registration.training.models import (  # noqa: E402
    Attendance,
    CompletionMethod,
    TrainingEnrollment,
)

__all__ = [
    "Attendance",
    "BackupRecord",
    "CompletionMethod",
    "EntryKind",
    "Payment",
    "PaymentImport",
    "PaymentMethod",
    "PaymentSource",
    "TrainingEnrollment",
]


class SocialInterest(models.Model):
    """A social candidate's wish to be told when a round opens to them (社会人员意向登记), left on a
    round that does not accept social candidates. 教务 export the list when a round opens; it is
    personal data of that round and goes with the round's purge."""

    round = models.ForeignKey(
        "rounds.ExamRound",
        verbose_name=_("考试批次"),
        on_delete=models.CASCADE,
        related_name="social_interests",
    )
    name = models.CharField(_("姓名"), max_length=30)
    phone = models.CharField(_("手机号"), max_length=11)
    level_code = models.PositiveSmallIntegerField(_("意向等级"), null=True, blank=True)
    consent_at = models.DateTimeField(_("同意个人信息处理时间"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("社会人员意向登记")
        verbose_name_plural = _("社会人员意向登记")
        ordering = ["round", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "phone"], name="social_interest_one_per_phone")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.name}"

    @property
    def masked_phone(self) -> str:
        from common.privacy import mask_phone

        return mask_phone(self.phone)
