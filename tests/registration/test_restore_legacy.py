"""A backup written before the round foreign keys were renamed (`session`) still restores."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from registration.backups.fileformat import checksum
from registration.backups.restore import round_delete
from registration.models import Registration
from tests.factories import ExamRoundFactory, FeeItemFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _backup(tmp_path, exam_round, edit):
    """backup_round's file of `exam_round`, rewritten by `edit` (data -> data)."""
    path = tmp_path / "round.json"
    call_command("backup_round", exam_round.slug, output=str(path))
    data = edit(json.loads(path.read_text()))
    data["checksum"] = checksum(data)
    path.write_text(json.dumps(data))
    return path


def _as_before_the_rename(data: dict) -> dict:
    """The file as backup_round wrote it when the field was called `session`."""
    renamed = 0
    for item in data["objects"] + data["references"]:
        fields = item.get("fields", {})
        if "round" in fields:
            fields["session"] = fields.pop("round")
            renamed += 1
    assert renamed  # control: the backup does carry round fields to rename
    return data


def test_restore_round_maps_a_legacy_session_field_onto_round(tmp_path):
    exam_round = ExamRoundFactory(slug="legacy-round")
    FeeItemFactory(round=exam_round)
    registrations = [RegistrationFactory(round=exam_round) for _ in range(3)]
    path = _backup(tmp_path, exam_round, _as_before_the_rename)
    round_delete(exam_round)
    assert not Registration.objects.exists()

    call_command("restore_round", str(path))

    restored = Registration.objects.filter(round__slug="legacy-round").order_by("pk")
    assert [r.pk for r in restored] == [r.pk for r in registrations]
    assert exam_round.fee_items.count() == 1


MOVED_LABELS = {
    "registration.payment": "fees.payment",
    "registration.paymentimport": "fees.paymentimport",
    "registration.trainingenrollment": "courses.trainingenrollment",
    "registration.attendance": "courses.attendance",
}


def _as_before_the_moves(data: dict) -> dict:
    """The file as backup_round wrote it when the ledger lived in `fees` and training in
    `courses`: the same rows, under the old model labels (in the objects and the counts)."""
    seen = set()
    for item in data["objects"] + data["references"]:
        if item["model"] in MOVED_LABELS:
            seen.add(item["model"])
            item["model"] = MOVED_LABELS[item["model"]]
    data["counts"] = {MOVED_LABELS.get(k, k): n for k, n in data["counts"].items()}
    assert seen == set(MOVED_LABELS)  # control: the backup does carry every moved model
    return data


def test_restore_round_maps_the_ledger_and_training_labels_of_old_backups(tmp_path):
    from courses.models import TrainingClass, TrainingLesson
    from registration.ledger.models import Payment, PaymentImport
    from registration.training.models import Attendance, TrainingEnrollment
    from tests.factories import UserFactory

    exam_round = ExamRoundFactory(slug="moved-labels")
    registration = RegistrationFactory(round=exam_round)
    clerk = UserFactory(username="clerk")
    upload = PaymentImport.objects.create(
        file_name="a.xlsx", file_sha256="0" * 64, uploaded_by=clerk
    )
    Payment.objects.create(
        registration=registration,
        charge_item_name="报名费",
        amount=Decimal("320.00"),
        paid_on=dt.date(2022, 5, 19),
        source="import",
        payment_import=upload,
        recorded_by=clerk,
    )
    training_class = TrainingClass.objects.create(
        round=exam_round, level=registration.level, name="旧标签班", required_hours=4
    )
    lesson = TrainingLesson.objects.create(
        training_class=training_class,
        date=dt.date(2022, 4, 1),
        start_time=dt.time(14),
        end_time=dt.time(17),
        hours=4,
    )
    enrollment = TrainingEnrollment.objects.create(
        registration=registration, training_class=training_class
    )
    Attendance.objects.create(
        lesson=lesson,
        enrollment=enrollment,
        present=True,
        marked_at=dt.datetime(2022, 4, 1, 15, tzinfo=dt.UTC),
    )
    path = _backup(tmp_path, exam_round, _as_before_the_moves)
    round_delete(exam_round)
    assert not Payment.objects.exists()

    call_command("restore_round", str(path))

    payment = Payment.objects.get()
    assert (payment.registration_id, payment.payment_import_id) == (registration.pk, upload.pk)
    assert TrainingEnrollment.objects.get().registration_id == registration.pk
    assert Attendance.objects.get(present=True).lesson_id == lesson.pk


