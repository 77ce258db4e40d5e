"""Training per round and level: modules and topics as announced, and the training itself."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.history import HistoricalRecords


class TrainingModule(models.Model):
    round = models.ForeignKey(
        "rounds.ExamRound",
        db_column="session_id",
        verbose_name=_("考试批次"),
        on_delete=models.CASCADE,
        related_name="training_modules",
    )
    level = models.ForeignKey(
        "rounds.SkillLevel",
        verbose_name=_("等级"),
        on_delete=models.PROTECT,
        related_name="training_modules",
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("课程模块"), max_length=60)
    schedule = models.CharField(_("培训时间"), max_length=60)
    history = HistoricalRecords(verbose_name=_("培训模块历史"))

    class Meta:
        verbose_name = _("培训模块")
        verbose_name_plural = _("培训模块")
        ordering = ["round", "-level__code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "level", "number"], name="training_module_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}.{self.title}"


class TrainingTopic(models.Model):
    module = models.ForeignKey(
        TrainingModule, verbose_name=_("课程模块"), on_delete=models.CASCADE, related_name="topics"
    )
    code = models.CharField(_("编号"), max_length=10, help_text=_("按公告原样，如 2.1"))
    title = models.CharField(_("主题"), max_length=60)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords(verbose_name=_("培训主题历史"))

    class Meta:
        verbose_name = _("培训主题")
        verbose_name_plural = _("培训主题")
        ordering = ["module", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["module", "code"], name="training_topic_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


# --- Training classes and lessons -----------------------------------------------------------------
#
# In-school students registered for 四级 on the college's reading of the announcement meet
# condition L4-4 ("经本职业四级/中级工正规培训达规定标准学时数，并取得结业证书") by completing the
# college's free training. These models hold its catalog: classes with their required hours and
# lessons. Who is enrolled where, who attended which lesson and who completed is a registration's
# business (`registration.training`); this app sits below `registration` and points at no model
# above it (tests/test_model_layers.py).

# The announcement's 强化班 (social candidates): 四级 40 学时, 三级 60 学时.
# For in-school students the college sets the hours; these are only the defaults of a new class.
DEFAULT_REQUIRED_HOURS = {4: Decimal("40"), 3: Decimal("60")}
FALLBACK_REQUIRED_HOURS = Decimal("40")


def default_required_hours(level_code: int | None) -> Decimal:
    return DEFAULT_REQUIRED_HOURS.get(level_code or 0, FALLBACK_REQUIRED_HOURS)


class TrainingClass(models.Model):
    """A training class (培训班) of one round and level, with the hours its students must attend."""

    round = models.ForeignKey(
        "rounds.ExamRound",
        db_column="session_id",
        verbose_name=_("考试批次"),
        on_delete=models.CASCADE,
        related_name="training_classes",
    )
    level = models.ForeignKey(
        "rounds.SkillLevel",
        verbose_name=_("等级"),
        on_delete=models.PROTECT,
        related_name="training_classes",
    )
    name = models.CharField(_("培训班名称"), max_length=60)
    required_hours = models.DecimalField(
        _("结业所需学时"),
        max_digits=5,
        decimal_places=1,
        help_text=_(
            "出勤学时达到此数即结业。公告标准：四级 40 学时，三级 60 学时（强化班）；"
            "在校生培训学时由学院确定，可在此修改。留空则按等级取默认值。"
        ),
        blank=True,
    )
    place = models.CharField(_("默认上课地点"), max_length=100, blank=True)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("培训教师"),
        blank=True,
        related_name="training_classes",
        help_text=_("培训教师可为本培训班全部学员点名、认定结业。"),
    )
    history = HistoricalRecords(m2m_fields=[trainers], verbose_name=_("培训班历史"))

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["round", "-level__code", "name", "id"]
        permissions = [("manage_training", _("管理全部培训（分班、点名、认定结业）"))]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="training_class_unique_name"),
            models.CheckConstraint(
                condition=Q(required_hours__gt=0), name="training_class_required_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A default, not a rule: an empty value takes the announcement's hours for the level.
        if self.required_hours is None:
            self.required_hours = default_required_hours(self.level.code if self.level_id else None)
        super().save(*args, **kwargs)


class TrainingLesson(models.Model):
    """One lesson (课次) of a training class: a date, a time, its hours and a place."""

    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="lessons"
    )
    date = models.DateField(_("日期"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    topic = models.CharField(_("内容"), max_length=100, blank=True)
    history = HistoricalRecords(verbose_name=_("培训课次历史"))

    class Meta:
        verbose_name = _("培训课次")
        verbose_name_plural = _("培训课次")
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="training_lesson_ends_after_start",
                violation_error_message=_("结束时间须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=12), name="training_lesson_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training_class} {self.date:%m-%d} {self.start_time:%H:%M}"


class TrainingCutoff(models.Model):
    """The day by which a round's conditional candidates must have completed their training.

    Kept here rather than on the round so the training side owns it; the exam arrangement leaves
    out candidates still pending after it (`courses.selectors.registrations_training_overdue`).
    """

    round = models.OneToOneField(
        "rounds.ExamRound",
        db_column="session_id",
        verbose_name=_("考试批次"),
        on_delete=models.CASCADE,
        related_name="training_cutoff",
    )
    cutoff_date = models.DateField(
        _("培训结业截止日期"),
        help_text=_("此日（北京时间）结束后仍未结业的有条件报名将被标记，不参加考试编排。"),
    )
    history = HistoricalRecords(verbose_name=_("培训截止日期历史"))

    class Meta:
        verbose_name = _("培训结业截止日期")
        verbose_name_plural = _("培训结业截止日期")
        ordering = ["-cutoff_date"]

    def __str__(self) -> str:
        return f"{self.round} · {self.cutoff_date:%Y-%m-%d}"
