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

Retake offers made from the round's candidates without a certificate get the candidate's
placeholder and masked name. Free-text reasons about the round's candidates (seat move, score
change, training completion) are replaced by a marker, in their history too. An ID number on the
active list of an active class (the school's roster, not round data) is still needed: that entry
stays as it is.
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
from exams.models import Seat
from registration.ledger.models import Payment, PaymentImport
from registration.models import ClassListEntry, ClassListImport, Registration, RetakeOffer
from registration.training.models import Attendance, TrainingEnrollment
from results.models import Certificate, Score, ScoreImport
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


def _scrub(value, secrets: dict[str, str], exact: dict[str, str] | None = None):
    """`value` with every secret substring replaced (JSON of imports, free text); a string that
    is exactly one of `exact` (a name, a student number: too short to replace inside text) is
    replaced whole."""
    if isinstance(value, str):
        if exact and value in exact:
            return exact[value]
        for secret, replacement in secrets.items():
            if secret in value:
                value = value.replace(secret, replacement)
        return value
    if isinstance(value, list):
        return [_scrub(item, secrets, exact) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, secrets, exact) for key, item in value.items()}
    return value


def _scrub_json_rows(
    model, fields: tuple[str, ...], secrets: dict[str, str], exact: dict[str, str] | None = None
) -> int:
    changed = 0
    for record in model.objects.only("pk", *fields).iterator(chunk_size=200):
        updates = {}
        for name in fields:
            old = getattr(record, name)
            new = _scrub(old, secrets, exact)
            if new != old:
                updates[name] = new
        if updates:
            model.objects.filter(pk=record.pk).update(**updates)
            changed += 1
    return changed


class _Identity:
    """What named one candidate without a certificate before the purge (all history rows)."""

    def __init__(self, ids: set[str], names: set[str], numbers: set[str]):
        self.ids, self.names, self.numbers = ids, names, numbers


def _registrations(exam_round: ExamRound, counts: Counter, storage_files: set[str]):
    """Anonymise the round's registrations and their history.

    Returns (secrets, purged IDs, identities, pks of the candidates without a certificate)."""
    certified = set(
        Certificate.objects.filter(registration__round=exam_round).values_list(
            "registration_id", flat=True
        )
    )
    history = Registration.history.model
    secrets: dict[str, str] = {}
    purged_ids: set[str] = set()
    identities: list[_Identity] = []
    uncertified: set[int] = set()
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
            uncertified.add(registration.pk)
            old = list(old_rows.values_list("id_number", "name", "student_number"))
            old.append((registration.id_number, registration.name, registration.student_number))
            ids = {n for n, _, _ in old if n and not is_placeholder(n)}
            for number in ids:
                secrets[number] = id_placeholder(registration.pk)
                purged_ids.add(number)
            identities.append(
                _Identity(
                    ids,
                    {name for _, name, _ in old if name and mask_name(name) != name},
                    {number for _, _, number in old if number},
                )
            )
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
    return secrets, purged_ids, identities, uncertified


def _still_needed(numbers: set[str], phones: set[str]) -> tuple[set[str], set[str]]:
    """ID numbers and phones still needed, which stay where they belong: held by another
    registration (another, live round; or this round's certified candidate), on the active list
    of an active class (the school's roster: the student may sign up again), or on an unused
    retake offer of a round not yet archived (the candidate may still use it)."""
    live = Registration.objects.filter(Q(id_number__in=numbers) | Q(phone__in=phones))
    rows = list(live.values_list("id_number", "phone"))
    kept_ids = {n for n, _ in rows if n in numbers}
    kept_ids |= set(
        ClassListEntry.objects.active()
        .filter(school_class__is_active=True, id_number__in=numbers)
        .values_list("id_number", flat=True)
    )
    kept_ids |= set(
        RetakeOffer.objects.unused()
        .filter(exam_round__archived_at__isnull=True, id_number__in=numbers)
        .values_list("id_number", flat=True)
    )
    return kept_ids, {p for _, p in rows if p in phones}


def _class_lists(purged_ids: set[str], counts: Counter) -> list[ClassListEntry]:
    history = ClassListEntry.history.model
    changed = []
    for entry in ClassListEntry.objects.filter(id_number__in=purged_ids):
        entry.id_number = id_placeholder(entry.pk)
        entry.name = mask_name(entry.name)
        entry.student_number = id_placeholder(entry.pk)
        entry.is_active = False
        entry._change_reason = REASON
        entry.save()
        changed.append(entry)
        counts["class_list_entries"] += 1
    stale = history.objects.filter(id_number__in=purged_ids)
    for row in stale:
        history.objects.filter(pk=row.pk).update(
            id_number=id_placeholder(row.id),
            name=mask_name(row.name),
            student_number=id_placeholder(row.id),
        )
        counts["history_rows"] += 1
    return changed


