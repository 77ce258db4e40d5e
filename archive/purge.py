"""Anonymise the personal data of archived rounds whose retention period has passed.

PIPL minimal retention (docs/archive.md). Which fields hold personal data and how each goes is
declared by the app that owns them (`<app>/data.py`, common.appdata.Personal); this module
applies the declarations and names no app's fields:

- the candidate's registration (``of="self"``): contact, photo and free text always go; the
  identity (ID number, name, student number, birth day) of a candidate without a certificate
  too; one with a certificate keeps it, so the certificate stays verifiable;
- rows about the round's candidates (``of=<lookup to the registration>``): free text redacted,
  identity purged as for the candidate, or the rows deleted (training attendance);
- rows holding a purged ID number (``match``): class-list entries, retake offers; a row an app
  declares still needed (``needed``: the active list of an active class) keeps it;
- text and JSON blobs (Purge.BLOB): the purged values replaced inside them; a round's own blobs
  (``round``: score sheets) lose all its candidates' values.

History rows follow their rows; admin log entries of the rows are rewritten; statistics stay
(gender, birth year, level, class, major, type, status, payments, scores, results,
certificates). Every changed row gets a history row saying why; each run leaves a PurgeRecord
with counts only. After the purge the command makes the database files forget the old values
(database_compact).
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from common import appdata, content_cache
from common.appdata import IDENTITY, Purge
from registration.models import Registration
from results.models import Certificate
from results.selectors import mask_name
from rounds.models import ExamRound

from .exports import archive_export_build
from .models import PurgeRecord, RoundArchive

REASON = "个人信息到期匿名化"
PLACEHOLDER = "ANON"  # + zero-padded primary key: 18 characters, never a valid ID number
REDACTED = "［已清理］"


def id_placeholder(pk: int) -> str:
    """Unique per row, carries nothing of the number it replaces (docs/archive.md)."""
    return f"{PLACEHOLDER}{pk:014d}"


def is_placeholder(value: str) -> bool:
    return value.startswith(PLACEHOLDER)


@dataclass(frozen=True)
class _Declared:
    """One app's declaration about one model (common.appdata.Personal), resolved."""

    model: type
    item: appdata.Personal

    @property
    def history(self):
        manager = getattr(self.model, "history", None)
        return manager.model if manager is not None else None

    def fields(self, *kinds: Purge) -> dict[str, Purge]:
        return {name: kind for name, kind in self.item.fields.items() if kind in kinds}


def declared() -> list[_Declared]:
    """Every personal-data declaration of every app (common.appdata), with its model."""
    return [_Declared(apps.get_model(label), item) for label, item in appdata.personal_data()]


def _purged_value(kind: Purge, value, *, pk: int, may_be_blank: bool = True):
    """What a field of `kind` holding `value` becomes; `pk` names the placeholder."""
    if kind == Purge.ID_NUMBER:
        return value if not value or is_placeholder(value) else id_placeholder(pk)
    if kind == Purge.NAME:
        return mask_name(value)
    if kind == Purge.STUDENT_NUMBER:
        if not value or is_placeholder(value):
            return value
        return "" if may_be_blank else id_placeholder(pk)
    if kind == Purge.BIRTH_DATE:
        return dt.date(value.year, 1, 1) if value else value
    if kind == Purge.REDACT:
        return REDACTED if value else value
    if kind in (Purge.PHONE, Purge.CLEAR, Purge.FILE):
        return ""
    raise ValueError(f"no purge for {kind}")


def _target(row, fields: dict[str, Purge], *, pk: int) -> dict:
    return {
        name: _purged_value(
            kind, getattr(row, name), pk=pk, may_be_blank=row._meta.get_field(name).blank
        )
        for name, kind in fields.items()
    }


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


def _scrub_rows(rows, fields: tuple[str, ...], secrets: dict, exact: dict) -> int:
    changed = 0
    model = rows.model
    for record in rows.only("pk", *fields).iterator(chunk_size=200):
        updates = {}
        for name in fields:
            old = getattr(record, name)
            new = _scrub(old, secrets, exact)
            if new != old:
                updates[name] = new
        if updates:
            model._base_manager.filter(pk=record.pk).update(**updates)
            changed += 1
    return changed


class _Identity:
    """What named one candidate without a certificate before the purge (all history rows)."""

    def __init__(self, ids: set[str], names: set[str], numbers: set[str]):
        self.ids, self.names, self.numbers = ids, names, numbers


