"""Outbox and task-queue benchmark: what a web request costs when the work is long.

    python -m benchmarks.outbox_bench 5000

A fresh SQLite database (or DATABASE_URL), a fresh SQLite task-queue file (or TASKS_REDIS_URL),
production settings, Django's test client through the whole middleware stack. Seeds one class of
N unpaid, unconfirmed candidates (half with an e-mail address; not timed) and times, as requests:

- baseline: GET the class roster (a page every counselor opens);
- the nudges page GET (four lists of names);
- "send a reminder" to the N unpaid (POST: logs the click, enqueues the writing of N inbox +
  N/2 e-mail messages), and the same POST again;
- uploading an N-row payment list (parse + preview), its reconciliation page, and 确认入账
  (POST: enqueues the booking and answers with the job page);
- then, off the request, the worker's booking of the N rows and its writing of the reminders
  (the queued tasks run in this process; BENCH_WORKER=0 skips the booking).

Prints one JSON object: seconds per step and the ratio of each request to the baseline.
"""

import datetime as dt
import io
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
if "DATABASE_URL" not in os.environ:
    _db = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
    os.environ["DATABASE_URL"] = f"sqlite:///{_db.name}"
os.environ.setdefault("TASKS_SQLITE_PATH", tempfile.mktemp(suffix=".tasks.sqlite3"))
os.environ.setdefault("TASKS_QUEUE_NAME", f"kwt-bench-{os.getpid()}")
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from huey.contrib.djhuey import HUEY  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from accounts.roles import ACADEMIC_GROUP, roles_setup, user_role_add  # noqa: E402
from jobs.models import Job  # noqa: E402
from messaging.models import ContactPreference, Message  # noqa: E402
from payments.tasks import payment_import_apply_task  # noqa: E402
from registration.models import Registration  # noqa: E402
from rounds.models import ExamRound, Major, SchoolClass, SkillLevel  # noqa: E402

ITEM = "电子商务师三级/高级工考试报名费"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def seed(count: int):
    call_command("migrate", verbosity=0)
    roles_setup()
    level, _ = SkillLevel.objects.get_or_create(
        code=3, defaults={"name": "三级/高级工", "short_name": "三级"}
    )
    today = timezone.localdate()
    exam_round = ExamRound.objects.create(
        slug="bench-outbox",
        title="消息基准批次",
        organizer="武汉交通职业学院",
        is_published=True,
        registration_deadline=today + dt.timedelta(days=10),
        exam_period="2022年6月",
        exam_location="校内实训室",
    )
    exam_round.levels.add(level)
    staff = User.objects.create_user("jiaowu", password="x", first_name="教务处")
    user_role_add(user=staff, group_name=ACADEMIC_GROUP)
    major = Major.objects.create(name="电子商务")
    school_class = SchoolClass.objects.create(
        name="电商2001班", major=major, enrolment_year=2020, counselor=staff
    )
    now = timezone.now()
    Registration.objects.bulk_create(
        [
            Registration(
                round=exam_round,
                number=f"B{i:08d}",
                level=level,
                school_class=school_class,
                name=SURNAMES[i % 20] + GIVEN[i % len(GIVEN)] + GIVEN[(i // 7) % len(GIVEN)],
                id_number=f"42010620020314{i % 10000:04d}",
                gender="M",
                birth_date=dt.date(2002, 3, 14),
                ethnicity="汉族",
                phone=f"138{i:08d}",
                quoted_registration_fee="320.00",
                quoted_charge_items=[{"kind": "报名费", "name": ITEM, "amount": "320.00"}],
                consent_at=now,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    ContactPreference.objects.bulk_create(
        [
            ContactPreference(
                round=exam_round,
                recipient_ref=pk,
                email=f"s{pk}@qq.com",
                email_consent_at=now,
            )
            for pk in Registration.objects.values_list("pk", flat=True)[: count // 2]
        ],
        batch_size=1000,
    )
    return exam_round, school_class, staff


def payment_list(count: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["报名号", "金额", "缴费日期", "收费项目"])
    for i in range(count):
        sheet.append([f"B{i:08d}", 320, dt.date(2022, 5, 19), ITEM])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(label, results, call):
    start = time.perf_counter()
    response = call()
    results[label] = round(time.perf_counter() - start, 3)
    assert response.status_code in (200, 302), (label, response.status_code)
    return response


def main(count: int) -> dict:
    exam_round, school_class, staff = seed(count)
    client = Client()
    client.force_login(staff)
    query = f"?session={exam_round.slug}"
    roster = reverse("registration:counselor_class", args=[school_class.pk]) + query
    nudges = reverse("registration:counselor_nudges", args=[school_class.pk]) + query
    results: dict = {"candidates": count}
    client.get(roster)  # warm-up (template loading)
    timed("baseline_roster_get", results, lambda: client.get(roster))
    timed("nudges_get", results, lambda: client.get(nudges))
    timed("remind_unpaid_post", results, lambda: client.post(nudges, {"kind": "unpaid"}))
    timed("remind_unpaid_again_post", results, lambda: client.post(nudges, {"kind": "unpaid"}))
    content = payment_list(count)
    staff.is_superuser = True  # finance permissions, without building the finance group here
    staff.save()
    upload = io.BytesIO(content)
    upload.name = "缴费名单.xlsx"
    response = timed(
        "payment_upload_post",
        results,
        lambda: client.post(reverse("fees:finance_home"), {"file": upload}),
    )
    detail = response["Location"]
    timed("payment_preview_get", results, lambda: client.get(detail))
    pk = int(detail.rstrip("/").split("/")[-1])
    timed(
        "payment_apply_post", results, lambda: client.post(reverse("fees:import_apply", args=[pk]))
    )
    job = Job.objects.get()
    if os.environ.get("BENCH_WORKER", "1") == "1":
        start = time.perf_counter()
        payment_import_apply_task.call_local(job.pk, pk, staff.pk, False, False)
        results["worker_booking_seconds"] = round(time.perf_counter() - start, 3)
        job.refresh_from_db()
        results["job"] = [job.state, job.result]
    reminder_tasks = [t for t in HUEY.pending() if t.name == "registration.notify_many"]
    start = time.perf_counter()
    for task in reminder_tasks:
        task.execute()  # what the worker does with the reminders the POST enqueued
    results["worker_reminder_writing_seconds"] = round(time.perf_counter() - start, 3)
    results["messages_written_by_worker"] = Message.objects.count()
    base = results["baseline_roster_get"]
    results["ratios_to_baseline"] = {
        key: round(value / base, 1)
        for key, value in results.items()
        if key.endswith(("_get", "_post")) and key != "baseline_roster_get"
    }
    return results


if __name__ == "__main__":
    # Plain static storage: the benchmark does not run collectstatic (pages only link to files).
    storages = {**settings.STORAGES}
    storages["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES=storages):
        outcome = main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
    print(json.dumps(outcome, ensure_ascii=False))
