from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import (
    ACADEMIC_GROUP,
    COUNSELOR_GROUP,
    FINANCE_GROUP,
    TRAINER_GROUP,
    roles_setup,
    user_role_add,
)


class Command(BaseCommand):
    help = "Create the 辅导员, 教务, 财务 and 培训教师 groups with their permissions (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--counselor", action="append", default=[], metavar="USERNAME", help="add to 辅导员"
        )
        parser.add_argument(
            "--academic", action="append", default=[], metavar="USERNAME", help="add to 教务"
        )
        parser.add_argument(
            "--finance", action="append", default=[], metavar="USERNAME", help="add to 财务"
        )
        parser.add_argument(
            "--trainer", action="append", default=[], metavar="USERNAME", help="add to 培训教师"
        )

    def handle(self, *args, counselor, academic, finance, trainer, **options):
        groups = roles_setup()
        for name, group in groups.items():
            self.stdout.write(f"{name}: {group.permissions.count()} permissions")
        user_model = get_user_model()
        for usernames, group_name in (
            (counselor, COUNSELOR_GROUP),
            (academic, ACADEMIC_GROUP),
            (finance, FINANCE_GROUP),
            (trainer, TRAINER_GROUP),
        ):
            for username in usernames:
                try:
                    user = user_model.objects.get(username=username)
                except user_model.DoesNotExist as exc:
                    raise CommandError(f"No user named {username!r}") from exc
                user_role_add(user=user, group_name=group_name)
                self.stdout.write(f"{username} -> {group_name}")
        self.stdout.write(self.style.SUCCESS("Roles are set up."))
