"""Backing up and restoring a round: every registration back, the export byte for byte the same.

The comparison uses the counselor export (registration.exports.registrations_export), both
layouts, produced at the same frozen instant before the backup and after the restore; every part
of the .xlsx package is compared byte for byte (see xlsx_contents for the zip time stamps).
"""

import datetime as dt
import gzip
import io
import json
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from registration.backups.fileformat import checksum
from registration.backups.restore import round_delete
from registration.loaders import demo_load
from registration.models import Registration
from registration.services import submission
from registration.services.submission import RegistrationInput
from tests.idnumbers import make_id_number
from workspace.exports import LAYOUT_NATIONAL, LAYOUT_ROSTER, registrations_export
from workspace.services import review

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FROZEN = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
REGISTRATIONS = 24


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def populated(frozen):
    demo = demo_load()
    exam_round, admin = demo["exam_round"], demo["admin"]
    classes = demo["classes"][:2]  # 大二 and 大三 of related majors
    for i in range(REGISTRATIONS):
        school_class = classes[i % len(classes)]
        level = 4 if "大三" in school_class.name and i % 2 else 3
        registration = submission.registration_submit(
            exam_round=exam_round,
            school_class=school_class,
            data=RegistrationInput(
                # Names carry no digits (the service refuses them): 学生甲子, 学生乙丑, ...
                name="学生" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "子丑寅卯辰巳午未申酉戌亥"[i % 12],
                id_number=make_id_number(100 + i, male=bool(i % 2)),
                ethnicity="汉族" if i % 5 else "回族",
                phone=f"1380000{i:04d}",
                student_number=f"2024{i:06d}",
                level_code=level,
            ),
        )
        if i % 3 == 1:
            review.registration_confirm(registration=registration, reviewer=admin)
        elif i % 3 == 2:
            review.registration_return(registration=registration, reviewer=admin, reason="照片不清")
        if i % 4 == 0:
            review.registration_note_set(registration=registration, author=admin, note="已电话确认")
    cancelled = Registration.objects.filter(round=exam_round).order_by("pk").last()
    submission.registration_cancel(registration=cancelled)
    return demo


