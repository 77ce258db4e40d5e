"""Archiving a finished round (docs/archive.md): who and when, read-only, the archive export."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from common.errors import DomainError
from rounds.models import ExamRound

from .exports import archive_export_build
from .models import RoundArchive
from .selectors import round_unfinished

ONLY_ACADEMIC = _("只有教务或管理员可以归档批次。")
ALREADY_ARCHIVED = _("本批次已于 %(when)s 归档。")
UNFINISHED = _("本批次尚未结束（%(problems)s）。如确需归档，请填写理由。")
REASON_TOO_LONG = _("理由不能超过 200 字。")


class ArchiveError(DomainError):
    pass


@transaction.atomic
def round_archive(*, exam_round: ExamRound, user, reason: str = "") -> RoundArchive:
    """Archive a finished round, or an unfinished one with the admin's reason.

    The round is stamped (archived_at, archived_by, reason; a history row says who), from then on
    registration, scores and certificates refuse writes (rounds.guards), and the archive export
    is written to private storage.
    """
    if not access.is_academic(user):
        raise ArchiveError(ONLY_ACADEMIC)
    reason = " ".join((reason or "").split())
    if len(reason) > 200:
        raise ArchiveError(REASON_TOO_LONG, field="reason")
    exam_round = ExamRound.objects.select_for_update().get(pk=exam_round.pk)
    if exam_round.archived_at is not None:
        when = timezone.localtime(exam_round.archived_at)
        raise ArchiveError(ALREADY_ARCHIVED % {"when": f"{when:%Y-%m-%d %H:%M}"})
    problems = round_unfinished(exam_round)
    if problems and not reason:
        raise ArchiveError(UNFINISHED % {"problems": "；".join(problems)}, field="reason")
    exam_round.archived_at = timezone.now()
    exam_round.archived_by = user
    exam_round.archive_reason = reason if problems else ""
    exam_round._history_user = user
    exam_round._change_reason = "archived" + (f": {reason}" if problems else "")
    exam_round.full_clean()
    exam_round.save(update_fields=["archived_at", "archived_by", "archive_reason", "updated_at"])
    # Last step: nothing after it can fail, so a written file always belongs to an archived round.
    return archive_export_build(exam_round=exam_round, user=user)
