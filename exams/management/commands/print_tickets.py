"""Write a published round's admission tickets as one PDF per room (for large rounds).

    manage.py print_tickets ROUND_SLUG --out DIR

A round of thousands of candidates is too much for one HTTP request; this writes
`<building>-<room>.pdf` files (one ticket per page, in ticket-number order) to a folder.
"""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exams import tickets
from exams.models import Room
from rounds.models import ExamRound

_UNSAFE = re.compile(r"[^\w.-]+")


class Command(BaseCommand):
    help = "Write a published round's admission tickets as one PDF per room."

    def add_arguments(self, parser):
        parser.add_argument("round", help="the round's slug (批次代码)")
        parser.add_argument("--out", required=True, help="folder to write the PDFs to")

    def handle(self, *args, round: str, out: str, **options):
        exam_round = ExamRound.objects.filter(slug=round).first()
        if exam_round is None:
            raise CommandError(f"No round with slug {round!r}.")
        plan = getattr(exam_round, "exam_plan", None)
        if plan is None or not plan.is_published:
            raise CommandError("The round's exam plan is not published yet.")
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        written = 0
        for room in Room.objects.filter(round=exam_round):
            found = list(
                tickets.tickets_queryset()
                .filter(registration__exam_seats__room=room)
                .distinct()
                .order_by("number")
            )
            if not found:
                continue
            name = _UNSAFE.sub("_", f"{room.building}-{room.name}") + ".pdf"
            (folder / name).write_bytes(tickets.tickets_pdf(plan=plan, tickets=found))
            written += len(found)
            self.stdout.write(f"{name}: {len(found)}")
        self.stdout.write(f"{written} tickets written to {folder}")
