"""The round kernel: exam rounds (批次), skill levels, majors, classes and candidate types.

Every other app builds on these; this module imports no app of the project. The models moved here
from ``registration`` without touching data: each keeps its table (``db_table``) and its history
table (``table_name``); see rounds/migrations/0001_initial.py and docs/architecture.md.
"""

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.history import HistoricalRecords

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Five years after archiving: assessment bodies keep the electronic records of an assessment for
# at least five years (paper records three), which covers retakes, complaints about results and
# re-issuing a lost certificate list. A round may set another period (30 to 3650 days); the purge
# then anonymises photos and phones (PIPL art. 19, minimal retention).
DEFAULT_RETENTION_DAYS = 1825


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
        db_table = "registration_skilllevel"
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


# The announcement's text fields of a round, in the order the announcement prints them: the one
# list the admin's 公告正文 section, the round clone and the announcement page all use.
ROUND_TEXT_FIELDS = (
    "intro_text",
    "value_text",
    "eligibility_notes",
    "training_audience",
    "training_note",
    "fee_payment_text",
    "fee_note",
    "how_to_register_text",
)


class ExamRoundQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open_on(self, day: dt.date):
        return self.published().filter(
            Q(registration_opens__isnull=True) | Q(registration_opens__lte=day),
            registration_deadline__gte=day,
        )


class ExamRound(models.Model):
    """An exam round (批次) as announced: dates, place, policy, contacts and narrative texts."""

    slug = models.SlugField(_("批次代码"), max_length=40, unique=True)
    title = models.CharField(_("批次名称"), max_length=120)
    occupation = models.CharField(_("职业（工种）"), max_length=60, default="电子商务师")
    organizer = models.CharField(_("评价机构"), max_length=120)
    is_published = models.BooleanField(
        _("已发布"), default=True, help_text=_("草稿批次不在首页显示，也不能报名。")
    )
    levels = models.ManyToManyField(
        SkillLevel, verbose_name=_("本批次开考等级"), related_name="rounds", blank=True
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
    next_round_note = models.CharField(
        _("下一批次预告"),
        max_length=200,
        blank=True,
        help_text=_(
            "不接受社会考生时显示，例如“预计2027年春季开放社会人员报名，可先登记意向”。留空则不显示。"
        ),
    )
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
    # Where and by when to pay (issue 26): shown on the confirmation, the private page, the home
    # page and the counselor's roster; after the deadline an unpaid registration is 逾期未缴费.
    payment_channel = models.TextField(
        _("缴费方式"),
        blank=True,
        help_text=_("如：登录学校统一缴费平台，选择“职业技能等级认定”项目缴费。"),
    )
    payment_link = models.URLField(
        _("缴费平台链接"),
        blank=True,
        help_text=_("选填；填写后页面显示链接和对应的二维码。"),
    )
    payment_deadline = models.DateField(
        _("缴费截止日期"),
        null=True,
        blank=True,
        help_text=_("该日（含）之后仍未缴清的报名显示为“逾期未缴费”；留空则不限。"),
    )
    payment_reminder_days = models.PositiveSmallIntegerField(
        _("缴费提醒提前天数"),
        default=3,
        validators=[MaxValueValidator(60)],
        help_text=_("缴费截止前几天提醒未缴费的考生；0 表示不提前提醒（逾期后仍提醒一次）。"),
    )
    supplement_reminder_days = models.PositiveSmallIntegerField(
        _("补充资料提醒提前天数"),
        default=3,
        validators=[MaxValueValidator(60)],
        help_text=_("补充资料截止前几天提醒资料未完成的考生；0 表示不提醒。"),
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
    # Archive and purge (issue 15, part 6; docs/archive.md). The policy lives on the kernel so that
    # registration's student page can tell candidates how long their data is kept, and so that
    # every app can refuse writes to an archived round without importing the archive app.
    retention_days = models.PositiveSmallIntegerField(
        _("归档后个人信息保存天数"),
        default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text=_(
            "归档后经过该天数，照片、手机号、未取得证书考生的完整身份证号等个人信息将被匿名化；"
            "统计数据和证书记录保留。"
        ),
    )
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("归档人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    archive_reason = models.CharField(_("提前归档理由"), max_length=200, blank=True, editable=False)
    purged_at = models.DateTimeField(_("个人信息匿名化时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ExamRoundQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[levels],
        verbose_name=_("考试批次历史"),
        table_name="registration_historicalexamsession",
    )

    class Meta:
        db_table = "registration_examsession"
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

    def payment_overdue_on(self, day: dt.date) -> bool:
        """Past the payment deadline: the deadline day itself still counts as in time."""
        return self.payment_deadline is not None and day > self.payment_deadline

    @property
    def is_payment_overdue(self) -> bool:
        return self.payment_overdue_on(timezone.localdate())

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def retention_ends_on(self) -> dt.date | None:
        """The first day (Asia/Shanghai) on which the purge may anonymise this round's data."""
        if self.archived_at is None:
            return None
        archived_on = timezone.localtime(self.archived_at, SHANGHAI).date()
        return archived_on + dt.timedelta(days=self.retention_days)

    def accepted_candidate_types(self) -> list[str]:
        types = []
        if self.accepts_students:
            types.append(CandidateType.STUDENT.value)
        if self.accepts_social:
            types.append(CandidateType.SOCIAL.value)
        return types


# simple-history names the levels' history table after the app and model
# (rounds_historicalexamround_levels) and has no option for it: keep the table the data is in.
# Set in original_attrs as well, so that migrations record it like any Meta.db_table.
_levels_history = ExamRound.history.model.levels.model
_levels_history._meta.db_table = "registration_historicalexamsession_levels"
_levels_history._meta.original_attrs["db_table"] = _levels_history._meta.db_table


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

    history = HistoricalRecords(
        verbose_name=_("专业历史"), table_name="registration_historicalmajor"
    )

    class Meta:
        db_table = "registration_major"
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
    history = HistoricalRecords(
        excluded_fields=["code"],
        verbose_name=_("班级历史"),
        table_name="registration_historicalschoolclass",
    )

    class Meta:
        db_table = "registration_schoolclass"
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


class ContentVersion(models.Model):
    """How often content has changed, counted by the database itself (one row, id 1).

    Every save or delete of content (common.content_cache.content_models(): rounds, levels, rules,
    fee items, classes, majors, training) raises it before and after the write, in the same
    transaction as the change; code that changes content without signals (QuerySet.update, data
    migrations) calls rounds.content.content_changed(). A sign-up compares the number its cached
    content was read under with this row, in the view and again inside its transaction: an edit
    whose cache invalidation was lost (Redis unreachable for a moment, a second process without
    Redis) can never make a sign-up use content older than the database holds
    (registration.services.submission, docs/caching.md).
    """

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("内容版本")
        verbose_name_plural = _("内容版本")

    def __str__(self) -> str:
        return str(self.value)
