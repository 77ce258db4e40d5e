"""Exam rounds, skill levels, majors, classes and registrations."""

import datetime as dt
import secrets
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registration.candidate_data import Education, ExamType, IdType
from registration.photos import photo_storage, photo_upload_to

SHANGHAI = ZoneInfo("Asia/Shanghai")


class PhotoStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已上传")
    RETURNED = "returned", _("已退回")


class CandidateType(models.TextChoices):
    STUDENT = "student", _("在校生")
    SOCIAL = "social", _("社会考生")


class SkillLevel(models.Model):
    """One of the five national skill levels (五级/初级工 … 一级/高级技师)."""

    code = models.PositiveSmallIntegerField(
        _("等级代码"), unique=True, help_text=_("5 为五级/初级工，1 为一级/高级技师")
    )
    name = models.CharField(_("等级名称"), max_length=30, unique=True)
    short_name = models.CharField(_("简称"), max_length=10)

    class Meta:
        verbose_name = _("技能等级")
        verbose_name_plural = _("技能等级")
        ordering = ["-code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__gte=1) & Q(code__lte=5), name="skill_level_code_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ExamSessionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open_on(self, day: dt.date):
        return self.published().filter(
            Q(registration_opens__isnull=True) | Q(registration_opens__lte=day),
            registration_deadline__gte=day,
        )


class ExamSession(models.Model):
    """An exam round (批次) as announced: dates, place, policy, contacts and narrative texts."""

    slug = models.SlugField(_("批次代码"), max_length=40, unique=True)
    title = models.CharField(_("批次名称"), max_length=120)
    occupation = models.CharField(_("职业（工种）"), max_length=60, default="电子商务师")
    organizer = models.CharField(_("评价机构"), max_length=120)
    is_published = models.BooleanField(
        _("已发布"), default=True, help_text=_("草稿批次不在首页显示，也不能报名。")
    )
    levels = models.ManyToManyField(
        SkillLevel, verbose_name=_("本批次开考等级"), related_name="sessions", blank=True
    )
    registration_opens = models.DateField(_("报名开始日期"), null=True, blank=True)
    registration_deadline = models.DateField(
        _("报名截止日期"), help_text=_("截止日当天全天（北京时间 24:00 前）均可报名。")
    )
    exam_period = models.CharField(_("考试时间"), max_length=120)
    exam_location = models.CharField(_("考试地点"), max_length=120)
    accepts_students = models.BooleanField(_("接受在校生报名"), default=True)
    accepts_social = models.BooleanField(_("接受社会考生报名"), default=False)
    social_refusal_reason = models.CharField(_("不接受社会考生的原因"), max_length=200, blank=True)
    consultation_qq = models.CharField(_("咨询QQ"), max_length=20, blank=True)
    consultation_days = models.CharField(_("咨询日"), max_length=20, default="工作日")
    consultation_start = models.TimeField(_("咨询开始时间"), default=dt.time(9, 30))
    consultation_end = models.TimeField(_("咨询结束时间"), default=dt.time(16, 30))
    consultation_note = models.TextField(_("咨询说明"), blank=True)
    intro_text = models.TextField(_("证书和资质介绍"), blank=True)
    value_text = models.TextField(_("证书价值"), blank=True)
    eligibility_notes = models.TextField(_("报考条件·划重点"), blank=True)
    training_audience = models.CharField(_("培训对象"), max_length=200, blank=True)
    training_note = models.CharField(_("培训安排说明"), max_length=200, blank=True)
    fee_payment_text = models.TextField(_("费用缴纳说明"), blank=True)
    fee_note = models.TextField(_("费用·划重点"), blank=True)
    how_to_register_text = models.TextField(_("报名方式"), blank=True)
    # 补充资料 (issue 14): candidates complete platform data and upload a photo until this date.
    supplement_deadline = models.DateField(
        _("补充资料截止日期"),
        null=True,
        blank=True,
        help_text=_("考生可在自助页补充文化程度、考试类型和证件照，直至该日（含）；留空则不限。"),
    )
    photo_width = models.PositiveSmallIntegerField(
        _("证件照宽度（像素）"),
        default=358,
        validators=[MinValueValidator(100), MaxValueValidator(2000)],
    )
    photo_height = models.PositiveSmallIntegerField(
        _("证件照高度（像素）"),
        default=441,
        validators=[MinValueValidator(100), MaxValueValidator(2000)],
    )
    photo_max_kb = models.PositiveSmallIntegerField(
        _("证件照大小上限（KB）"),
        default=200,
        validators=[MinValueValidator(20), MaxValueValidator(5000)],
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ExamSessionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[levels], verbose_name=_("考试批次历史"))

    class Meta:
        verbose_name = _("考试批次")
        verbose_name_plural = _("考试批次")
        ordering = ["-registration_deadline", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_opens__lte=models.F("registration_deadline")),
                name="session_opens_before_deadline",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def deadline_ends_at(self) -> dt.datetime:
        """First instant after the deadline day (Asia/Shanghai): the deadline day counts whole."""
        next_day = self.registration_deadline + dt.timedelta(days=1)
        return dt.datetime.combine(next_day, dt.time.min, tzinfo=SHANGHAI)

    @property
    def opens_at(self) -> dt.datetime | None:
        if self.registration_opens is None:
            return None
        return dt.datetime.combine(self.registration_opens, dt.time.min, tzinfo=SHANGHAI)

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        if not self.is_published:
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return now < self.deadline_ends_at

    def accepted_candidate_types(self) -> list[str]:
        types = []
        if self.accepts_students:
            types.append(CandidateType.STUDENT.value)
        if self.accepts_social:
            types.append(CandidateType.SOCIAL.value)
        return types


class MajorRelation(models.TextChoices):
    """How a major relates to the round's occupation (电子商务师): the announcement's 本专业 /
    相关专业, or neither. The engine's vocabulary uses the same values."""

    SAME = "same", _("本专业")
    RELATED = "related", _("相关专业")
    UNRELATED = "unrelated", _("非相关专业")


class Major(models.Model):
    name = models.CharField(_("专业名称"), max_length=60, unique=True)
    relation = models.CharField(
        _("与本职业的关系"),
        max_length=10,
        choices=MajorRelation.choices,
        default=MajorRelation.UNRELATED,
        help_text=_(
            "电子商务为电子商务师的本专业；公告所列跨境电商、市场营销、酒店管理“等”为相关专业，"
            "管理员可扩充。"
        ),
    )
    program_years = models.PositiveSmallIntegerField(
        _("学制（年）"), default=3, help_text=_("用于判断是否为应届毕业生（最后一学年）。")
    )

    history = HistoricalRecords(verbose_name=_("专业历史"))

    class Meta:
        verbose_name = _("专业")
        verbose_name_plural = _("专业")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(program_years__gte=1) & Q(program_years__lte=8),
                name="major_program_years_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_related(self) -> bool:
        """本专业 or 相关专业: what the 破格 route (L3-S) asks for."""
        return self.relation in (MajorRelation.SAME, MajorRelation.RELATED)

    @is_related.setter
    def is_related(self, value: bool) -> None:
        # Kept so that Major(is_related=True) still reads naturally; 本专业 stays 本专业.
        if not value:
            self.relation = MajorRelation.UNRELATED
        elif self.relation != MajorRelation.SAME:
            self.relation = MajorRelation.RELATED


def new_class_code() -> str:
    return secrets.token_urlsafe(9)


class SchoolClassQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def of_counselor(self, user):
        return self.filter(counselor=user)


class SchoolClass(models.Model):
    """A class (班级); its unguessable code is what the class QR code points at."""

    name = models.CharField(_("班级名称"), max_length=60, unique=True)
    major = models.ForeignKey(
        Major, verbose_name=_("专业"), on_delete=models.PROTECT, related_name="classes"
    )
    enrolment_year = models.PositiveSmallIntegerField(_("入学年份"))
    headcount = models.PositiveSmallIntegerField(_("班级人数"), default=0)
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("辅导员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counseled_classes",
    )
    code = models.CharField(
        _("报名链接代码"), max_length=32, unique=True, default=new_class_code, editable=False
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = SchoolClassQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["code"], verbose_name=_("班级历史"))

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["-enrolment_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment_year__gte=1990) & Q(enrolment_year__lte=2100),
                name="class_enrolment_year_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def grade_on(self, day: dt.date) -> int:
        """Year of study (1 = 大一) on a day; the academic year starts in September."""
        years = day.year - self.enrolment_year
        return years + 1 if day.month >= 9 else years


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    CANCELLED = "cancelled", _("已取消")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    CONFIRMED = "confirmed", _("已确认")
    RETURNED = "returned", _("已退回")


class PaymentStatus(models.TextChoices):
    """Derived from the payment ledger (``fees.ledger.payment_state``), never set by hand."""

    UNPAID = "unpaid", _("未缴费")
    PARTIAL = "partial", _("部分缴费")
    PAID = "paid", _("已缴费")
    OVERPAID = "overpaid", _("多缴")
    REFUND_DUE = "refund_due", _("待退费")
    REFUNDED = "refunded", _("已退费")


class PendingRequirement(models.TextChoices):
    """What a conditionally eligible candidate must still do before the exam.

    Stored because the verdict is frozen at sign-up (the rules may change later); whether the
    requirement has since been met is derived (e.g. from training completion in ``courses``).
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

    session = models.ForeignKey(
        ExamSession,
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
    # The three payment fields are a cache of the ledger (fees.Payment), kept so that rosters,
    # filters and exports stay one query; only fees.ledger.registration_payment_refresh writes
    # them, every time the ledger, the quote or the registration's status changes.
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
                fields=["session", "id_number"],
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
            models.Index(fields=["session", "school_class", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def quoted_total(self) -> Decimal:
        return self.quoted_registration_fee + self.quoted_training_fee

    @property
    def masked_id_number(self) -> str:
        from registration.privacy import mask_id_number

        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        from registration.privacy import mask_phone

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
        from registration.privacy import mask_id_number

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
