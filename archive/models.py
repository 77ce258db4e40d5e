"""The archive of a finished round and the audit of each purge (docs/archive.md).

Who archived a round and when is on the round itself (``ExamRound.archived_at``/``archived_by``,
with its history); this app keeps the archive export and one record per purge run. A purge record
holds counts only, never a purged value.
"""

from django.apps import apps
from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import ExamRound


def archive_storage():
    """settings.STORAGES["archives"]: private, no public URL; a callable so tests can swap it."""
    return storages["archives"]


class RoundArchive(models.Model):
    """The read-only export of an archived round: platform files and an xlsx, in one zip."""

    exam_round = models.OneToOneField(
        ExamRound, verbose_name=_("考试批次"), on_delete=models.PROTECT, related_name="archive"
    )
    file = models.FileField(_("归档文件"), storage=archive_storage, max_length=200)
    file_sha256 = models.CharField(_("文件摘要"), max_length=64)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    built_at = models.DateTimeField(_("生成时间"))
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("批次归档")
        verbose_name_plural = _("批次归档")
        ordering = ["-built_at", "-id"]

    def __str__(self) -> str:
        return str(self.exam_round)


# What a purge counts, as the command's report and the archive page name it.
PURGE_COUNT_LABELS = {
    "registrations": _("报名记录"),
    "phones": _("手机号"),
    "photos": _("证件照字段"),
    "photo_files": _("照片文件"),
    "id_numbers": _("身份证号（无证书考生）"),
    "history_rows": _("历史记录行"),
    "class_list_entries": _("班级名单条目"),
    "retake_offers": _("补考资格"),
    "free_text": _("调座、改分和结业认定等理由"),
    "import_records": _("导入记录和备注"),
    "payment_notes": _("缴费备注"),
    "attendance": _("培训考勤"),
    "log_entries": _("后台操作日志"),
    "sessions": _("过期会话"),
    "archive_rebuilt": _("重建归档文件"),
}


def count_label(key: str) -> str:
    """The Chinese name of a count: a kind above, or rows of a model (``app_label.Model``,
    counted under the model's name: 班级名单条目, 补考资格, 考勤…)."""
    if key in PURGE_COUNT_LABELS:
        return str(PURGE_COUNT_LABELS[key])
    try:
        return str(apps.get_model(key)._meta.verbose_name)
    except (LookupError, ValueError):
        return key


class PurgeRecord(models.Model):
    """One purge of one round: when, by whom (or the command), and how many of each kind."""

    exam_round = models.ForeignKey(
        ExamRound, verbose_name=_("考试批次"), on_delete=models.PROTECT, related_name="purges"
    )
    ran_at = models.DateTimeField(_("执行时间"), auto_now_add=True)
    ran_by = models.CharField(_("执行人"), max_length=150)
    counts = models.JSONField(_("各类数量"), default=dict)

    class Meta:
        verbose_name = _("个人信息清理记录")
        verbose_name_plural = _("个人信息清理记录")
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"{self.exam_round} {self.ran_at:%Y-%m-%d %H:%M}"

    def labelled_counts(self) -> list[tuple[str, int]]:
        """The non-zero counts with their Chinese names, in the order of PURGE_COUNT_LABELS."""
        known = [
            (str(label), self.counts[key])
            for key, label in PURGE_COUNT_LABELS.items()
            if self.counts.get(key)
        ]
        other = [
            (count_label(key), n)
            for key, n in self.counts.items()
            if key not in PURGE_COUNT_LABELS and n
        ]
        return known + other
