"""Backup and restore of a 5,000-candidate round: time and peak memory (issue 31).

    python -m benchmarks.backup [--candidates 5000] [--engine sqlite|postgres]

The driver builds a source database (SQLite file in a temporary folder, or the PostgreSQL
database `kw_backup_bench` at 127.0.0.1), fills one round with N candidates, each with a
registration and its history row, a class-list entry and its history row, a 20 KB photo, a
payment, an admission ticket, two seats with their scores, and a certificate for every other
one; then, each in a fresh process: `backup_round` to a .json.gz, and `restore_round` of that
file into a second, empty (freshly migrated) database with an empty media folder. Each worker
prints wall time and the growth of the process's peak RSS (ru_maxrss) over its RSS before the
call. Results: benchmarks/RESULTS.md ("Round backup and restore").
"""

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG = "postgres://postgres@127.0.0.1:5432/{name}"


WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def _id_number(index: int) -> str:
    """A valid, distinct ID number per index (as benchmarks/export_bench.py makes them)."""
    birth = dt.date(1998, 1, 1) + dt.timedelta(days=(index // 1000) % 2500)
    first17 = f"330102{birth:%Y%m%d}{index % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + CHECK[total % 11]


def _rss_kb() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.backup_settings")
    import django

    django.setup()


def seed(candidates: int) -> None:
    _django()
    import io
    from decimal import Decimal

    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from PIL import Image
    from simple_history.utils import bulk_create_with_history

    from exams.models import AdmissionTicket, ExamPlan, Room, Seat, Sitting, Subject
    from registration.ledger.models import Payment
    from registration.models import ClassListEntry, Registration
    from registration.photos import photo_storage
    from results.models import Certificate, Outcome, Score
    from rounds.models import ExamRound, Major, SchoolClass, SkillLevel
    from tests.factories import UserFactory

    call_command("migrate", verbosity=0)
    buffer = io.BytesIO()
    Image.effect_noise((358, 441), 40).convert("RGB").save(buffer, "JPEG", quality=30)
    photo = buffer.getvalue()
    with transaction.atomic():
        clerk = UserFactory(username="bench-jiaowu", first_name="教务")
        level, _ = SkillLevel.objects.get_or_create(code=4, defaults={"name": "四级/中级工"})
        exam_round = ExamRound.objects.create(
            slug="bench-backup",
            title="备份基准批次",
            organizer="武汉交通职业学院",
            registration_deadline=dt.date(2026, 5, 20),
            exam_period="2026年6月",
            exam_location="校内",
        )
        exam_round.levels.set([level])
        major = Major.objects.create(name="电子商务", relation="related")
        classes = [
            SchoolClass.objects.create(name=f"电商{n:03d}班", major=major, enrolment_year=2024)
            for n in range(candidates // 50 + 1)
        ]
        rows, entries = [], []
        storage = photo_storage()
        for i in range(candidates):
            school_class = classes[i // 50]
            id_number = _id_number(i)
            name = storage.save(f"photos/bench{i:05d}.jpg", ContentFile(photo))
            rows.append(
                Registration(
                    round=exam_round,
                    number=f"B{i:07d}",
                    level=level,
                    school_class=school_class,
                    name=f"考生{i:05d}",
                    id_number=id_number,
                    phone=f"138{i:08d}",
                    student_number=f"2024{i:06d}",
                    photo=name,
                    gender="M" if i % 2 else "F",
                    birth_date=dt.date(2004, 1, 1) + dt.timedelta(days=i % 700),
                    ethnicity="汉族",
                    quoted_registration_fee=Decimal("320.00"),
                    quoted_training_fee=Decimal("0.00"),
                    consent_at=timezone.now(),
                )
            )
            entries.append(
                ClassListEntry(
                    school_class=school_class,
                    student_number=f"2024{i:06d}",
                    name=f"考生{i:05d}",
                    id_number=id_number,
                )
            )
        registrations = bulk_create_with_history(rows, Registration, batch_size=500)
        bulk_create_with_history(entries, ClassListEntry, batch_size=500)
        registrations = list(Registration.objects.filter(round=exam_round).order_by("pk"))
        Payment.objects.bulk_create(
            Payment(
                registration=r,
                charge_item_name="报名费",
                amount=Decimal("320.00"),
                paid_on=dt.date(2026, 5, 1),
                source="manual",
                recorded_by=clerk,
            )
            for r in registrations
        )
        AdmissionTicket.objects.bulk_create(
            AdmissionTicket(registration=r, number=f"2026{i:08d}")
            for i, r in enumerate(registrations)
        )
        ExamPlan.objects.create(round=exam_round)
        rooms = [
            Room.objects.create(round=exam_round, building="实训楼", name=f"A{n:03d}", capacity=30)
            for n in range(candidates // 30 + 1)
        ]
        for subject, hour in ((Subject.THEORY, 9), (Subject.SKILL, 14)):
            sitting = Sitting.objects.create(
                round=exam_round,
                level=level,
                subject=subject,
                date=dt.date(2026, 6, 20),
                start_time=dt.time(hour),
                end_time=dt.time(hour + 1, 30),
            )
            sitting.rooms.set(rooms)
            seats = Seat.objects.bulk_create(
                Seat(sitting=sitting, registration=r, room=rooms[i // 30], number=i % 30 + 1)
                for i, r in enumerate(registrations)
            )
            seats = Seat.objects.filter(sitting=sitting)
            Score.objects.bulk_create(
                Score(seat=s, outcome=Outcome.SCORED, points=Decimal("75")) for s in seats
            )
        Certificate.objects.bulk_create(
            Certificate(registration=r, number=f"25300{i:011d}", issued_on=dt.date(2026, 9, 1))
            for i, r in enumerate(registrations)
            if i % 2 == 0
        )


def _measure(label: str, call) -> None:
    _django()
    rss_before = _rss_kb()
    started = time.perf_counter()
    extra = call()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "step": label,
                "seconds": round(seconds, 2),
                "peak_rss_growth_mb": round((peak - rss_before) / 1024, 1),
                "peak_rss_mb": round(peak / 1024, 1),
                **(extra or {}),
            }
        )
    )


def backup(path: str) -> None:
    def call():
        from registration.backups.services import round_backup_create
        from rounds.models import ExamRound

        data, _record = round_backup_create(
            exam_round=ExamRound.objects.get(slug="bench-backup"), path=path
        )
        return {
            "rows": sum(data["counts"].values()),
            "file_mb": round(os.path.getsize(path) / 2**20, 1),
        }

    _measure("backup", call)


def restore(path: str) -> None:
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    def call():
        from registration.backups.fileformat import backup_read
        from registration.backups.restore import round_restore

        report = round_restore(backup_read(path))
        return {"rows": sum(report.created.values()), "files": report.files}

    _measure("restore", call)


def _worker(env: dict, *args) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.backup", *args],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1]) if out.strip() else {}


def _pg_fresh(name: str) -> str:
    import psycopg

    with psycopg.connect(PG.format(name="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG.format(name=name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", nargs="?", default="run")
    parser.add_argument("path", nargs="?")
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    if args.step == "seed":
        return seed(args.candidates)
    if args.step == "backup":
        return backup(args.path)
    if args.step == "restore":
        return restore(args.path)
    folder = Path(tempfile.mkdtemp(prefix="kwt-backup-bench-"))
    try:
        if args.engine == "postgres":
            source, target = _pg_fresh("kw_backup_bench"), _pg_fresh("kw_backup_bench_restore")
        else:
            source, target = f"sqlite:///{folder}/source.db", f"sqlite:///{folder}/target.db"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.backup_settings"}
        source_env = {**env, "DATABASE_URL": source, "BENCH_MEDIA_ROOT": str(folder / "media")}
        target_env = {**env, "DATABASE_URL": target, "BENCH_MEDIA_ROOT": str(folder / "media2")}
        started = time.perf_counter()
        _worker(source_env, "seed", "--candidates", str(args.candidates))
        print(f"seeded {args.candidates} candidates in {time.perf_counter() - started:.0f} s")
        path = str(folder / "round.json.gz")
        print(json.dumps({"engine": args.engine, **_worker(source_env, "backup", path)}))
        print(json.dumps({"engine": args.engine, **_worker(target_env, "restore", path)}))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