def _retake_offers(
    uncertified: set[int], purged_ids: set[str], kept_ids: set[str], counts: Counter
) -> list[RetakeOffer]:
    """Offers made from a candidate who loses their identity get the placeholder of the source
    registration and the masked name, in their history too."""
    offers = (
        RetakeOffer.objects.filter(
            Q(source_registration_id__in=uncertified) | Q(id_number__in=purged_ids)
        )
        .exclude(id_number__in=kept_ids)
        .select_related("level")
    )
    changed = []
    for offer in offers:
        target = (id_placeholder(offer.source_registration_id), mask_name(offer.name))
        if (offer.id_number, offer.name) != target:
            offer.id_number, offer.name = target
            offer._change_reason = REASON
            offer.save(update_fields=["id_number", "name"])
            counts["retake_offers"] += 1
        changed.append(offer)
    history = RetakeOffer.history.model
    for row in history.objects.filter(id__in=[offer.pk for offer in changed]):
        target = (id_placeholder(row.source_registration_id), mask_name(row.name))
        if (row.id_number, row.name) != target:
            history.objects.filter(pk=row.pk).update(id_number=target[0], name=target[1])
            counts["history_rows"] += 1
    return changed


def _free_text(exam_round: ExamRound, counts: Counter) -> None:
    """Reasons written about the round's candidates: replaced by a marker (that there was a
    reason stays; what it said goes), in the history too. Outcomes and points stay."""
    registrations = Registration.objects.filter(round=exam_round).values("pk")
    seats = Seat.objects.filter(registration__in=registrations).values("pk")
    for model, field, live, past in (
        (
            Seat,
            "move_reason",
            Q(registration__in=registrations),
            Q(registration_id__in=registrations),
        ),
        (Score, "reason", Q(seat__in=seats), Q(seat_id__in=seats)),
        (
            TrainingEnrollment,
            "completion_reason",
            Q(registration__in=registrations),
            Q(registration_id__in=registrations),
        ),
    ):
        for rows, kind in (
            (model.objects.filter(live), "free_text"),
            (model.history.model.objects.filter(past), "history_rows"),
        ):
            counts[kind] += (
                rows.exclude(**{field: ""}).exclude(**{field: REDACTED}).update(**{field: REDACTED})
            )


def _attendance(exam_round: ExamRound, counts: Counter) -> None:
    enrollments = Registration.objects.filter(round=exam_round).values("training_enrollment")
    rows = Attendance.objects.filter(enrollment__in=enrollments)
    counts["attendance"] += rows.count()
    rows.delete()
    history = Attendance.history.model.objects.filter(enrollment_id__in=enrollments)
    counts["history_rows"] += history.delete()[0]


def _log_entries(
    exam_round: ExamRound,
    objects: list,
    secrets: dict[str, str],
    exact: dict[str, str],
    counts: Counter,
) -> None:
    """Admin log entries of the round's registrations and seats and of the anonymised class-list
    entries and retake offers: the name in `object_repr` (and in the change message) goes."""
    registrations = Registration.objects.filter(round=exam_round)
    seats = Seat.objects.filter(registration__round=exam_round).select_related(
        "room", "registration"
    )
    reprs: dict[type, dict[str, str]] = {
        Registration: {
            str(pk): f"{number} {name}"
            for pk, number, name in registrations.values_list("pk", "number", "name")
        },
        Seat: {str(seat.pk): str(seat) for seat in seats},
    }
    for obj in objects:
        reprs.setdefault(type(obj), {})[str(obj.pk)] = str(obj)
    # Inside the log entries of these very objects, names may be replaced as text too.
    words = {**secrets, **{k: v or REDACTED for k, v in exact.items()}}
    for model, masked in reprs.items():
        kind = ContentType.objects.get_for_model(model)
        for entry in LogEntry.objects.filter(content_type=kind, object_id__in=list(masked)):
            new_repr = masked[entry.object_id]
            new_message = entry.change_message.replace(entry.object_repr, new_repr)
            new_message = _scrub(new_message, words)
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
        secrets, purged_ids, identities, uncertified = _registrations(exam_round, counts, files)
        kept_ids, kept_phones = _still_needed(set(secrets) & purged_ids, set(secrets) - purged_ids)
        secrets = {k: v for k, v in secrets.items() if k not in kept_ids | kept_phones}
        purged_ids -= kept_ids
        # Names and student numbers of those who lose their identity (not of one still needed).
        exact: dict[str, str] = {}
        for identity in identities:
            if not identity.ids & kept_ids:
                exact.update({name: mask_name(name) for name in identity.names})
                exact.update(dict.fromkeys(identity.numbers, ""))
        anonymised = [*_class_lists(purged_ids, counts)]
        anonymised += _retake_offers(uncertified, purged_ids, kept_ids, counts)
        if secrets or exact:
            counts["import_records"] += _scrub_json_rows(ClassListImport, ("rows",), secrets, exact)
            for model in (PaymentImport, ScoreImport):
                counts["import_records"] += _scrub_json_rows(
                    model, ("rows", "problems"), secrets, exact
                )
            counts["payment_notes"] += _scrub_json_rows(Payment, ("note",), secrets)
        _attendance(exam_round, counts)
        _free_text(exam_round, counts)
        _log_entries(exam_round, anonymised, secrets, exact, counts)
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
