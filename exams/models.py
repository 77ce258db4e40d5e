"""The exam plan of a round: sittings, rooms, seats, admission tickets and exam-day check-in.

Layering: exams sits above registration (it reads registrations and rounds); nothing below
imports it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.history import HistoricalRecords
from exams.ticket_format import ticket_format_check
from registration.models import Registration
from rounds.models import ExamRound, SkillLevel

# Placeholders: {year} (year of the first sitting), {round} (round id), {level} (level code 1-5),
# {seq} (running number within the round, in seating order). Python format syntax, so
# {round:03d} and {seq:05d} pad with zeros. This is the college's own format, not an official one.
DEFAULT_TICKET_NUMBER_FORMAT = "{year}{round:03d}{level}{seq:05d}"

DEFAULT_CANDIDATE_RULES = (
    "1. 考生须凭本准考证和有效身份证件原件，于开考前30分钟到达考场，对号入座。\n"
    "2. 开考15分钟后不得入场；考试开始30分钟内不得交卷离场。\n"
    "3. 除黑色签字笔、2B铅笔、橡皮外，不得携带任何书籍、资料、通讯及电子设备进入考场。\n"
    "4. 遵守考场纪律，服从监考人员安排；违纪违规者按有关规定处理。\n"
    "5. 本准考证请妥善保管，考试结束前不得涂改、转借。"
)


class ExamPlan(models.Model):
    """One round's exam arrangement: its ticket format, rules, and whether it is published.

    Publishing locks the seats and releases the admission tickets to the candidates.
    """

    round = models.OneToOneField(
        ExamRound,
        verbose_name=_("考试批次"),
        on_delete=models.PROTECT,
        related_name="exam_plan",
    )
    ticket_number_format = models.CharField(
        _("准考证号格式"),
        max_length=60,
        default=DEFAULT_TICKET_NUMBER_FORMAT,
        validators=[ticket_format_check],
        help_text=_(
            "可用占位符：{year} 年份、{round} 批次编号、{level} 等级代码、{seq} 顺序号；"
            "例如 {year}{round:03d}{level}{seq:05d}。"
        ),
    )
    candidate_rules = models.TextField(_("考生须知"), default=DEFAULT_CANDIDATE_RULES)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(verbose_name=_("考务安排历史"))

    class Meta:
        verbose_name = _("考务安排")
        verbose_name_plural = _("考务安排")
        ordering = ["-round__registration_deadline", "-id"]

    def __str__(self) -> str:
        return str(self.round)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Subject(models.TextChoices):
    THEORY = "theory", _("理论知识")
    SKILL = "skill", _("操作技能")


class Room(models.Model):
    """An exam room (考场) of a round."""

    round = models.ForeignKey(
        ExamRound, verbose_name=_("考试批次"), on_delete=models.PROTECT, related_name="rooms"
    )
    building = models.CharField(_("楼栋"), max_length=60)
    name = models.CharField(_("考场名称"), max_length=60)
    capacity = models.PositiveSmallIntegerField(_("座位数"))

    history = HistoricalRecords(verbose_name=_("考场历史"))

    class Meta:
        verbose_name = _("考场")
        verbose_name_plural = _("考场")
        ordering = ["building", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "building", "name"],
                name="room_unique_per_round",
                violation_error_message=_("本批次已有同名考场。"),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=500), name="room_capacity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.name}"


class Sitting(models.Model):
    """One subject of one level at one time (场次), held in the rooms listed."""

    round = models.ForeignKey(
        ExamRound, verbose_name=_("考试批次"), on_delete=models.PROTECT, related_name="sittings"
    )
    level = models.ForeignKey(
        SkillLevel, verbose_name=_("等级"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("科目"), max_length=10, choices=Subject.choices)
    date = models.DateField(_("考试日期"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    rooms = models.ManyToManyField(Room, verbose_name=_("使用考场"), related_name="sittings")

    history = HistoricalRecords(verbose_name=_("场次历史"), m2m_fields=[rooms])

    class Meta:
        verbose_name = _("考试场次")
        verbose_name_plural = _("考试场次")
        ordering = ["date", "start_time", "-level__code", "subject", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "level", "subject"],
                name="sitting_unique_subject_per_level",
                violation_error_message=_("本批次该等级的这一科目已有场次。"),
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="sitting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.level.name} {self.get_subject_display()} "
            f"{self.date:%Y-%m-%d} {self.start_time:%H:%M}-{self.end_time:%H:%M}"
        )


class DrawMethod(models.TextChoices):
    RANDOM = "random", _("随机抽签")
    BY_CLASS = "by_class", _("按班级顺序")


class SeatDraw(models.Model):
    """One run of the seat assignment of a sitting (append-only): how, with which seed, by whom.

    The seats of the latest draw are the plan; its seed reproduces them (抽签可复核).
    """

    sitting = models.ForeignKey(
        Sitting, verbose_name=_("场次"), on_delete=models.CASCADE, related_name="draws"
    )
    method = models.CharField(_("排座方式"), max_length=10, choices=DrawMethod.choices)
    seed = models.BigIntegerField(_("随机种子"), null=True, blank=True)
    seated = models.PositiveIntegerField(_("安排人数"))
    drawn_at = models.DateTimeField(_("排座时间"), auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("排座人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("排座记录")
        verbose_name_plural = _("排座记录")
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sitting} {self.get_method_display()} {self.seed or ''}"


class Seat(models.Model):
    """A candidate's seat in one sitting."""

    sitting = models.ForeignKey(
        Sitting, verbose_name=_("场次"), on_delete=models.CASCADE, related_name="seats"
    )
    registration = models.ForeignKey(
        Registration, verbose_name=_("考生"), on_delete=models.PROTECT, related_name="exam_seats"
    )
    room = models.ForeignKey(
        Room, verbose_name=_("考场"), on_delete=models.PROTECT, related_name="seats"
    )
    number = models.PositiveSmallIntegerField(_("座位号"))
    move_reason = models.CharField(_("调整原因"), max_length=200, blank=True)

    history = HistoricalRecords(verbose_name=_("座位历史"))

    class Meta:
        verbose_name = _("座位")
        verbose_name_plural = _("座位")
        ordering = ["sitting", "room", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "registration"],
                name="seat_one_per_candidate_per_sitting",
                violation_error_message=_("该考生在本场次已有座位。"),
            ),
            models.UniqueConstraint(
                fields=["sitting", "room", "number"],
                name="seat_number_unique_per_room",
                violation_error_message=_("该座位已有考生。"),
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="seat_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.number:02d} {self.registration.name}"


class AdmissionTicket(models.Model):
    """The admission ticket (准考证) of one registration, numbered when the plan is published."""

    registration = models.OneToOneField(
        Registration,
        verbose_name=_("考生"),
        on_delete=models.PROTECT,
        related_name="admission_ticket",
    )
    number = models.CharField(_("准考证号"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    history = HistoricalRecords(verbose_name=_("准考证历史"))

    class Meta:
        verbose_name = _("准考证")
        verbose_name_plural = _("准考证")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class Invigilation(models.Model):
    """An invigilator (监考) assigned to a room for a sitting."""

    sitting = models.ForeignKey(
        Sitting, verbose_name=_("场次"), on_delete=models.CASCADE, related_name="invigilations"
    )
    room = models.ForeignKey(
        Room, verbose_name=_("考场"), on_delete=models.CASCADE, related_name="invigilations"
    )
    invigilator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("监考员"),
        on_delete=models.CASCADE,
        related_name="invigilations",
    )

    history = HistoricalRecords(verbose_name=_("监考安排历史"))

    class Meta:
        verbose_name = _("监考安排")
        verbose_name_plural = _("监考安排")
        ordering = ["sitting", "room", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "room", "invigilator"], name="invigilation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sitting} {self.room} {self.invigilator}"


class CheckInMethod(models.TextChoices):
    # A signed QR proves the ticket was issued here; a typed number or a name proves nothing, so
    # the invigilator confirmed the 身份证 instead (exams.checkin).
    SCAN = "scan", _("扫码")
    MANUAL = "manual", _("手工核验")


class CheckIn(models.Model):
    """A candidate marked present at their seat (one row per seat: a second scan is refused)."""

    seat = models.OneToOneField(
        Seat, verbose_name=_("座位"), on_delete=models.PROTECT, related_name="check_in"
    )
    checked_in_at = models.DateTimeField(_("签到时间"), auto_now_add=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("监考员"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    method = models.CharField(
        _("签到方式"),
        max_length=10,
        choices=CheckInMethod.choices,
        default=CheckInMethod.SCAN,
        help_text=_("手工核验：准考证号或姓名手工输入，监考员已核对身份证。"),
    )

    history = HistoricalRecords(verbose_name=_("签到历史"))

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["-checked_in_at", "-id"]

    def __str__(self) -> str:
        return f"{self.seat} {self.checked_in_at:%H:%M}"
