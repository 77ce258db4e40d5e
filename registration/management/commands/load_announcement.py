from django.core.management.base import BaseCommand

from registration.loaders import announcement_load


class Command(BaseCommand):
    help = "Load the 2022 电子商务师 round from the college's announcement (idempotent)."

    def handle(self, *args, **options):
        session = announcement_load()
        self.stdout.write(self.style.SUCCESS(f"Loaded round {session.slug}: {session.title}"))