def _subject() -> _Declared:
    """The declaration of the candidate's registration itself (``of="self"``)."""
    (subject,) = [d for d in declared() if d.item.of == "self"]
    if subject.model is not Registration:
        raise ValueError("the candidate is a registration")
    return subject


def _registrations(exam_round: ExamRound, counts: Counter, storage_files: set[tuple]):
    """Purge the declared fields of the round's registrations and their history.

    Returns (secrets, purged IDs, identities, pks of the candidates without a certificate)."""
    subject = _subject()
    certified = set(
        Certificate.objects.filter(registration__round=exam_round).values_list(
            "registration_id", flat=True
        )
    )
    history = subject.history
    kinds = subject.item.fields
    secrets: dict[str, str] = {}
    purged_ids: set[str] = set()
    identities: list[_Identity] = []
    uncertified: set[int] = set()
    for registration in Registration.objects.filter(round=exam_round).order_by("pk"):
        keep = registration.pk in certified
        fields = {n: k for n, k in kinds.items() if not (keep and k in IDENTITY)}
        target = _target(registration, fields, pk=registration.pk)
        old_rows = history.objects.filter(id=registration.pk)
        values = {
            name: {getattr(registration, name), *old_rows.values_list(name, flat=True)}
            for name in kinds
        }
        for name in subject.fields(Purge.FILE):
            storage = Registration._meta.get_field(name).storage
            storage_files.update((storage, str(v)) for v in values[name] if v)
        for name in subject.fields(Purge.PHONE):
            secrets.update(dict.fromkeys(filter(None, values[name]), REDACTED))
        if not keep:
            uncertified.add(registration.pk)
            ids = {
                v
                for name in subject.fields(Purge.ID_NUMBER)
                for v in values[name]
                if v and not is_placeholder(v)
            }
            for number in ids:
                secrets[number] = id_placeholder(registration.pk)
                purged_ids.add(number)
            names = {v for n in subject.fields(Purge.NAME) for v in values[n] if v}
            numbers = {v for n in subject.fields(Purge.STUDENT_NUMBER) for v in values[n] if v}
            identities.append(_Identity(ids, {n for n in names if mask_name(n) != n}, numbers))
        changed = [name for name, value in target.items() if getattr(registration, name) != value]
        if changed:
            counts["registrations"] += 1
            counts["phones"] += bool(set(changed) & set(subject.fields(Purge.PHONE)))
            counts["photos"] += bool(set(changed) & set(subject.fields(Purge.FILE)))
            counts["id_numbers"] += bool(set(changed) & set(subject.fields(Purge.ID_NUMBER)))
            for name, value in target.items():
                setattr(registration, name, value)
            registration._change_reason = REASON
            registration.save(update_fields=[*changed, "updated_at"])
        stale = old_rows.exclude(**target)
        counts["history_rows"] += stale.update(**target)
    return secrets, purged_ids, identities, uncertified


def _still_needed(numbers: set[str], phones: set[str]) -> tuple[set[str], set[str]]:
    """ID numbers and phones still needed, which stay where they belong: held by another
    registration (another, live round; or this round's certified candidate), or on a row an app
    declares still needed (``needed``: the active list of an active class, the school's roster;
    the student may sign up again)."""
    live = Registration.objects.filter(Q(id_number__in=numbers) | Q(phone__in=phones))
    rows = list(live.values_list("id_number", "phone"))
    kept_ids = {n for n, _ in rows if n in numbers}
    for item in declared():
        if item.item.needed and item.item.match:
            kept_ids |= set(
                item.model._base_manager.filter(
                    **item.item.needed, **{f"{item.item.match}__in": numbers}
                ).values_list(item.item.match, flat=True)
            )
    return kept_ids, {p for _, p in rows if p in phones}


