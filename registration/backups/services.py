"""Writing a round's backup, registering it with its expiry, and deleting expired backups."""

import datetime as dt
import hashlib
import logging
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from registration.backups.collect import round_collect
from registration.backups.fileformat import backup_write, round_backup
from registration.backups.models import BackupRecord
from rounds.models import ExamRound

logger = logging.getLogger(__name__)


def round_backup_data(*, exam_round: ExamRound) -> dict:
    """The content of the round's backup file (a dict; see fileformat.py)."""
    # One snapshot, so that a backup taken while the site runs is self-consistent: SQLite reads
    # one snapshot per transaction; PostgreSQL's default (READ COMMITTED) takes one per query,
    # so the transaction asks for REPEATABLE READ (possible only as its first statement).
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return round_backup(exam_round, round_collect(exam_round))


def backup_expiry(exam_round: ExamRound) -> dt.date | None:
    """The first day the backup may no longer be kept: the round's retention end, once known."""
    return exam_round.retention_ends_on


def round_backup_create(*, exam_round: ExamRound, path: str) -> tuple[dict, BackupRecord | None]:
    """Write the backup to `path` ('-': stdout, not registered) and register the file."""
    data = round_backup_data(exam_round=exam_round)
    backup_write(data, path)
    if path == "-":
        return data, None
    resolved = str(Path(path).resolve())
    digest = hashlib.sha256(Path(resolved).read_bytes()).hexdigest()
    record, _created = BackupRecord.objects.update_or_create(
        path=resolved,
        defaults={
            "exam_round": exam_round,
            "round_slug": exam_round.slug,
            "sha256": digest,
            "created_at": timezone.now(),
            "expires_on": backup_expiry(exam_round),
        },
    )
    return data, record


def _expired(record: BackupRecord, today: dt.date) -> bool:
    exam_round = record.exam_round
    if exam_round is not None:
        # The round's retention may have been set (archived) or changed since the backup.
        ends = exam_round.retention_ends_on
        if ends is not None and ends <= today:
            return True
        if exam_round.purged_at is not None and record.created_at < exam_round.purged_at:
            return True  # written before the purge: holds what the purge removed
        return False
    return record.expires_on is not None and record.expires_on <= today


def backups_expired_delete(*, today: dt.date, dry_run: bool = False) -> list[str]:
    """Delete the registered backups whose round's personal data has expired; their paths.

    Called by `purge_personal_data` (archive) on every run. A file already gone is fine: the
    record goes too. A dry run deletes nothing.
    """
    deleted = []
    for record in BackupRecord.objects.select_related("exam_round").order_by("pk"):
        if not _expired(record, today):
            continue
        deleted.append(record.path)
        if dry_run:
            continue
        Path(record.path).unlink(missing_ok=True)
        record.delete()
    if deleted and not dry_run:
        logger.info("Deleted %s expired round backup(s)", len(deleted))
    return deleted
