"""A backup written before the round foreign keys were renamed (`session`) still restores."""

import datetime as dt
import json
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
