"""Back up one exam round: `manage.py backup_round <slug> -o /var/backups/kaowutong/round.json.gz`.

What the file holds and how it is restored: registration/backups/ and docs/deployment.md. A file
written to a path is registered (`BackupRecord`) with the round's retention of personal data and
deleted by `purge_personal_data` when that ends; a backup written to stdout is not registered.
"""

from django.core.management.base import BaseCommand, CommandError

from registration.backups.errors import BackupError
from registration.backups.services import round_backup_create
from rounds.models import ExamRound


class Command(BaseCommand):
    help = (
        "备份一个批次（报名、名单、缴费、照片、考场、成绩、证书、补考资格及其历史）到 JSON 文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the round's 批次代码")
        parser.add_argument(
            "-o", "--output", default="-", help="file to write (.gz compresses; - for stdout)"
        )

    def handle(self, *args, slug, output, **options):
        exam_round = ExamRound.objects.filter(slug=slug).first()
        if exam_round is None:
            raise CommandError(f"没有批次代码为 {slug} 的批次 / no round with slug {slug!r}")
        try:
            data, record = round_backup_create(exam_round=exam_round, path=output)
        except BackupError as error:
            raise CommandError(error.message) from error
        if output == "-":
            self.stderr.write(
                "未登记：写到标准输出的备份不会被到期清理 / stdout backups are not registered"
            )
            return
        summary = ", ".join(f"{label}: {n}" for label, n in sorted(data["counts"].items()))
        expiry = f"{record.expires_on:%Y-%m-%d}" if record.expires_on else "批次归档后确定"
        self.stdout.write(
            self.style.SUCCESS(f"Backed up {slug} to {output} ({summary}); 保存至 {expiry}")
        )
        if data["missing_files"]:
            self.stderr.write(f"缺少文件 / missing files: {len(data['missing_files'])}")
