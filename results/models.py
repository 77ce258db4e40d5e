"""Scores, results and their publication (成绩、审核、公示).

Layering: results sits above exams (it reads seats, sittings and check-ins); nothing below
imports it. The kernel models come in through the one import line below, so a rename of the
round model touches one place.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.history import HistoricalRecords
from exams.models import Room, Seat, Sitting, Subject
from registration import models as kernel

# The kernel models, named once here: when the round model moves (registration.ExamRound ->
# rounds.ExamRound), only these lines change; the rest of results/ imports them from here.
Round = kernel.ExamRound
Registration = kernel.Registration
RegistrationStatus = kernel.RegistrationStatus
SkillLevel = kernel.SkillLevel

DEFAULT_FULL_MARKS = Decimal("100")
DEFAULT_PASS_MARK = Decimal("60")
SCORE_MAX_DIGITS = 5
SCORE_DECIMALS = 1


class Outcome(models.TextChoices):
    SCORED = "scored", _("正常")
    ABSENT = "absent", _("缺考")
    VIOLATION = "violation", _("违纪")


class ScoreRule(models.Model):
    """Full marks and pass line of one subject of one level (default 100 / 60, as practised)."""

    level = models.ForeignKey(
        SkillLevel, verbose_name=_("等级"), on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(_("科目"), max_length=10, choices=Subject.choices)
    full_marks = models.DecimalField(
        _("满分"),
        max_digits=SCORE_MAX_DIGITS,
        decimal_places=SCORE_DECIMALS,
        default=DEFAULT_FULL_MARKS,
        validators=[MinValueValidator(Decimal("1"))],
    )
    pass_mark = models.DecimalField(
        _("合格线"),
        max_digits=SCORE_MAX_DIGITS,
        decimal_places=SCORE_DECIMALS,
        default=DEFAULT_PASS_MARK,
        validators=[MinValueValidator(Decimal("0"))],
    )

    history = HistoricalRecords(verbose_name=_("成绩规则历史"))

    class Meta:
        verbose_name = _("成绩规则")
        verbose_name_plural = _("成绩规则")
        ordering = ["-level__code", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["level", "subject"], name="score_rule_unique"),
            models.CheckConstraint(
                condition=Q(pass_mark__lte=models.F("full_marks")),
                name="score_rule_pass_within_full",
                violation_error_message=_("合格线不能高于满分。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.get_subject_display()} {self.pass_mark}/{self.full_marks}"


class ScorerAssignment(models.Model):
    """A 考评员 assigned to enter the scores of a room in a sitting."""

    sitting = models.ForeignKey(
        Sitting, verbose_name=_("场次"), on_delete=models.CASCADE, related_name="scorer_assignments"
    )
    room = models.ForeignKey(
        Room, verbose_name=_("考场"), on_delete=models.CASCADE, related_name="scorer_assignments"
    )
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("考评员"),
        on_delete=models.CASCADE,
        related_name="scorer_assignments",
    )

    history = HistoricalRecords(verbose_name=_("考评安排历史"))

    class Meta:
        verbose_name = _("考评安排")
        verbose_name_plural = _("考评安排")
        ordering = ["sitting", "room", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "room", "scorer"], name="scorer_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sitting} {self.room} {self.scorer}"


class ScoreEntry(models.Model):
    """One 考评员's independent entry for one seat (double entry: at most two, by two people)."""

    seat = models.ForeignKey(
        Seat, verbose_name=_("座位"), on_delete=models.CASCADE, related_name="score_entries"
    )
    entry_no = models.PositiveSmallIntegerField(_("录入序号"))
    outcome = models.CharField(
        _("情况"), max_length=10, choices=Outcome.choices, default=Outcome.SCORED
    )
    points = models.DecimalField(
        _("分数"),
        max_digits=SCORE_MAX_DIGITS,
        decimal_places=SCORE_DECIMALS,
        null=True,
        blank=True,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("成绩录入历史"))

    class Meta:
        verbose_name = _("成绩录入")
        verbose_name_plural = _("成绩录入")
        ordering = ["seat", "entry_no"]
        constraints = [
            models.UniqueConstraint(fields=["seat", "entry_no"], name="score_entry_no_unique"),
            models.UniqueConstraint(
                fields=["seat", "entered_by"], name="score_entry_one_per_person"
            ),
            models.CheckConstraint(condition=Q(entry_no__in=[1, 2]), name="score_entry_no_1_or_2"),
        ]

    def __str__(self) -> str:
        return f"{self.seat_id} #{self.entry_no} {self.points}"

    @property
    def value(self) -> tuple:
        return (self.outcome, self.points if self.outcome == Outcome.SCORED else None)


