"""Anonymise the personal data of archived rounds whose retention period has passed.

PIPL minimal retention (docs/archive.md). What goes, for every candidate of the round: phone,
photo (file and field), free text about them (work unit, counselor note, review and photo-return
reasons), training attendance. Candidates without a certificate also lose their full ID number
(replaced by a placeholder that cannot be reversed and keeps uniqueness), their name (masked as on
the public notice: 张*), student number and birth day (the birth year stays). Candidates with a
certificate keep name, ID number and certificate, so the certificate stays verifiable.

Statistics stay: gender, birth year, level, class, major, candidate type, status, payments,
scores, results, certificates. The same values are scrubbed from the history tables, the import
records (class lists, payment lists, score sheets), class-list entries, admin log entries and
payment notes; expired sessions are cleared and the page cache invalidated. Every changed
registration gets a history row saying why; each run leaves a PurgeRecord with counts only.
"""

import datetime as dt
from collections import Counter

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common import content_cache
from registration.ledger.models import Payment, PaymentImport
from registration.models import ClassListEntry, ClassListImport, Registration
from registration.training.models import Attendance
from results.models import Certificate, ScoreImport
from results.selectors import mask_name
from rounds.models import ExamRound

from .exports import archive_export_build
from .models import PurgeRecord, RoundArchive

REASON = "个人信息到期匿名化"
PLACEHOLDER = "ANON"  # + zero-padded primary key: 18 characters, never a valid ID number
REDACTED = "［已清理］"
CLEARED_TEXT = ("phone", "work_unit", "counselor_note", "review_reason", "photo_return_reason")


def id_placeholder(pk: int) -> str:
    """Unique per row, carries nothing of the number it replaces (docs/archive.md)."""
    return f"{PLACEHOLDER}{pk:014d}"


def is_placeholder(value: str) -> bool:
    return value.startswith(PLACEHOLDER)


def _target(registration: Registration, *, keep_identity: bool) -> dict:
    values = dict.fromkeys(CLEARED_TEXT, "")
    values.update(photo="", photo_status="")
    if not keep_identity:
        values.update(
            id_number=id_placeholder(registration.pk),
            name=mask_name(registration.name),
            student_number="",
            birth_date=dt.date(registration.birth_date.year, 1, 1),
        )
    return values


def _scrub(value, secrets: dict[str, str]):
    """`value` with every secret substring replaced (JSON of imports, free text)."""
    if isinstance(value, str):
        for secret, replacement in secrets.items():
            if secret in value:
                value = value.replace(secret, replacement)
        return value
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    return value


def _scrub_json_rows(model, fields: tuple[str, ...], secrets: dict[str, str]) -> int:
    changed = 0
    for record in model.objects.only("pk", *fields).iterator(chunk_size=200):
        updates = {}
        for name in fields:
            old = getattr(record, name)
            new = _scrub(old, secrets)
            if new != old:
                updates[name] = new
        if updates:
            model.objects.filter(pk=record.pk).update(**updates)
            changed += 1
    return changed


def _registrations(exam_round: ExamRound, counts: Counter, storage_files: set[str]):
    """Anonymise the round's registrations and their history; return (secrets, purged IDs)."""
    certified = set(
        Certificate.objects.filter(registration__round=exam_round).values_list(
            "registration_id", flat=True
        )
    )
    history = Registration.history.model
    secrets: dict[str, str] = {}
    purged_ids: set[str] = set()
    for registration in Registration.objects.filter(round=exam_round).order_by("pk"):
        keep = registration.pk in certified
        target = _target(registration, keep_identity=keep)
        old_rows = history.objects.filter(id=registration.pk)
        for name in old_rows.exclude(photo="").values_list("photo", flat=True).distinct():
            storage_files.add(name)
        if registration.photo:
            storage_files.add(registration.photo.name)
        for phone in {registration.phone, *old_rows.values_list("phone", flat=True)}:
            if phone:
                secrets[phone] = REDACTED
        if not keep:
            for number in {registration.id_number, *old_rows.values_list("id_number", flat=True)}:
                if number and not is_placeholder(number):
                    secrets[number] = id_placeholder(registration.pk)
                    purged_ids.add(number)
        changed = [name for name, value in target.items() if getattr(registration, name) != value]
        if changed:
            counts["registrations"] += 1
            counts["phones"] += "phone" in changed
            counts["photos"] += "photo" in changed
            counts["id_numbers"] += "id_number" in changed
            for name, value in target.items():
                setattr(registration, name, value)
            registration._change_reason = REASON
            registration.save(update_fields=[*changed, "updated_at"])
        stale = old_rows.exclude(**target)
        counts["history_rows"] += stale.update(**target)
    return secrets, purged_ids


