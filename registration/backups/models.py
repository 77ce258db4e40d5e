"""A backup file written by `backup_round`, kept until the round's personal data expires."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import ExamRound


class BackupRecord(models.Model):
    """Where a round's backup file is and until when it may be kept (docs/deployment.md).

    The file holds the same personal data as the round, so it may be kept no longer than the
    round keeps it: until its retention ends (`ExamRound.retention_ends_on`), and never past the
    purge of the round if it was written before it. `backups_expired_delete` (called by
    `purge_personal_data`) deletes the file and this row.
    """

    path = models.CharField(_("文件路径"), max_length=500, unique=True)
    exam_round = models.ForeignKey(
        ExamRound,
        verbose_name=_("批次"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",  # not a row of the round: a backup never contains its own record
    )
    round_slug = models.CharField(_("批次代码"), max_length=40)
    sha256 = models.CharField(_("校验和"), max_length=64)
    created_at = models.DateTimeField(_("备份时间"))
    expires_on = models.DateField(
        _("保存至（不含）"),
        null=True,
        blank=True,
        help_text=_("批次归档后确定：归档日期加个人信息保存天数。"),
    )

    class Meta:
        verbose_name = _("批次备份")
        verbose_name_plural = _("批次备份")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.round_slug} {self.created_at:%Y-%m-%d %H:%M}"
