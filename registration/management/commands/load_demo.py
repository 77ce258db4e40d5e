from django.conf import settings
from django.core.management.base import BaseCommand

from registration.loaders import demo_load


class Command(BaseCommand):
    help = "Create an open demo round, demo classes and demo accounts (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="kaowutong-demo")

    def handle(self, *args, password, **options):
        result = demo_load(password=password)
        base = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS(f"Demo round: {result['exam_round'].title}"))
        self.stdout.write(f"  Home page:      {base}/")
        self.stdout.write(f"  Django admin:   {base}/admin/  (admin / {password})")
        self.stdout.write(f"  Counselor:      {base}/counselor/  (counselor / {password})")
        self.stdout.write(f"  教务 (all classes): {base}/counselor/  (jiaowu / {password})")
        self.stdout.write(f"  Finance:        {base}/finance/  (finance / {password})")
        for school_class in result["classes"]:
            self.stdout.write(
                f"  Class link:     {base}/r/{school_class.code}/  {school_class.name}"
            )
