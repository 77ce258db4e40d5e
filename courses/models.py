"""Training modules (课程模块) and their topics (主题) per round and level."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TrainingModule(models.Model):
    session = models.ForeignKey(
        "registration.ExamSession",
        verbose_name=_("考试批次"),
        on_delete=models.CASCADE,
        related_name="training_modules",
    )
    level = models.ForeignKey(
        "registration.SkillLevel",
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
        ordering = ["session", "-level__code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "level", "number"], name="training_module_unique_number"
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
