"""manage.py purge_personal_data [--round CODE] [--dry-run] [--today YYYY-MM-DD] [--vacuum]

Anonymise personal data of archived rounds whose retention period has passed (Asia/Shanghai
dates); report counts per kind. Safe to run daily from cron: a round already purged reports
nothing. After a purge that changed something the database files forget it too (SQLite: WAL
checkpoint, and with --vacuum a VACUUM; PostgreSQL: VACUUM FULL of the purged tables). See
docs/archive.md.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from archive.models import count_label
from archive.purge import database_compact, round_purge
from archive.selectors import rounds_due, shanghai_today
from registration.backups.services import backups_expired_delete
from rounds.models import ExamRound


class Command(BaseCommand):
    help = "到期匿名化已归档批次的个人信息（照片、手机号、无证书考生的完整身份证号等）。"

    def add_arguments(self, parser):
        parser.add_argument("--round", dest="slug", help="只处理该批次代码")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不做任何修改")
        parser.add_argument("--today", help="按该日期（YYYY-MM-DD，北京时间）判断是否到期")
        parser.add_argument(
            "--vacuum",
            action="store_true",
            help="清理后另对 SQLite 数据库文件执行 VACUUM（重建并缩小文件）",
        )

    def handle(self, *args, slug=None, dry_run=False, today=None, vacuum=False, **options):
        if today:
            try:
                today = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError("--today 须为 YYYY-MM-DD 格式的日期。") from None
        else:
            today = shanghai_today()
        for path in backups_expired_delete(today=today, dry_run=dry_run):
            self.stdout.write(f"{'[试运行] ' if dry_run else ''}删除到期备份：{path}")
        if slug:
            exam_round = ExamRound.objects.filter(slug=slug).first()
            if exam_round is None:
                raise CommandError(f"没有批次代码为 {slug} 的批次。")
            if exam_round.archived_at is None:
                raise CommandError(f"批次 {slug} 尚未归档，不能清理。")
            if exam_round.retention_ends_on > today:
                self.stdout.write(
                    f"{slug}：保存期至 {exam_round.retention_ends_on:%Y-%m-%d}（不含），未到期。"
                )
                return
        prefix = "[试运行] " if dry_run else ""
        rounds = list(rounds_due(today=today, slug=slug))
        if not rounds:
            self.stdout.write(f"{prefix}没有到期的已归档批次。")
            return
        purged = False
        for exam_round in rounds:
            counts = round_purge(
                exam_round=exam_round, ran_by="purge_personal_data", dry_run=dry_run
            )
            parts = [f"{count_label(k)} {v}" for k, v in sorted(counts.items()) if v]
            summary = "，".join(parts) if parts else "无需清理（已匿名化）"
            self.stdout.write(f"{prefix}{exam_round.slug}：{summary}")
            purged = purged or bool(parts)
        if purged and not dry_run:
            # The files of the database still hold the old pages and row versions (docs/archive.md).
            for step in database_compact(vacuum=vacuum):
                self.stdout.write(f"数据库整理：{step}")
