"""Export benchmark worker: each measurement runs in a fresh process started by benchmarks.run.

    python -m benchmarks.export_bench seed 10000
    python -m benchmarks.export_bench measure KIND [--memory]

KIND is export-roster, export-national, bare or bare-query.

Prints one JSON line. Timing runs do not trace memory (tracemalloc slows Python down about 2x);
memory runs report tracemalloc's peak of Python allocations during the call and the growth of
the process's peak RSS (ru_maxrss) over its RSS just before the call.
"""

import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from fees.models import FeeItem  # noqa: E402
from registration.loaders import DEMO_SESSION_SLUG  # noqa: E402
from registration.models import Registration  # noqa: E402
from rounds.models import ExamRound, SchoolClass, SkillLevel  # noqa: E402

EXPORT_SLUG = "bench-export"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def id_number(index: int) -> str:
    birth = dt.date(1998, 1, 1) + dt.timedelta(days=(index // 1000) % 2500)
    first17 = f"330102{birth:%Y%m%d}{index % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + CHECK[total % 11]


def export_session() -> ExamRound:
    demo = ExamRound.objects.get(slug=DEMO_SESSION_SLUG)
    exam_round, created = ExamRound.objects.get_or_create(
        slug=EXPORT_SLUG,
        defaults={
            "title": "导出基准批次",
            "organizer": demo.organizer,
            "registration_deadline": demo.registration_deadline,
            "registration_opens": demo.registration_opens,
            "exam_period": demo.exam_period,
            "exam_location": demo.exam_location,
            "is_published": False,
        },
    )
    if created:
        exam_round.levels.set(demo.levels.all())
    return exam_round


@transaction.atomic
def seed(count: int) -> dict:
    exam_round = export_session()
    Registration.objects.filter(round=exam_round).delete()
    demo = ExamRound.objects.get(slug=DEMO_SESSION_SLUG)
    classes = list(SchoolClass.objects.filter(is_active=True).order_by("pk"))
    levels = {level.code: level for level in SkillLevel.objects.all()}
    fees = {
        item.level.code: item
        for item in FeeItem.objects.filter(
            round=demo, kind="registration", candidate_type="student"
        ).select_related("level")
    }
    now = timezone.now()
    rows = []
    for i in range(count):
        code = 3 if i % 3 else 4
        fee = fees.get(code)
        rows.append(
            Registration(
                round=exam_round,
                number=f"B{i:09d}",
                candidate_type="student",
                level=levels[code],
                school_class=classes[i % len(classes)],
                name=SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + "同学"[: i % 2],
                id_number=id_number(i),
                gender="M" if i % 2 else "F",
                birth_date=dt.date(2003, 1, 1) + dt.timedelta(days=i % 700),
                ethnicity="汉族" if i % 10 else "土家族",
                phone=f"139{i:08d}",
                student_number=f"2021{i:06d}",
                registration_fee_item=fee,
                quoted_registration_fee=fee.amount if fee else Decimal("320.00"),
                quoted_training_fee=Decimal("0.00"),
                matched_condition_text="取得本专业或相关专业大专及以上毕业证书（含在读）",
                review_status=("pending", "confirmed", "returned")[i % 3],
                review_reason="照片不清晰" if i % 3 == 2 else "",
                payment_status="paid" if i % 4 == 0 else "unpaid",
                paid_amount=fee.amount if (fee and i % 4 == 0) else None,
                paid_on=now.date() if i % 4 == 0 else None,
                consent_at=now,
            )
        )
    Registration.objects.bulk_create(rows, batch_size=1000)
    return {"seeded": Registration.objects.filter(round=exam_round).count()}


def _rows_from_database(exam_round) -> list[tuple]:
    """The roster's 25 columns as plain values, with one query and no model instances."""
    return list(
        Registration.objects.filter(round=exam_round, status="active")
        .order_by("school_class__name", "id")
        .values_list(
            "id",
            "number",
            "name",
            "gender",
            "id_number",
            "birth_date",
            "ethnicity",
            "phone",
            "student_number",
            "school_class__name",
            "school_class__major__name",
            "level__name",
            "candidate_type",
            "training_fee_item__training_option",
            "quoted_registration_fee",
            "quoted_training_fee",
            "quoted_registration_fee",
            "payment_status",
            "paid_amount",
            "paid_on",
            "review_status",
            "review_reason",
            "matched_condition_text",
            "counselor_note",
            "created_at",
        )
    )


def _bare_write(rows) -> int:
    """A bare openpyxl write-only workbook of the rows, saved to a temporary file."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("rows")
    for row in rows:
        ws.append([v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v for v in row])
    with tempfile.TemporaryFile() as output:
        wb.save(output)
        return output.tell()


def _export(layout: str) -> int:
    from workspace.exports import registrations_export

    user = get_user_model().objects.get(username="admin")
    export = registrations_export(user=user, exam_round=export_session(), layout=layout)
    export.file.seek(0, 2)
    size = export.file.tell()
    export.file.close()
    return size


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def measure(kind: str, memory: bool) -> dict:
    exam_round = export_session()
    rows = _rows_from_database(exam_round) if kind == "bare" else None
    actions = {
        "export-roster": lambda: _export("roster"),
        "export-national": lambda: _export("national"),
        # Baseline: the same rows already in memory, written by bare openpyxl.
        "bare": lambda: _bare_write(rows),
        # Baseline including the read: one values_list query, then bare openpyxl.
        "bare-query": lambda: _bare_write(_rows_from_database(exam_round)),
    }
    action = actions[kind]
    rss_before = _rss_kb()
    if memory:
        tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    size = action()
    seconds = time.perf_counter() - started
    # Process CPU leaves out PostgreSQL's own work and, on a shared machine, the time other
    # processes held the CPU: compare both.
    cpu_seconds = time.process_time() - cpu_started
    result = {"kind": kind, "seconds": seconds, "cpu_seconds": cpu_seconds, "bytes": size}
    if memory:
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["rss_growth_mb"] = max(0, peak_kb - rss_before) / 1024
    result["rows"] = Registration.objects.filter(round=exam_round, status="active").count()
    return result


def main(argv: list[str]) -> None:
    if argv[0] == "seed":
        print(json.dumps(seed(int(argv[1]))))
    else:
        print(json.dumps(measure(argv[1], memory="--memory" in argv)))


if __name__ == "__main__":
    main(sys.argv[1:])
