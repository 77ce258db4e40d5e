"""Archive and purge (issue 15, part 6): statistics stay, personal data goes, nothing else moves."""

import datetime as dt
import io
import os
import zipfile

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Sum

from archive.exports import archive_export_build
from archive.models import PurgeRecord, RoundArchive
from archive.purge import REDACTED, id_placeholder, is_placeholder, round_purge
from archive.services import ArchiveError, round_archive
from exams.models import Seat
from registration.ledger.models import Payment, PaymentImport
from registration.models import ClassListEntry, ClassListImport, Registration, RetakeOffer
from registration.services.classlists import class_list_match
from registration.training.models import TrainingEnrollment
from results import selectors
from results.models import Certificate
from rounds.models import SchoolClass


def database_text() -> str:
    """Every value of every table (history, sessions and admin log included), as text."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).decode("utf-8", "replace"))
                    elif value is not None:
                        parts.append(str(value))
    return "\n".join(parts)


def _expand(data: bytes) -> list[bytes]:
    """The bytes, and the members of a zip (xlsx and zips inside zips too), uncompressed."""
    found = [data]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                found.extend(_expand(archive.read(name)))
    return found


def storage_bytes() -> list[bytes]:
    found = []
    for folder, _dirs, files in os.walk(settings.MEDIA_ROOT):
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                found.extend(_expand(handle.read()))
    return found


def statistics(exam_round) -> dict:
    rates = selectors.pass_rates(selectors.round_results(round=exam_round))
    registrations = Registration.objects.filter(round=exam_round)
    return {
        "rates": {k: [(r.label, r.candidates, r.passed) for r in v] for k, v in rates.items()},
        "people": sorted(
            registrations.values_list(
                "gender",
                "birth_date__year",
                "level_id",
                "school_class_id",
                "school_class__major_id",
                "status",
                "payment_status",
            )
        ),
        "paid": Payment.objects.filter(registration__round=exam_round).aggregate(Sum("amount")),
        "count": registrations.count(),
    }


def certificates(exam_round) -> list:
    return list(
        Certificate.objects.filter(registration__round=exam_round).values_list(
            "number", "issued_on", "collected_on", "registration__name", "registration__id_number"
        )
    )


def due_day(exam_round) -> str:
    exam_round.refresh_from_db()
    return exam_round.retention_ends_on.isoformat()


def test_purge_keeps_statistics_and_certificates_and_leaves_no_personal_data(
    exam_round, finished, academic, django_capture_on_commit_callbacks
):
    certified, purged = finished[0], finished[1:]
    phones = [r.phone for r in finished]
    ids = [r.id_number for r in purged]
    names = [r.name for r in purged] + [r.student_number for r in purged]
    photos = [f"JPEG-BYTES-{r.pk}".encode() for r in finished]
    round_archive(exam_round=exam_round, user=academic)
    assert any(photos[0] in blob for blob in storage_bytes())  # the test can see them
    assert all(value in database_text() for value in ids + phones + names)
    before, certs_before = statistics(exam_round), certificates(exam_round)

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        call_command("purge_personal_data", "--today", due_day(exam_round), stdout=out)

    assert "手机号 4" in out.getvalue() and "身份证号（无证书考生） 3" in out.getvalue()
    assert statistics(exam_round) == before
    assert certificates(exam_round) == certs_before
    text = database_text()
    for secret in ids + phones + names:
        assert secret not in text, secret
    blobs = storage_bytes()
    for secret in [*ids, *phones, *names]:
        assert not any(secret.encode() in blob for blob in blobs)
    for photo in photos:
        assert not any(photo in blob for blob in blobs)
    certified.refresh_from_db()
    assert certified.id_number in text and certified.phone == "" and not certified.photo
    kept = Registration.objects.get(pk=purged[0].pk)
    assert kept.id_number.startswith("ANON") and kept.name == "张*2"
    assert kept.history.first().history_change_reason == "个人信息到期匿名化"
    record = PurgeRecord.objects.get(exam_round=exam_round)
    assert record.counts["phones"] == 4
    assert not any(secret in str(record.counts) for secret in ids + phones)
    assert RoundArchive.objects.get(exam_round=exam_round).file  # rebuilt, still there


def test_dry_run_changes_nothing(
    exam_round, finished, academic, django_capture_on_commit_callbacks
):
    round_archive(exam_round=exam_round, user=academic)
    text, blobs = database_text(), sorted(storage_bytes())
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_personal_data", "--dry-run", "--today", due_day(exam_round), stdout=out)
    assert "[试运行]" in out.getvalue() and "手机号 4" in out.getvalue()
    assert database_text() == text
    assert sorted(storage_bytes()) == blobs


def test_retention_not_reached_purges_nothing(exam_round, finished, academic):
    round_archive(exam_round=exam_round, user=academic)
    text = database_text()
    day_before = dt.date.fromisoformat(due_day(exam_round)) - dt.timedelta(days=1)
    out = io.StringIO()
    call_command("purge_personal_data", "--today", day_before.isoformat(), stdout=out)
    assert "没有到期" in out.getvalue()
    call_command("purge_personal_data", "--round", exam_round.slug, "--today", str(day_before))
    assert database_text() == text


def test_a_round_not_archived_is_never_purged(exam_round, finished):
    text = database_text()
    call_command("purge_personal_data", "--today", "2099-01-01", stdout=io.StringIO())
    assert database_text() == text
    with pytest.raises(Exception, match="尚未归档"):
        call_command("purge_personal_data", "--round", exam_round.slug, "--today", "2099-01-01")
    with pytest.raises(ValueError):
        round_purge(exam_round=exam_round, ran_by="test")


def test_purge_is_idempotent(exam_round, finished, academic):
    round_archive(exam_round=exam_round, user=academic)
    day = due_day(exam_round)
    call_command("purge_personal_data", "--today", day, stdout=io.StringIO())
    text = database_text()
    out = io.StringIO()
    call_command("purge_personal_data", "--today", day, stdout=out)
    assert "无需清理" in out.getvalue()
    assert database_text() == text
    assert PurgeRecord.objects.count() == 1


def test_archive_refuses_an_unfinished_round_without_a_reason(exam_round, graded, academic):
    with pytest.raises(ArchiveError, match="成绩尚未公示"):
        round_archive(exam_round=exam_round, user=academic)
    exam_round.refresh_from_db()
    assert not exam_round.is_archived and not RoundArchive.objects.exists()
    round_archive(exam_round=exam_round, user=academic, reason="成绩在国家平台办理")
    exam_round.refresh_from_db()
    assert exam_round.archived_by == academic
    assert exam_round.archive_reason == "成绩在国家平台办理"
    assert exam_round.history.first().history_user == academic
    with pytest.raises(ArchiveError, match="已于"):
        round_archive(exam_round=exam_round, user=academic, reason="again")


def test_purge_anonymises_retake_offers_import_rows_reasons_and_log_entries(
    exam_round, finished, academic
):
    failed, absent, cheated = finished[1], finished[2], finished[3]
    round_archive(exam_round=exam_round, user=academic)
    call_command("purge_personal_data", "--today", due_day(exam_round), stdout=io.StringIO())

    offer = RetakeOffer.objects.get(source_registration=failed)
    assert (offer.id_number, offer.name) == (id_placeholder(failed.pk), "张*2")
    assert {(r.id_number, r.name) for r in offer.history.all()} == {(offer.id_number, "张*2")}
    rows = ClassListImport.objects.get().rows
    assert rows[2] == {
        "student_number": "",
        "name": "张*3",
        "id_number": id_placeholder(absent.pk),
    }
    assert rows[0]["name"] == finished[0].name  # the certified candidate keeps hers
    assert PaymentImport.objects.get().problems == [
        {"row": 3, "name": "张*3", "student_number": ""}
    ]
    seat = Seat.objects.get(pk=Seat.objects.filter(registration=cheated).first().pk)
    assert seat.move_reason == REDACTED and seat.score.reason == REDACTED
    assert TrainingEnrollment.objects.get(registration=absent).completion_reason == REDACTED
    assert TrainingEnrollment.objects.get(registration=absent).completed_on  # completion stays
    reprs = set(LogEntry.objects.values_list("object_repr", "change_message"))
    assert not any(
        name in text for name in ("张三2", "张三3", "张三4") for pair in reprs for text in pair
    )
    assert any("张*4" in text for text, _message in reprs)


def test_purge_keeps_the_class_list_of_an_active_class(exam_round, finished, academic):
    """The roster belongs to the school: a student still on an active class's list can sign up
    again after their earlier registration was purged."""
    student = finished[1]
    SchoolClass.objects.filter(pk=student.school_class_id).update(is_active=True)
    round_archive(exam_round=exam_round, user=academic)
    call_command("purge_personal_data", "--today", due_day(exam_round), stdout=io.StringIO())

    entry = ClassListEntry.objects.get(school_class=student.school_class)
    assert entry.is_active
    assert (entry.student_number, entry.name, entry.id_number) == (
        student.student_number,
        student.name,
        student.id_number,
    )
    class_list_match(
        school_class=student.school_class,
        student_number=student.student_number,
        name=student.name,
        id_number=student.id_number,
    )
    assert Registration.objects.get(pk=student.pk).id_number == id_placeholder(student.pk)
    graduated = ClassListEntry.objects.get(school_class=finished[2].school_class)
    assert not graduated.is_active and is_placeholder(graduated.id_number)


def test_archive_file_replaced_only_after_the_commit(exam_round, finished, academic):
    record = round_archive(exam_round=exam_round, user=academic)
    storage, old = record.file.storage, record.file.name
    with pytest.raises(RuntimeError), transaction.atomic():
        archive_export_build(exam_round=exam_round)
        raise RuntimeError("rolled back")
    assert storage.exists(old) and RoundArchive.objects.get().file.name == old


def test_a_failed_archive_leaves_no_file(exam_round, finished, academic, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(RoundArchive, "save", broken)
    with pytest.raises(RuntimeError):
        round_archive(exam_round=exam_round, user=academic)
    exam_round.refresh_from_db()
    assert not exam_round.is_archived
    assert not any(files for _folder, _dirs, files in os.walk(settings.MEDIA_ROOT / "archives"))