def _linked(
    item: _Declared,
    exam_round: ExamRound,
    uncertified: set[int],
    purged_ids: set[str],
    counts: Counter,
) -> list:
    """The rows of one declared model about the round's candidates (``of``) or holding a purged
    ID number (``match``): free text redacted, contact cleared, identity purged where the
    candidate has no certificate; or the rows deleted. History rows follow. Returns the rows
    whose identity was purged (their admin log entries are rewritten)."""
    model, decl, history = item.model, item.item, item.history
    manager = model._base_manager
    candidates = Registration.objects.filter(round=exam_round).values("pk")
    if decl.of:
        mine = Q(**{f"{decl.of}__in": candidates})
    elif decl.round and decl.delete:  # rows of the round itself, not about a candidate
        mine = Q(**{decl.round: exam_round})
    else:
        mine = Q(pk__in=[])
    if decl.delete:
        rows = manager.filter(mine)
        deleted = rows.count()
        if deleted:
            rows.delete()
            counts[model._meta.label] += deleted
        if history is not None:
            counts["history_rows"] += history.objects.filter(mine).delete()[0]
        return []
    # Free text and contact: on every row about the round's candidates.
    for name, kind in item.fields(Purge.REDACT, Purge.CLEAR, Purge.PHONE).items():
        value = REDACTED if kind == Purge.REDACT else ""
        for rows, key in (
            (manager.filter(mine), "free_text"),
            (history.objects.filter(mine) if history else None, "history_rows"),
        ):
            if rows is not None:
                counts[key] += (
                    rows.exclude(**{name: ""}).exclude(**{name: value}).update(**{name: value})
                )
    identity = item.fields(*IDENTITY)
    if not identity:
        return []
    who = Q()
    if decl.of:
        who |= Q(**{f"{decl.of}__in": uncertified})
    if decl.match:
        who |= Q(**{f"{decl.match}__in": purged_ids})
    owner = f"{decl.of}_id" if decl.of and "__" not in decl.of else None
    changed = []
    for row in manager.filter(who):
        pk = getattr(row, owner) if owner and getattr(row, owner) else row.pk
        target = {**_target(row, identity, pk=pk), **decl.then}
        updates = [name for name, value in target.items() if getattr(row, name) != value]
        if updates:
            for name, value in target.items():
                setattr(row, name, value)
            row._change_reason = REASON
            row.save(update_fields=updates)
            counts[model._meta.label] += 1
        changed.append(row)
    if history is not None:
        past = Q(id__in=[row.pk for row in changed])
        if decl.match:
            past |= Q(**{f"{decl.match}__in": purged_ids})
        for row in history.objects.filter(past):
            pk = getattr(row, owner) if owner and getattr(row, owner) else row.id
            target = _target(row, identity, pk=pk)
            if any(getattr(row, name) != value for name, value in target.items()):
                history.objects.filter(pk=row.pk).update(**target)
                counts["history_rows"] += 1
    return changed


def _blobs(exam_round: ExamRound, others: tuple, own: tuple, counts: Counter) -> None:
    """Text and JSON fields declared BLOB: every purged value replaced inside them. Rows of the
    purged round (``round``) lose all its candidates' values, other rows those not still
    needed."""
    for item in declared():
        fields = tuple(item.fields(Purge.BLOB))
        if not fields:
            continue
        for model in filter(None, (item.model, item.history)):
            rows = model._base_manager.all()
            if item.item.round:
                mine = Q(**{item.item.round: exam_round})
                if any(own):
                    counts["import_records"] += _scrub_rows(rows.filter(mine), fields, *own)
                rows = rows.exclude(mine)
            if any(others):
                counts["import_records"] += _scrub_rows(rows, fields, *others)


def _log_entries(
    exam_round: ExamRound,
    objects: list,
    secrets: dict[str, str],
    exact: dict[str, str],
    counts: Counter,
) -> None:
    """Admin log entries of the round's registrations, of every declared row about them, and of
    the anonymised rows: the name in `object_repr` (and in the change message) goes."""
    candidates = Registration.objects.filter(round=exam_round)
    reprs: dict[type, dict[str, str]] = {Registration: {str(r.pk): str(r) for r in candidates}}
    for item in declared():
        if item.item.of and item.item.of != "self" and not item.item.delete:
            rows = item.model._base_manager.filter(
                **{f"{item.item.of}__in": candidates.values("pk")}
            )
            reprs.setdefault(item.model, {}).update({str(row.pk): str(row) for row in rows})
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
    _secure_delete()
    with transaction.atomic():
        exam_round = ExamRound.objects.select_for_update().get(pk=exam_round.pk)
        if exam_round.archived_at is None:  # never: the caller picks archived rounds only
            raise ValueError("round is not archived")
        files: set[tuple] = set()
        secrets, purged_ids, identities, uncertified = _registrations(exam_round, counts, files)
        all_secrets = dict(secrets)
        kept_ids, kept_phones = _still_needed(set(secrets) & purged_ids, set(secrets) - purged_ids)
        secrets = {k: v for k, v in secrets.items() if k not in kept_ids | kept_phones}
        purged_ids -= kept_ids
        # Names and student numbers of those who lose their identity (not of one still needed).
        exact: dict[str, str] = {}
        all_exact: dict[str, str] = {}
        for identity in identities:
            values = {name: mask_name(name) for name in identity.names}
            values.update(dict.fromkeys(identity.numbers, ""))
            all_exact.update(values)
            if not identity.ids & kept_ids:
                exact.update(values)
        anonymised: list = []
        for item in declared():
            if item.item.of != "self" and (
                item.item.of or item.item.match or (item.item.round and item.item.delete)
            ):
                anonymised += _linked(item, exam_round, uncertified, purged_ids, counts)
        _blobs(exam_round, (secrets, exact), (all_secrets, all_exact), counts)
        _log_entries(exam_round, anonymised, secrets, exact, counts)
        existing = sorted(
            ((storage, name) for storage, name in files if storage.exists(name)),
            key=lambda pair: pair[1],
        )
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
                for storage, name in existing:
                    storage.delete(name)
                content_cache.bump()

            transaction.on_commit(_delete_files)
    return counts


