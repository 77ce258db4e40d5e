"""Writes that matter refuse an archived round (docs/archive.md).

The check lives in the round kernel so that registration, results and every other app can call it
without importing the archive app above them.
"""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError

ROUND_ARCHIVED = _("本批次已归档，报名、成绩和证书信息不能再修改。")


class RoundArchived(DomainError):
    pass


def round_writable_check(exam_round, *, error: type[Exception] = RoundArchived) -> None:
    """Raise `error` (the calling service's own error class, so its view shows the message) when
    the round is archived; the flag is read fresh from the database, not from a stale instance."""
    from rounds.models import ExamRound

    if ExamRound.objects.filter(pk=exam_round.pk, archived_at__isnull=False).exists():
        raise error(ROUND_ARCHIVED)