def test_restore_round_invalidates_the_content_caches(tmp_path, django_capture_on_commit_callbacks):
    """Restored rows are saved raw (no content signal); the restore bumps the generation itself,
    so no cached page, verdict or sign-up rule outlives the rows it was built from."""
    from common import content_cache

    exam_round = ExamRoundFactory(slug="cached-round")
    FeeItemFactory(round=exam_round)

    def without_levels(data: dict) -> dict:
        # Setting the round's levels sends a signal that would bump anyway: leave them out, so
        # that only the restore's own bump can pass this test.
        for item in data["objects"]:
            if item["model"] == "rounds.examround":
                item["fields"]["levels"] = []
        return data

    path = _backup(tmp_path, exam_round, without_levels)
    with django_capture_on_commit_callbacks(execute=True):
        round_delete(exam_round)
    before = content_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("restore_round", str(path))
    assert content_cache.generation() > before


def _as_version_1(data: dict) -> dict:
    """The file as backup_round wrote it in format 1: no checksum, app version, history or
    many-to-many rows (a round's levels inside its row), photos under "photos", and every time
    stamp cut to milliseconds by Django's JSON encoder."""
    stamp = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\d{3}\+00:00$")
    levels: dict[int, list[int]] = {}
    kept = {"objects": [], "references": []}
    for key in kept:
        for item in data[key]:
            label = item["model"]
            if label == "rounds.examround_levels":
                fields = item["fields"]
                levels.setdefault(fields["examround"], []).append(fields["skilllevel"])
                continue
            if label.split(".")[1].startswith("historical"):
                continue
            for name, value in item["fields"].items():
                if isinstance(value, str) and stamp.match(value):
                    item["fields"][name] = stamp.sub(r"\1Z", value)
            kept[key].append(item)
    for item in kept["objects"] + kept["references"]:
        if item["model"] == "rounds.examround":
            item["fields"]["levels"] = levels.get(item["pk"], [])
    counts = {
        label: n
        for label, n in data["counts"].items()
        if label != "rounds.examround_levels" and not label.split(".")[1].startswith("historical")
    }
    return {
        "format": data["format"],
        "version": 1,
        "created_at": data["created_at"],
        "session": data["session"],
        "counts": counts,
        "references": kept["references"],
        "objects": kept["objects"],
        "photos": data["files"].get("registration.registration.photo", {}),
    }


def test_restore_round_reads_a_format_1_file(tmp_path):
    exam_round = ExamRoundFactory(slug="format-one")
    FeeItemFactory(round=exam_round)
    registrations = [RegistrationFactory(round=exam_round) for _ in range(3)]
    stamp = dt.datetime(2025, 5, 1, 8, 0, 0, 123456, tzinfo=dt.UTC)
    Registration.objects.filter(pk=registrations[0].pk).update(created_at=stamp)
    path = tmp_path / "round.json"
    call_command("backup_round", exam_round.slug, output=str(path))
    data = _as_version_1(json.loads(path.read_text()))
    assert "checksum" not in data and data["objects"]  # control: a format-1 shape
    path.write_text(json.dumps(data))
    levels = set(exam_round.levels.values_list("pk", flat=True))
    round_delete(exam_round)
    assert not Registration.objects.exists()

    call_command("restore_round", str(path))

    restored = Registration.objects.filter(round__slug="format-one").order_by("pk")
    assert [r.pk for r in restored] == [r.pk for r in registrations]
    # Format 1 held milliseconds: that is what comes back from such a file.
    assert restored[0].created_at == stamp.replace(microsecond=123000)
    assert set(exam_round.levels.values_list("pk", flat=True)) == levels
    assert exam_round.fee_items.count() == 1
