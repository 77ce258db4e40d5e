"""A long job run by the task queue: who started it, its state and its outcome.

Progress counts while a job runs are kept in the queue's own store (`jobs.progress`), not here:
a job's work is usually one database transaction, and rows written inside it are invisible to
the progress page until it commits.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class Job(models.Model):
    kind = models.CharField(_("任务类型"), max_length=60)
    # Two clicks on one button start one job: at most one queued/running/done job per key.
    key = models.CharField(_("去重键"), max_length=120)
    label = models.CharField(_("任务"), max_length=200)
    state = models.CharField(
        _("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    result = models.CharField(_("结果"), max_length=500, blank=True)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    return_url = models.CharField(_("返回页面"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=~Q(state="failed"),
                name="jobs_one_live_job_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.get_state_display()}）"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