def _still_needed(numbers: set[str], phones: set[str]) -> tuple[set[str], set[str]]:
    """ID numbers and phones another registration still holds (another, live round; or this
    round's certified candidate): those stay where they belong."""
    live = Registration.objects.filter(Q(id_number__in=numbers) | Q(phone__in=phones))
    rows = list(live.values_list("id_number", "phone"))
    return {n for n, _ in rows if n in numbers}, {p for _, p in rows if p in phones}


def _class_lists(purged_ids: set[str], counts: Counter) -> None:
    history = ClassListEntry.history.model
    for entry in ClassListEntry.objects.filter(id_number__in=purged_ids):
        entry.id_number = id_placeholder(entry.pk)
        entry.name = mask_name(entry.name)
        entry.student_number = id_placeholder(entry.pk)
        entry.is_active = False
        entry._change_reason = REASON
        entry.save()
        counts["class_list_entries"] += 1
    stale = history.objects.filter(id_number__in=purged_ids)
    for row in stale:
        history.objects.filter(pk=row.pk).update(
            id_number=id_placeholder(row.id),
            name=mask_name(row.name),
            student_number=id_placeholder(row.id),
        )
        counts["history_rows"] += 1


def _attendance(exam_round: ExamRound, counts: Counter) -> None:
    enrollments = Registration.objects.filter(round=exam_round).values("training_enrollment")
    rows = Attendance.objects.filter(enrollment__in=enrollments)
    counts["attendance"] += rows.count()
    rows.delete()
    history = Attendance.history.model.objects.filter(enrollment_id__in=enrollments)
    counts["history_rows"] += history.delete()[0]


def _log_entries(exam_round: ExamRound, secrets: dict[str, str], counts: Counter) -> None:
    kind = ContentType.objects.get_for_model(Registration)
    masked = {
        str(pk): f"{number} {name}"
        for pk, number, name in Registration.objects.filter(round=exam_round).values_list(
            "pk", "number", "name"
        )
    }
    for entry in LogEntry.objects.filter(content_type=kind, object_id__in=list(masked)):
        new_repr = masked[entry.object_id]
        new_message = _scrub(entry.change_message, secrets)
        if (entry.object_repr, entry.change_message) != (new_repr, new_message):
            LogEntry.objects.filter(pk=entry.pk).update(
                object_repr=new_repr, change_message=new_message
            )
            counts["log_entries"] += 1


def round_purge(*, exam_round: ExamRound, ran_by: str, dry_run: bool = False) -> Counter:
    """Anonymise one archived round; returns counts per kind. Idempotent: a second run changes
    nothing and counts nothing. With `dry_run`, everything is rolled back and no file deleted."""
    counts: Counter = Counter()
    with transaction.atomic():
        exam_round = ExamRound.objects.select_for_update().get(pk=exam_round.pk)
        if exam_round.archived_at is None:  # never: the caller picks archived rounds only
            raise ValueError("round is not archived")
        files: set[str] = set()
        secrets, purged_ids = _registrations(exam_round, counts, files)
        kept_ids, kept_phones = _still_needed(set(secrets) & purged_ids, set(secrets) - purged_ids)
        secrets = {k: v for k, v in secrets.items() if k not in kept_ids | kept_phones}
        purged_ids -= kept_ids
        _class_lists(purged_ids, counts)
        if secrets:
            counts["import_records"] += _scrub_json_rows(ClassListImport, ("rows",), secrets)
            counts["import_records"] += _scrub_json_rows(
                PaymentImport, ("rows", "problems"), secrets
            )
            counts["import_records"] += _scrub_json_rows(ScoreImport, ("rows", "problems"), secrets)
            counts["payment_notes"] += _scrub_json_rows(Payment, ("note",), secrets)
        _attendance(exam_round, counts)
        _log_entries(exam_round, secrets, counts)
        storage = Registration._meta.get_field("photo").storage
        existing = sorted(name for name in files if storage.exists(name))
        counts["photo_files"] += len(existing)
        changed = sum(counts.values()) > 0
        if changed:
            counts["sessions"] += Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]
        if dry_run:
            transaction.set_rollback(True)
            return counts
        if changed:
            exam_round.purged_at = timezone.now()
            exam_round._change_reason = REASON
            exam_round.save(update_fields=["purged_at", "updated_at"])
            PurgeRecord.objects.create(exam_round=exam_round, ran_by=ran_by, counts=dict(counts))
            if RoundArchive.objects.filter(exam_round=exam_round).exists():
                archive_export_build(exam_round=exam_round)  # rebuilt without what went
                counts["archive_rebuilt"] += 1

            def _delete_files() -> None:
                for name in existing:
                    storage.delete(name)
                content_cache.bump()

            transaction.on_commit(_delete_files)
    return counts