def _secure_delete() -> None:
    """SQLite: overwrite what an UPDATE or DELETE frees with zeros (per connection), so the
    purged values do not linger in free space of the file's pages (docs/archive.md)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


def purged_tables() -> list[str]:
    """The tables the purge writes: every declared model's and its history's, the admin log
    and the sessions."""
    tables = {LogEntry._meta.db_table, Session._meta.db_table, PurgeRecord._meta.db_table}
    for item in declared():
        tables.add(item.model._meta.db_table)
        if item.history is not None:
            tables.add(item.history._meta.db_table)
    return sorted(tables)


def database_compact(*, vacuum: bool = False) -> list[str]:
    """After a purge, make the database files forget what it removed (docs/archive.md).

    SQLite: the purge zeroes what it frees (`secure_delete`), but the write-ahead log still holds
    the old pages: checkpoint it and truncate it to nothing; with `vacuum`, rebuild the file too
    (it shrinks). PostgreSQL: old row versions stay in the table and index files, and a plain
    VACUUM only marks their space free (the bytes stay until overwritten; measured in
    tests/archive/test_purge_complete.py): VACUUM FULL rewrites the purged tables and their
    indexes, holding an exclusive lock on each table while it does (seconds; the purge runs at
    night and only when something was purged). Runs outside a transaction; inside one (a
    test's) it does nothing. Returns what it did, for the command's output."""
    if connection.in_atomic_block:
        return []
    done = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if vacuum:
                cursor.execute("VACUUM")
                done.append("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            done.append("wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            tables = purged_tables()
            cursor.execute(
                f"VACUUM (FULL, ANALYZE) {', '.join(map(connection.ops.quote_name, tables))}"
            )
            done.append(f"VACUUM FULL ({len(tables)})")
    return done


def _lookup_model(model, path: str):
    """The model at the end of a lookup path (``seat__registration``), or None."""
    for part in path.split("__"):
        try:
            model = model._meta.get_field(part).related_model
        except Exception:
            return None
        if model is None:
            return None
    return model


def declaration_problems() -> list[str]:
    """Declarations the purge cannot apply (tests/test_declarations.py): a field that does not
    exist, a kind without the rows it needs (``of``/``match``/a round), a lookup that does not
    lead to a registration or a round."""
    problems = []
    for item in declared():
        label, decl = item.model._meta.label, item.item
        names = {f.name for f in item.model._meta.concrete_fields}
        problems += [f"{label}.{name}: no such field" for name in decl.fields if name not in names]
        if decl.of and decl.of != "self" and _lookup_model(item.model, decl.of) is not Registration:
            problems.append(f"{label}: of={decl.of!r} does not lead to a registration")
        if decl.of == "self" and item.model is not Registration:
            problems.append(f"{label}: only the registration is the candidate itself")
        if decl.round and _lookup_model(item.model, decl.round) is not ExamRound:
            problems.append(f"{label}: round={decl.round!r} does not lead to a round")
        if decl.match and decl.match not in names:
            problems.append(f"{label}: match={decl.match!r} is not a field")
        for name, kind in decl.fields.items():
            if kind == Purge.BLOB or (kind == Purge.REBUILD and item.model is RoundArchive):
                continue
            if kind == Purge.REBUILD:
                problems.append(f"{label}.{name}: only the archive export is rebuilt")
            elif kind == Purge.FILE and decl.of != "self":
                problems.append(f"{label}.{name}: files are deleted for registrations only")
            elif not (decl.of or decl.match or (decl.round and decl.delete)):
                problems.append(f"{label}.{name}: {kind} needs of= or match=")
        if decl.delete and not (decl.of or decl.round):
            problems.append(f"{label}: deleting rows needs of= or round=")
    return problems
