"""Issue 29 item 1: a purge that finishes in one run, is a no-op after, and leaves nothing in
the database's raw files (SQLite file and WAL, PostgreSQL relation files) or the media folder."""

import io
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from archive.models import PurgeRecord
from archive.purge import id_placeholder, purged_tables
from registration.models import Registration
from tests.archive.test_purge import database_text, due_day, storage_bytes
from tests.factories import RegistrationFactory

ROOT = Path(__file__).resolve().parents[2]


def purge(exam_round, *options) -> str:
    out = io.StringIO()
    call_command("purge_personal_data", "--today", due_day(exam_round), *options, stdout=out)
    return out.getvalue()


def test_purge_finishes_in_one_run_and_the_second_changes_nothing(
    exam_round, retake_pending, academic, django_capture_on_commit_callbacks
):
    from archive.services import round_archive

    failed, next_round, offer, score_import = retake_pending
    round_archive(exam_round=exam_round, user=academic)
    assert failed.id_number in database_text()  # the test can see it

    with django_capture_on_commit_callbacks(execute=True):
        first = purge(exam_round)
    assert "补考资格" in first and "重建归档文件 1" in first
    text = database_text()
    assert failed.id_number not in text and failed.name not in text and failed.phone not in text
    offer.refresh_from_db()
    assert (offer.id_number, offer.name) == (id_placeholder(failed.pk), "张*2")
    assert offer.exam_round == next_round and offer.used_registration is None
    assert {(r.id_number, r.name) for r in offer.history.all()} == {(offer.id_number, "张*2")}
    score_import.refresh_from_db()
    assert score_import.rows[0]["person"] == id_placeholder(failed.pk)
    assert score_import.problems == [{"row": 3, "message": f"{id_placeholder(failed.pk)} 重复"}]
    blobs = storage_bytes()
    assert not any(failed.id_number.encode() in blob for blob in blobs)

    with django_capture_on_commit_callbacks(execute=True):
        second = purge(exam_round)
    assert second.strip() == f"{exam_round.slug}：无需清理（已匿名化）"
    assert database_text() == text
    assert sorted(storage_bytes()) == sorted(blobs)
    assert PurgeRecord.objects.count() == 1


def test_purge_clears_the_rounds_score_sheet_of_an_id_number_still_needed(
    exam_round, retake_pending, academic
):
    """The candidate signed up again in the next round: her ID number stays there (still needed)
    but leaves the purged round's own score sheet in the first run; the second run is a no-op."""
    from archive.services import round_archive

    failed, next_round, _offer, score_import = retake_pending
    again = RegistrationFactory(
        round=next_round, id_number=failed.id_number, name=failed.name, phone=failed.phone
    )
    round_archive(exam_round=exam_round, user=academic)
    purge(exam_round)
    score_import.refresh_from_db()
    assert failed.id_number not in str(score_import.rows) + str(score_import.problems)
    assert Registration.objects.get(pk=again.pk).id_number == failed.id_number
    text = database_text()
    assert "无需清理" in purge(exam_round)
    assert database_text() == text


# The raw-file scan. On SQLite it needs a database file (pytest-django's SQLite test database
# is in memory): the wrapper below runs the scan test in a subprocess whose test database is a
# file (KWT_TEST_SQLITE_FILE, tests/archive/conftest.py). On PostgreSQL it runs in this process.


def _secrets(finished) -> list[bytes]:
    certified, purged = finished[0], finished[1:]
    values = [certified.phone]
    for registration in purged:
        values += [registration.id_number, registration.phone, registration.name]
    return [value.encode() for value in values]


