from django.core.management.base import BaseCommand

from registration.loaders import announcement_load


class Command(BaseCommand):
    help = "Load the 2022 电子商务师 round from the college's announcement (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="overwrite admin edits to the 2022 round with the announced figures",
        )

    def handle(self, *args, reset, **options):
        exam_round = announcement_load(reset=reset)
        self.stdout.write(self.style.SUCCESS(f"Loaded round {exam_round.slug}: {exam_round.title}"))
