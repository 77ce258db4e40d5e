"""Restore a round from a backup_round file: `manage.py restore_round FILE [--replace] [--dry-run]`.

All or nothing (one transaction). Into an empty database, or beside other rounds: a row that
exists and differs is a clash and nothing is restored, unless --replace deletes the existing
round first. --dry-run reports what would be created and changes nothing. A restored staff
account has no usable password and is inactive until an administrator sets one. The logic is in
registration/backups/restore.py.
"""

from django.core.management.base import BaseCommand, CommandError

from registration.backups.errors import BackupError
from registration.backups.fileformat import backup_read
from registration.backups.restore import round_restore


class Command(BaseCommand):
    help = "从 backup_round 备份文件恢复一个批次（要么全部恢复，要么不做任何改动）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file (.json or .json.gz; - for stdin)")
        parser.add_argument(
            "--replace", action="store_true", help="delete the existing round with that slug first"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be created; change nothing"
        )

    def handle(self, *args, path, replace, dry_run, **options):
        try:
            report = round_restore(backup_read(path), replace=replace, dry_run=dry_run)
        except BackupError as error:
            raise CommandError(error.message) from error
        title = "[试运行 / dry run] would restore" if dry_run else "Restored"
        self.stdout.write(self.style.SUCCESS(f"{title} round {report.slug}"))
        for line in report.lines():
            self.stdout.write(f"  {line}")