def xlsx_contents(data: bytes) -> list[tuple[str, bytes]]:
    """Every part of the .xlsx package, in order, byte for byte.

    The zip container also stamps each worksheet with the modification time of the temporary
    file openpyxl wrote it to (the real clock, which no test can freeze), so two exports of the
    same data made seconds apart differ in those stamps only; everything inside is compared.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return [(name, package.read(name)) for name in package.namelist()]


def exports(demo) -> dict[str, list[tuple[str, bytes]]]:
    out = {}
    for layout in (LAYOUT_ROSTER, LAYOUT_NATIONAL):
        export = registrations_export(
            user=demo["admin"], exam_round=demo["exam_round"], layout=layout
        )
        out[layout] = xlsx_contents(export.file.read())
    return out


def snapshot(exam_round) -> list[tuple]:
    return list(
        Registration.objects.filter(round=exam_round)
        .order_by("pk")
        .values_list("pk", "number", "token", "id_number", "status", "review_status", "created_at")
    )


def test_backup_then_restore_after_losing_the_round_gives_the_same_export(populated, tmp_path):
    exam_round = populated["exam_round"]
    before_exports, before_rows = exports(populated), snapshot(exam_round)
    assert len(before_rows) == REGISTRATIONS
    path = tmp_path / "round.json.gz"
    call_command("backup_round", exam_round.slug, output=str(path))

    round_delete(exam_round)
    assert Registration.objects.count() == 0

    call_command("restore_round", str(path))
    assert snapshot(exam_round) == before_rows
    assert exports(populated) == before_exports
    # A student's saved self-service link works again.
    pk, _number, token, *_ = before_rows[0]
    assert Client().get(f"/me/{pk}/{token}/").status_code == 200


def test_restore_replace_undoes_changes_made_after_the_backup(populated, tmp_path):
    exam_round = populated["exam_round"]
    before_exports, before_rows = exports(populated), snapshot(exam_round)
    path = tmp_path / "round.json"
    call_command("backup_round", exam_round.slug, output=str(path))

    Registration.objects.filter(round=exam_round, review_status="confirmed").delete()
    Registration.objects.filter(round=exam_round).update(name="被误改")
    assert exports(populated) != before_exports  # control: the export does see the damage

    call_command("restore_round", str(path), replace=True)
    assert snapshot(exam_round) == before_rows
    assert exports(populated) == before_exports


def test_restore_refuses_to_overwrite_an_existing_round(populated, tmp_path):
    exam_round = populated["exam_round"]
    path = tmp_path / "round.json"
    call_command("backup_round", exam_round.slug, output=str(path))
    Registration.objects.filter(round=exam_round).update(counselor_note="之后的备注")
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore_round", str(path))
    assert set(Registration.objects.values_list("counselor_note", flat=True)) == {"之后的备注"}


def test_backup_file_holds_every_registration_and_no_password_hashes(populated, tmp_path):
    path = tmp_path / "round.json.gz"
    call_command("backup_round", populated["exam_round"].slug, output=str(path))
    data = json.loads(gzip.decompress(path.read_bytes()))
    assert data["counts"]["registration.registration"] == REGISTRATIONS
    registrations = [o for o in data["objects"] if o["model"] == "registration.registration"]
    assert len(registrations) == REGISTRATIONS
    users = [o for o in data["references"] if o["model"] == "auth.user"]
    assert users
    assert all("password" not in user["fields"] for user in users)


def test_restore_of_a_corrupt_count_changes_nothing(populated, tmp_path):
    exam_round = populated["exam_round"]
    path = tmp_path / "round.json"
    call_command("backup_round", exam_round.slug, output=str(path))
    data = json.loads(path.read_text())
    last = max(
        i for i, o in enumerate(data["objects"]) if o["model"] == "registration.registration"
    )
    del data["objects"][last]  # a truncated file: one registration missing
    data["checksum"] = checksum(data)  # and a checksum made to fit: the counts still catch it
    path.write_text(json.dumps(data))
    before = snapshot(exam_round)
    with pytest.raises(CommandError, match="differ"):
        call_command("restore_round", str(path), replace=True)
    assert snapshot(exam_round) == before


@pytest.mark.postgres
def test_restore_resets_sequences_so_new_registrations_do_not_collide(populated, tmp_path):
    exam_round = populated["exam_round"]
    path = tmp_path / "round.json"
    call_command("backup_round", exam_round.slug, output=str(path))
    round_delete(exam_round)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('registration_registration', 'id'), 1, false)"
        )
    call_command("restore_round", str(path))
    registration = submission.registration_submit(
        exam_round=exam_round,
        school_class=populated["classes"][0],
        data=RegistrationInput(
            name="新同学",
            id_number=make_id_number(999),
            ethnicity="汉族",
            phone="13900000000",
            student_number="2024999999",
            level_code=3,
        ),
    )
    assert registration.pk > max(pk for pk, *_ in snapshot(exam_round) if pk != registration.pk)


def test_photos_are_in_the_backup_and_come_back_with_the_round(populated, tmp_path):
    from PIL import Image

    from registration.services.supplement import photo_upload

    exam_round = populated["exam_round"]
    registration = Registration.objects.filter(round=exam_round).order_by("pk").first()
    buffer = io.BytesIO()
    Image.new("RGB", (400, 500), (10, 160, 90)).save(buffer, "JPEG")
    photo_upload(registration=registration, data=buffer.getvalue())
    registration.refresh_from_db()
    name = registration.photo.name
    stored = registration.photo.open("rb").read()
    path = tmp_path / "round.json.gz"
    call_command("backup_round", exam_round.slug, output=str(path))
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        assert list(json.load(handle)["files"]["registration.registration.photo"]) == [name]

    round_delete(exam_round)
    registration.photo.storage.delete(name)  # the disk the photos were on is lost too
    call_command("restore_round", str(path))

    restored = Registration.objects.get(pk=registration.pk)
    assert restored.photo.name == name
    response = Client().get(f"/me/{restored.pk}/{restored.token}/photo.jpg")
    assert response.status_code == 200
    assert response.content == stored