class ScoreState(models.TextChoices):
    PENDING = "pending", _("待第二次录入")
    MISMATCH = "mismatch", _("两次录入不一致")
    AGREED = "agreed", _("两次录入一致")
    RESOLVED = "resolved", _("已核定")
    IMPORTED = "imported", _("导入")


FINAL_STATES = (ScoreState.AGREED, ScoreState.RESOLVED, ScoreState.IMPORTED)


class Score(models.Model):
    """The score of one candidate in one sitting (one row per seat), derived from the entries.

    Two matching entries make it AGREED; a mismatch waits for a third person (教务) to resolve it.
    Once the sitting is reviewed (审核) the score is locked: only 教务 change it, with a reason.
    """

    seat = models.OneToOneField(
        Seat, verbose_name=_("座位"), on_delete=models.CASCADE, related_name="score"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=ScoreState.choices, default=ScoreState.PENDING
    )
    outcome = models.CharField(
        _("情况"), max_length=10, choices=Outcome.choices, default=Outcome.SCORED
    )
    points = models.DecimalField(
        _("分数"),
        max_digits=SCORE_MAX_DIGITS,
        decimal_places=SCORE_DECIMALS,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("9999"))],
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核定人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("修改原因"), max_length=200, blank=True)

    history = HistoricalRecords(verbose_name=_("成绩历史"))

    class Meta:
        verbose_name = _("成绩")
        verbose_name_plural = _("成绩")
        ordering = ["seat"]

    def __str__(self) -> str:
        return f"{self.seat_id} {self.get_state_display()} {self.points}"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


