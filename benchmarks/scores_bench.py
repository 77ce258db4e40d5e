"""Score import and result computation on 10,000 rows, beside bare openpyxl reading the same file.

    python -m benchmarks.scores_bench 10000

A fresh process on a fresh SQLite database (seeded here, not timed): one level, 10,000 seated and
checked-in candidates in 20 rooms, a theory and a skill sitting; the skill scores are seeded, the
theory scores come from the xlsx. Prints one JSON line per step with its seconds.
"""

import datetime as dt
import io
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
_db = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
os.environ["DATABASE_URL"] = f"sqlite:///{_db.name}"

import django  # noqa: E402

django.setup()

from decimal import Decimal  # noqa: E402

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from accounts.roles import ACADEMIC_GROUP, user_role_add  # noqa: E402
from common.workbook import workbook_rows  # noqa: E402
from exams.models import AdmissionTicket, CheckIn, Room, Seat, Sitting  # noqa: E402
from registration.models import Registration  # noqa: E402
from results import imports, selectors  # noqa: E402
from results.models import Score, ScoreState, SittingReview  # noqa: E402
from rounds.models import ExamRound, Major, SchoolClass, SkillLevel  # noqa: E402


def seed(count: int):
    call_command("migrate", verbosity=0)
    level, _ = SkillLevel.objects.get_or_create(
        code=3, defaults={"name": "三级/高级工", "short_name": "三级"}
    )
    round = ExamRound.objects.create(
        slug="bench-scores",
        title="成绩基准批次",
        organizer="武汉交通职业学院",
        registration_deadline=dt.date(2022, 6, 1),
        exam_period="2022年6月",
        exam_location="校内实训室",
    )
    major = Major.objects.create(name="电子商务")
    classes = [
        SchoolClass.objects.create(name=f"电商{n:02d}班", major=major, enrolment_year=2020)
        for n in range(40)
    ]
    now = timezone.now()
    Registration.objects.bulk_create(
        Registration(
            round=round,
            number=f"B{i:08d}",
            level=level,
            school_class=classes[i % 40],
            name=f"考生{i}",
            id_number=f"420106200203{i:06d}",
            gender="M",
            birth_date=dt.date(2002, 3, 14),
            ethnicity="汉族",
            phone=f"138{i:08d}",
            review_status="confirmed",
            payment_status="paid",
            consent_at=now,
        )
        for i in range(count)
    )
    registrations = list(Registration.objects.filter(round=round).order_by("pk"))
    AdmissionTicket.objects.bulk_create(
        AdmissionTicket(registration=r, number=f"2022001{i:06d}")
        for i, r in enumerate(registrations)
    )
    rooms = [
        Room.objects.create(round=round, building="实训楼", name=f"R{i:03d}", capacity=500)
        for i in range((count + 499) // 500)
    ]
    sittings = []
    for subject, start in (("theory", dt.time(9)), ("skill", dt.time(14))):
        sitting = Sitting.objects.create(
            round=round,
            level=level,
            subject=subject,
            date=dt.date(2022, 6, 25),
            start_time=start,
            end_time=dt.time(start.hour + 1, 30),
        )
        sitting.rooms.set(rooms)
        Seat.objects.bulk_create(
            Seat(sitting=sitting, registration=r, room=rooms[i // 500], number=i % 500 + 1)
            for i, r in enumerate(registrations)
        )
        CheckIn.objects.bulk_create(CheckIn(seat=s) for s in Seat.objects.filter(sitting=sitting))
        sittings.append(sitting)
    skill = sittings[1]
    Score.objects.bulk_create(
        Score(seat=s, state=ScoreState.AGREED, outcome="scored", points=Decimal(50 + s.pk % 50))
        for s in Seat.objects.filter(sitting=skill)
    )
    SittingReview.objects.create(sitting=skill)
    user = User.objects.create(username="bench-jiaowu")
    user_role_add(user=user, group_name=ACADEMIC_GROUP)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["准考证号", "姓名", "成绩", "备注"])
    for i, r in enumerate(registrations):
        sheet.append([f"2022001{i:06d}", r.name, 40 + i % 60 + (0.5 if i % 3 else 0), None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return round, sittings[0], user, buffer.getvalue()


def timed(name, fn, results):
    started = time.perf_counter()
    value = fn()
    results.append({"step": name, "seconds": round(time.perf_counter() - started, 3)})
    return value


def bare_read(content: bytes) -> int:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = sum(1 for _ in workbook.active.iter_rows(values_only=True))
    workbook.close()
    return rows


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    round, theory, user, content = seed(count)
    steps = []
    timed("bare openpyxl read_only, rows iterated (baseline)", lambda: bare_read(content), steps)
    timed("guarded reader common.workbook.workbook_rows", lambda: workbook_rows(content), steps)
    score_import = timed(
        "preview upload (read, parse every cell, store)",
        lambda: imports.score_import_preview(
            sitting=theory, file_name="bench.xlsx", content=content, user=user
        ),
        steps,
    )
    timed(
        "preview page reconciliation",
        lambda: imports.reconcile(theory, imports.import_rows(score_import)),
        steps,
    )
    applied = timed(
        "apply (a Score row and a history row per candidate, one transaction)",
        lambda: imports.score_import_apply(score_import=score_import, user=user),
        steps,
    )
    results = timed(
        "result computation round_results (both subjects, pass rule)",
        lambda: selectors.round_results(round=round),
        steps,
    )
    timed("pass rates by level, class, major", lambda: selectors.pass_rates(results), steps)
    base = steps[0]["seconds"] or 1
    for step in steps:
        step["x_bare"] = round_(step["seconds"] / base)
    print(json.dumps({"rows": count, "applied": applied, "steps": steps}, ensure_ascii=False))
    os.unlink(_db.name)


def round_(value: float) -> float:
    return round(value, 2)


if __name__ == "__main__":
    main()
