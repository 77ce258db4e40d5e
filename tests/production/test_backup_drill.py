"""The recovery drill (issue 31): two linked rounds backed up, the database emptied, both restored.

The world is the archive tests' finished round (seats, check-ins, double-entered scores, a
review, the public notice, a collected certificate, photos, payments and their import, class
lists and their import, training, a retake offer, history of all of it) plus: a second round
linked to it by retake offers in both directions (one used by a registration of the other
round), an exam plan, admission tickets, a training lesson with a roll call, a fee and an
eligibility condition of the round, and a fee change in the history.

"An empty database" is this test database with every row deleted except what `migrate` itself
writes (content types, permissions, the seeded exchange layouts, the content-version row): the
state of a fresh install before `setup_roles`. The test runs in both passes of `make test`, so on
SQLite and on PostgreSQL; the restore checks every foreign key before it returns on both.
"""

import datetime as dt
import gzip
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.roles import ACADEMIC_GROUP, user_role_add
from exams.models import AdmissionTicket, ExamPlan
from fees.models import FeeItem
from registration.backups.fileformat import checksum
from registration.backups.models import BackupRecord
from registration.models import ClassListEntry, Registration, RetakeOffer
from registration.services import classlists
from registration.training.models import Attendance, TrainingEnrollment
from rounds.models import SchoolClass
from tests.archive.conftest import _empty_media, finished  # noqa: F401
from tests.factories import (
    ExamRoundFactory,
    FeeItemFactory,
    RegistrationFactory,
)
from tests.idnumbers import make_id_number
from tests.registration.test_student_views import class_url
from tests.registration.training.conftest import TrainingLessonFactory
from tests.results.conftest import (  # noqa: F401
    academic,
    exam_round,
    invigilator,
    level3,
    roles,
    rooms,
    sitting,
    skill_sitting,
)
from tests.results.test_outcomes import graded  # noqa: F401

pytestmark = pytest.mark.django_db

# Written by `migrate` (or by nothing at all), not by a round: kept when the database is emptied.
MIGRATE_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "rounds_contentversion",
    "workspace_exchangelayout",
    "workspace_exchangecolumn",
    "workspace_historicalexchangelayout",
    "workspace_historicalexchangecolumn",
    # The outbox's texts, seeded by messaging/0002 (an admin's later edits are not round data).
    "messaging_messagetemplate",
    "messaging_historicalmessagetemplate",
}
# Not round data: who may log in, sessions, login attempts, the admin's log, backup records.
NOT_ROUND_DATA = {
    "auth_group",
    "auth_group_permissions",
    "auth_user_groups",
    "auth_user_user_permissions",
    "django_session",
    "django_admin_log",
    "registration_backuprecord",
}


def _tables() -> list[str]:
    return [
        t
        for t in connection.introspection.table_names()
        if not t.startswith(("axes_", "sqlite_")) and t not in MIGRATE_TABLES
    ]


def database_rows() -> dict[str, list[tuple]]:
    """Every row of every table that holds round data, by primary key, every column."""
    quote = connection.ops.quote_name
    out = {}
    with connection.cursor() as cursor:
        for table in _tables():
            if table in NOT_ROUND_DATA:
                continue
            columns = "*"
            if table == "auth_user":  # passwords and flags are never in a backup, names are
                columns = "id, username, first_name, last_name, date_joined"
            cursor.execute(f"SELECT {columns} FROM {quote(table)} ORDER BY 1")
            # Sorted in Python: a history table's first column (the object's id) repeats.
            out[table] = sorted((tuple(row) for row in cursor.fetchall()), key=repr)
    return out