class SittingReview(models.Model):
    """审核 of a sitting's scores: from then on they are locked."""

    sitting = models.OneToOneField(
        Sitting, verbose_name=_("场次"), on_delete=models.PROTECT, related_name="score_review"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    history = HistoricalRecords(verbose_name=_("成绩审核历史"))

    class Meta:
        verbose_name = _("成绩审核")
        verbose_name_plural = _("成绩审核")
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return str(self.sitting)


class ScoreImport(models.Model):
    """One upload of a sitting's score list: previewed first, applied at most once."""

    sitting = models.ForeignKey(
        Sitting, verbose_name=_("场次"), on_delete=models.PROTECT, related_name="score_imports"
    )
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
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    applied_count = models.PositiveIntegerField(_("导入人数"), default=0)

    class Meta:
        verbose_name = _("成绩导入")
        verbose_name_plural = _("成绩导入")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"


DEFAULT_NOTICE_WORKING_DAYS = 5


class CalendarSource(models.TextChoices):
    """Which calendar counted the working days of a 公示 (results.notice)."""

    ENTERED = "entered", _("教务录入的当年放假和调休安排")
    OFFICIAL = "official", _("国务院公布的放假和调休安排")
    STATUTORY = "statutory", _("仅法定固定节假日（元旦、清明、劳动节、国庆），调休未知")


class ResultNotice(models.Model):
    """The 公示 of a round's results: published on a day, open for N working days."""

    round = models.OneToOneField(
        Round, verbose_name=_("考试批次"), on_delete=models.PROTECT, related_name="result_notice"
    )
    working_days = models.PositiveSmallIntegerField(
        _("公示期（工作日）"),
        default=DEFAULT_NOTICE_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示结束日期"))
    calendar = models.CharField(
        _("工作日依据"),
        max_length=10,
        choices=CalendarSource.choices,
        default=CalendarSource.OFFICIAL,
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    history = HistoricalRecords(verbose_name=_("成绩公示历史"))

    class Meta:
        verbose_name = _("成绩公示")
        verbose_name_plural = _("成绩公示")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.round} {self.starts_on}–{self.ends_on}"


# Permissive on purpose: no official, public specification of the certificate number of the
# 职业技能等级证书 was available to us, so we do not invent one. Letters and digits, 6 to 40
# characters, after full-width folding and upper-casing; set the format the platform's list uses
# per round (docs/results.md).
DEFAULT_CERTIFICATE_PATTERN = r"^[0-9A-Z]{6,40}$"


class CertificateFormat(models.Model):
    """The certificate number format of a round, as a regular expression."""

    round = models.OneToOneField(
        Round,
        verbose_name=_("考试批次"),
        on_delete=models.CASCADE,
        related_name="certificate_format",
    )
    pattern = models.CharField(
        _("证书编号格式（正则表达式）"),
        max_length=200,
        default=DEFAULT_CERTIFICATE_PATTERN,
        help_text=_("例如 ^[0-9A-Z]{6,40}$；导入和录入时按此校验。"),
    )

    history = HistoricalRecords(verbose_name=_("证书编号格式历史"))

    class Meta:
        verbose_name = _("证书编号格式")
        verbose_name_plural = _("证书编号格式")

    def __str__(self) -> str:
        return f"{self.round} {self.pattern}"

    def clean(self):
        import re

        from django.core.exceptions import ValidationError

        try:
            re.compile(self.pattern)
        except re.error as error:
            raise ValidationError({"pattern": _("不是有效的正则表达式：%s") % error}) from None


class Certificate(models.Model):
    """The certificate of one candidate: number, issue date, and when and by whom handed out."""

    registration = models.OneToOneField(
        Registration,
        verbose_name=_("考生"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    collected_on = models.DateField(_("领取日期"), null=True, blank=True)
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # Revocation (吊销/撤销): a score corrected into a fail revokes the certificate in the same
    # step (results.services.score_amend); the row stays, with who, when and why, and its history.
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(verbose_name=_("证书历史"))

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="certificate_revoked_with_reason",
                violation_error_message=_("撤销证书须填写原因。"),
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class RetakeRule(models.Model):
    """Who may retake (补考) at a level: a candidate who passed every subject but one may retake
    that one subject, at most `retakes_allowed` times (the announcement's rule: once)."""

    level = models.OneToOneField(
        SkillLevel, verbose_name=_("等级"), on_delete=models.CASCADE, related_name="+"
    )
    retakes_allowed = models.PositiveSmallIntegerField(
        _("可补考次数"), default=1, validators=[MaxValueValidator(5)]
    )

    history = HistoricalRecords(verbose_name=_("补考规则历史"))

    class Meta:
        verbose_name = _("补考规则")
        verbose_name_plural = _("补考规则")

    def __str__(self) -> str:
        return f"{self.level} {self.retakes_allowed}"


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class OfficialCalendarDay(models.Model):
    """A day of the State Council's yearly holiday schedule entered by 教务 (放假 or 调休上班).

    The 公示 calendar (results.notice) uses these days first, then `chinese_calendar`, then the
    statutory fixed holidays; a year with at least one row here counts as known (data entered).
    """

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("名称"), max_length=30, blank=True, help_text=_("例如：元旦、春节"))

    history = HistoricalRecords(verbose_name=_("法定节假日安排历史"))

    class Meta:
        verbose_name = _("法定节假日安排")
        verbose_name_plural = _("法定节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class ReviewRequestStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    UNCHANGED = "unchanged", _("复核后成绩不变")
    CORRECTED = "corrected", _("复核后已更正")


class ReviewRequest(models.Model):
    """A candidate's request for 复核 of one subject during the 公示, and 教务's outcome."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("考生"),
        on_delete=models.CASCADE,
        related_name="score_review_requests",
    )
    subject = models.CharField(_("科目"), max_length=10, choices=Subject.choices)
    reason = models.CharField(_("申请理由"), max_length=200)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(
        _("处理结果"),
        max_length=10,
        choices=ReviewRequestStatus.choices,
        default=ReviewRequestStatus.PENDING,
    )
    answer = models.CharField(_("答复"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    history = HistoricalRecords(verbose_name=_("成绩复核申请历史"))

    class Meta:
        verbose_name = _("成绩复核申请")
        verbose_name_plural = _("成绩复核申请")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "subject"],
                name="review_request_once_per_subject",
                violation_error_message=_("该科目已申请过复核。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.get_subject_display()} {self.get_status_display()}"


class ScorerRequirement(models.Model):
    """How many 考评员 a subject of a round needs per room (操作技能: two, for double entry)."""

    round = models.ForeignKey(
        Round, verbose_name=_("考试批次"), on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(_("科目"), max_length=10, choices=Subject.choices)
    scorers_per_room = models.PositiveSmallIntegerField(
        _("每考场考评员人数"), default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    history = HistoricalRecords(verbose_name=_("考评员人数要求历史"))

    class Meta:
        verbose_name = _("考评员人数要求")
        verbose_name_plural = _("考评员人数要求")
        ordering = ["round", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["round", "subject"], name="scorer_requirement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.get_subject_display()} {self.scorers_per_room}"


class ScorerRecusal(models.Model):
    """A person a 考评员 declares they must not assess (a relative): 回避 by ID number."""

    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("考评员"),
        on_delete=models.CASCADE,
        related_name="scorer_recusals",
    )
    id_number = models.CharField(_("回避人员身份证号"), max_length=18)
    relation = models.CharField(_("关系"), max_length=50, blank=True)

    history = HistoricalRecords(verbose_name=_("考评员回避声明历史"))

    class Meta:
        verbose_name = _("考评员回避声明")
        verbose_name_plural = _("考评员回避声明")
        ordering = ["scorer", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scorer", "id_number"], name="scorer_recusal_unique")
        ]

    def __str__(self) -> str:
        from common.privacy import mask_id_number

        return f"{self.scorer} {mask_id_number(self.id_number)}"