def _sqlite_file_bytes() -> dict[str, bytes]:
    path = Path(connection.settings_dict["NAME"])
    found = {}
    for suffix in ("", "-wal", "-journal"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            found[candidate.name] = candidate.read_bytes()
    return found


def _postgresql_file_bytes() -> dict[str, bytes]:
    """Every table, TOAST table and index file of this database, read by the server
    (pg_read_binary_file needs a superuser: the suite connects as postgres, trust auth), after a
    CHECKPOINT so that no changed page is only in shared buffers."""
    found = {}
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute(
            "SELECT c.relname, c.oid, pg_relation_filepath(c.oid) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 't', 'i')"
            " AND pg_relation_filepath(c.oid) IS NOT NULL"
        )
        for name, oid, path in cursor.fetchall():
            cursor.execute(
                "SELECT pg_read_binary_file(%s, 0, pg_relation_size(%s), true)", [path, oid]
            )
            (content,) = cursor.fetchone()
            found[name] = bytes(content or b"")
    return found


def _raw_files() -> dict[str, bytes]:
    if connection.vendor == "sqlite":
        return _sqlite_file_bytes()
    return _postgresql_file_bytes()


def _hits(files: dict[str, bytes], secrets: list[bytes]) -> list[tuple[str, str]]:
    return [
        (name, secret.decode())
        for name, content in files.items()
        for secret in secrets
        if secret in content
    ]


@pytest.mark.django_db(transaction=True)
def test_purge_leaves_no_trace_in_the_raw_database_files_and_media(
    exam_round, finished, academic, monkeypatch
):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("runs on a SQLite file in a subprocess (test_purge_scan_on_a_sqlite_file)")
    from archive.management.commands import purge_personal_data as command
    from archive.purge import database_compact
    from archive.services import round_archive

    secrets = _secrets(finished)
    round_archive(exam_round=exam_round, user=academic)
    assert _hits(_raw_files(), secrets)  # the scan can see them before the purge
    assert any(secrets[1] in blob for blob in storage_bytes())  # ID numbers in the export

    # Control: the purge without the compaction leaves them in the files (SQLite: the WAL's old
    # frames; PostgreSQL: dead row versions), so the scan below can fail.
    compactions = []
    monkeypatch.setattr(command, "database_compact", lambda **kw: compactions.append(kw) or [])
    purge(exam_round)
    assert compactions == [{"vacuum": False}]
    assert _hits(_raw_files(), secrets)

    if connection.vendor == "postgresql":
        # A plain VACUUM marks dead row versions free but leaves their bytes (measured: 16 hits
        # in 4 relations here), which is why the purge runs VACUUM FULL.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {', '.join(purged_tables())}")
        assert _hits(_raw_files(), secrets)
    assert database_compact(vacuum=False)
    assert _hits(_raw_files(), secrets) == []
    blobs = storage_bytes()
    assert [s.decode() for s in secrets if any(s in blob for blob in blobs)] == []
    if connection.vendor == "sqlite":  # checkpointed and truncated
        wal = Path(f"{connection.settings_dict['NAME']}-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        assert database_compact(vacuum=True) == ["VACUUM", "wal_checkpoint(TRUNCATE)"]
        assert _hits(_raw_files(), secrets) == []
    monkeypatch.undo()
    assert "无需清理" in purge(exam_round)


def test_purge_scan_on_a_sqlite_file(tmp_path):
    """The scan above, on a file-based SQLite test database (a subprocess of its own)."""
    if connection.vendor != "sqlite":
        pytest.skip("the scan runs in this process on PostgreSQL")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "KWT_TEST_SQLITE_FILE": str(tmp_path / "test.sqlite3"),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{__file__}::test_purge_leaves_no_trace_in_the_raw_database_files_and_media",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "1 passed" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]


def test_purge_applies_a_new_declaration_without_naming_its_app(
    exam_round, finished, academic, monkeypatch
):
    """What an app declares is purged; archive/purge.py is not touched. Control: the same
    purge without the extra declaration leaves the notes' other words in place."""
    from archive.services import round_archive
    from common import appdata
    from common.appdata import Personal, Purge
    from registration.ledger.models import Payment

    real = appdata.declarations()
    extra = Personal("Payment", {"note": Purge.CLEAR}, of="registration")
    registration = replace(real["registration"], personal=(*real["registration"].personal, extra))
    monkeypatch.setattr(appdata, "declarations", lambda: {**real, "registration": registration})
    round_archive(exam_round=exam_round, user=academic)
    purge(exam_round)
    notes = set(
        Payment.objects.filter(registration__round=exam_round).values_list("note", flat=True)
    )
    assert notes == {""}


def test_purge_without_the_extra_declaration_keeps_the_notes_words(exam_round, finished, academic):
    from archive.services import round_archive
    from registration.ledger.models import Payment

    round_archive(exam_round=exam_round, user=academic)
    purge(exam_round)
    notes = Payment.objects.filter(registration__round=exam_round).values_list("note", flat=True)
    assert all(note.startswith("身份证 ") for note in notes)