def database_empty() -> None:
    """Delete every row a round or a person wrote: a freshly migrated database."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in _tables():
            cursor.execute(f"DELETE FROM {quote(table)}")
    assert not any(database_rows().values())


def media_files() -> dict[str, bytes]:
    root = settings.MEDIA_ROOT
    found = {}
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        found[str(path.relative_to(root))] = path.read_bytes()
    return found


def media_empty() -> None:
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def world(exam_round, finished, academic, level3):  # noqa: F811
    """Round A (finished) and round B, linked by retake offers both ways."""
    candidates = finished
    failed = candidates[1]
    other = ExamRoundFactory(slug="round-b", title="第二批次")
    retaker = RegistrationFactory(
        round=other,
        level=level3,
        name=failed.name,
        id_number=failed.id_number,
        school_class=failed.school_class,
    )
    from_other = RegistrationFactory(round=other, level=level3)
    RetakeOffer.objects.create(  # A's candidate into B, used by B's registration
        id_number=failed.id_number,
        name=failed.name,
        level=level3,
        subject="skill",
        source_registration=failed,
        exam_round=other,
        used_registration=retaker,
        created_by=academic,
    )
    RetakeOffer.objects.create(  # B's candidate into A, not used
        id_number=from_other.id_number,
        name=from_other.name,
        level=level3,
        subject="theory",
        source_registration=from_other,
        exam_round=exam_round,
        created_by=academic,
    )
    ExamPlan.objects.create(
        round=exam_round,
        published_by=academic,
        published_at=dt.datetime(2025, 6, 1, 2, 0, 0, 250001, tzinfo=dt.UTC),
    )
    for index, registration in enumerate(candidates, start=1):
        AdmissionTicket.objects.get_or_create(
            registration=registration, defaults={"number": f"2025{index:08d}"}
        )
    enrollment = TrainingEnrollment.objects.get(registration=candidates[2])
    lesson = TrainingLessonFactory(training_class=enrollment.training_class)
    Attendance.objects.create(
        lesson=lesson,
        enrollment=enrollment,
        present=True,
        marked_by=academic,
        marked_at=dt.datetime(2025, 5, 10, 6, 30, 0, 654321, tzinfo=dt.UTC),
    )
    fee = FeeItemFactory(round=exam_round, level=level3, amount=Decimal("320.00"))
    fee.amount = Decimal("300.00")
    fee.save()  # a history row with the change
    FeeItemFactory(round=other, level=level3)
    # Microseconds that a millisecond cut would lose (the defect of format 1).
    Registration.objects.filter(pk=candidates[0].pk).update(
        created_at=dt.datetime(2025, 5, 1, 8, 0, 0, 123457, tzinfo=dt.UTC)
    )
    return {"a": exam_round, "b": other, "graded": candidates, "academic": academic}


def _backup(target, tmp_path) -> str:
    path = tmp_path / f"{target.slug}.json.gz"
    call_command("backup_round", target.slug, output=str(path))
    return str(path)


def _differences(before: dict, after: dict) -> list[str]:
    out = []
    for table in sorted(set(before) | set(after)):
        rows_before, rows_after = before.get(table, []), after.get(table, [])
        if rows_before != rows_after:
            missing = [r for r in rows_before if r not in rows_after][:2]
            extra = [r for r in rows_after if r not in rows_before][:2]
            out.append(f"{table}: missing {missing} extra {extra}")
    return out


def test_two_linked_rounds_come_back_whole_into_an_empty_database(world, tmp_path):
    before, files_before = database_rows(), media_files()
    for table in (
        "registration_classlistentry",
        "registration_historicalclasslistentry",
        "registration_retakeoffer",
        "fees_payment",
        "exams_seat",
        "results_score",
        "results_certificate",
        "exams_examplan",
        "courses_attendance",
        "fees_historicalfeeitem",
        "registration_historicalregistration",
    ):
        assert before[table], table  # control: the world has every kind of row
    assert any(name.startswith("private/photos/") for name in files_before)
    path_a, path_b = _backup(world["a"], tmp_path), _backup(world["b"], tmp_path)

    database_empty()
    media_empty()
    call_command("restore_round", path_a)

    # Round A alone: every row it brought back is the original row, and references resolve
    # (the restore checked every foreign key); B is there only as far as A points at it.
    partial = database_rows()
    for table, rows in partial.items():
        assert set(rows) <= set(before[table]), table
    assert partial["registration_classlistentry"] == before["registration_classlistentry"]
    assert Registration.objects.filter(round=world["b"]).count() == 2  # both point at A
    assert not FeeItem.objects.filter(round=world["b"]).exists()  # B's own rows: not yet

    call_command("restore_round", path_b)  # completes B; the offers both hold are skipped

    assert _differences(before, database_rows()) == []
    assert media_files() == files_before


def test_restore_keeps_microseconds_and_class_lists(world, tmp_path):
    path = _backup(world["a"], tmp_path)
    stamps = sorted(Registration.objects.values_list("pk", "created_at", "updated_at"))
    entries = sorted(ClassListEntry.objects.values_list("pk", "id_number", "created_at"))
    assert any(created.microsecond % 1000 for _pk, created, _u in stamps)  # control
    database_empty()
    call_command("restore_round", path)
    restored = dict(
        (pk, (c, u))
        for pk, c, u in Registration.objects.values_list("pk", "created_at", "updated_at")
    )
    for pk, created, updated in stamps:
        if pk in restored:
            assert restored[pk] == (created, updated)
    assert sorted(ClassListEntry.objects.values_list("pk", "id_number", "created_at")) == entries


def test_the_restored_site_works_through_its_pages(world, tmp_path):
    round_a, certified = world["a"], world["graded"][0]
    ticket = AdmissionTicket.objects.get(registration=certified).number
    school_class = certified.school_class
    school_class.is_active = True  # still a class (the finished world's classes graduated)
    school_class.save()
    path = _backup(round_a, tmp_path)
    database_empty()
    media_empty()
    call_command("restore_round", path)
    # The documented drill's next steps: roles, then a password for the staff who work.
    call_command("setup_roles")
    staff_user = type(world["academic"]).objects.get(username="jiaowu")
    assert not staff_user.is_active and not staff_user.has_usable_password()
    staff_user.is_active = True
    staff_user.set_password("new-pass-word-1")
    staff_user.save()
    user_role_add(user=staff_user, group_name=ACADEMIC_GROUP)

    # The class link refuses an ID number that is not on the (restored) list: the check the
    # sign-up POST makes (this world's round has no eligibility conditions, so its form page
    # says "not eligible" before any list is read; test_classlist_signup covers the page).
    restored_class = SchoolClass.objects.get(pk=school_class.pk)
    with pytest.raises(classlists.ListMismatch) as refused:
        classlists.class_list_match(
            school_class=restored_class,
            student_number="2099000001",
            name="陌生人",
            id_number=make_id_number(4242),
        )
    assert refused.value.message == classlists.LIST_NUMBER_UNKNOWN % {"number": "2099000001"}
    listed = ClassListEntry.objects.filter(school_class=restored_class).first()
    classlists.class_list_match(  # control: the listed student passes
        school_class=restored_class,
        student_number=listed.student_number,
        name=listed.name,
        id_number=listed.id_number,
    )
    assert Client().get(class_url(restored_class)).status_code == 200

    # The candidate's private link shows the ticket and the results.
    page = Client().get(
        reverse("registration:registration_detail", args=[certified.pk, certified.token])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "student-results" in html
    assert certified.certificate.number in html
    ticket_url = reverse("exams:student_ticket", args=[certified.pk, certified.token])
    assert ticket_url in html
    ticket_page = Client().get(ticket_url)
    assert ticket_page.status_code == 200
    assert ticket in ticket_page.content.decode()

    # 教务 see the exam plan.
    staff = Client()
    staff.force_login(staff_user)
    plan = staff.get(reverse("exams:plan") + f"?round={round_a.slug}")
    assert plan.status_code == 200
    assert "A101" in plan.content.decode()


def test_restore_beside_other_rounds_refuses_a_clash_and_changes_nothing(world, tmp_path):
    path = _backup(world["a"], tmp_path)
    Registration.objects.filter(pk=world["graded"][0].pk).update(counselor_note="之后的备注")
    before = database_rows()
    with pytest.raises(CommandError, match="--replace") as refused:
        call_command("restore_round", path)
    assert "registration.registration" in str(refused.value)
    assert database_rows() == before


def test_restore_of_a_round_whose_slug_is_taken_by_another_round_is_refused(world, tmp_path):
    path = _backup(world["b"], tmp_path)
    call_command("restore_round", path, replace=True)  # control: replacing works
    data = json.loads(gzip.decompress(open(path, "rb").read()))
    for item in data["objects"]:
        if item["model"] == "rounds.examround":
            item["pk"] = 99999  # the same slug under another id
    data["checksum"] = checksum(data)
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    before = database_rows()
    with pytest.raises(CommandError, match="已存在"):
        call_command("restore_round", str(edited))
    assert database_rows() == before


def test_dry_run_reports_what_would_be_created_and_changes_nothing(world, tmp_path, capsys):
    path = _backup(world["a"], tmp_path)
    database_empty()
    media_empty()
    call_command("restore_round", path, dry_run=True)
    out = capsys.readouterr().out
    assert "dry run" in out and "registration.registration 4" in out
    assert "registration.classlistentry" in out
    assert not any(database_rows().values())
    assert media_files() == {}


def test_a_damaged_file_is_refused_by_its_checksum(world, tmp_path):
    path = _backup(world["a"], tmp_path)
    data = json.loads(gzip.decompress(open(path, "rb").read()))
    assert data["version"] == 2 and data["app_version"] and len(data["checksum"]) == 64
    data["objects"][-1]["fields"]["name"] = "被改"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    database_empty()
    with pytest.raises(CommandError, match="校验和"):
        call_command("restore_round", str(edited))
    assert not any(database_rows().values())


def test_backup_is_registered_and_deleted_by_the_purge_when_the_data_expires(world, tmp_path):
    from archive.services import round_archive

    round_a = world["a"]
    path = _backup(round_a, tmp_path)
    record = BackupRecord.objects.get()
    assert record.path == str(tmp_path / f"{round_a.slug}.json.gz")
    assert record.expires_on is None  # not archived yet: not known
    round_archive(exam_round=round_a, user=world["academic"])
    round_a.refresh_from_db()
    ends = round_a.retention_ends_on
    day_before = (ends - dt.timedelta(days=1)).isoformat()
    call_command("purge_personal_data", "--today", day_before)
    assert BackupRecord.objects.exists() and os.path.exists(path)
    call_command("purge_personal_data", "--today", ends.isoformat(), "--dry-run")
    assert os.path.exists(path)
    call_command("purge_personal_data", "--today", ends.isoformat())
    assert not BackupRecord.objects.exists()
    assert not os.path.exists(path)
