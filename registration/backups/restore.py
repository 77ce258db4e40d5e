"""Restore a round from its backup: all or nothing, beside other rounds or into an empty database.

Rows keep their primary keys (students' self-service links carry them). A row of the round that
already exists is skipped when it is identical to the file's (a retake offer restored with the
other round, a row restored twice) and is a clash otherwise: the restore refuses and names the
rows, unless `replace` deletes the existing round first. References (rows of shared tables or of
other rounds) are created when missing and never changed; one whose primary key holds a
different row (another user name, level code, round slug) is a clash too. Rows are inserted raw,
model by model in foreign-key order, so time stamps are the file's and no history row or
signal is produced; foreign keys are checked before the end of the transaction, the counts
compared with the file's, then the files written. A dry run does all of this, reports and rolls
back.
"""

import base64
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import FileField, ProtectedError
from django.utils.translation import gettext_lazy as _

from common import content_cache
from registration.backups.collect import dependency_order, round_collect
from registration.backups.errors import BackupError
from registration.backups.fileformat import backup_check
from rounds.models import ExamRound

# Backups written before the round kernel moved out of `registration` name its models by their
# old labels; the tables and fields are the same, so only the label changes. Likewise the
# training enrollments and roll calls (moved from `courses`) and the payment ledger (moved from
# `fees`): see docs/architecture.md.
LEGACY_LABELS = {
    "registration.examsession": "rounds.examround",
    "registration.skilllevel": "rounds.skilllevel",
    "registration.major": "rounds.major",
    "registration.schoolclass": "rounds.schoolclass",
    "courses.trainingenrollment": "registration.trainingenrollment",
    "courses.attendance": "registration.attendance",
    "fees.payment": "registration.payment",
    "fees.paymentimport": "registration.paymentimport",
}
# Backups written before the round foreign keys were renamed call them `session`; the column is
# the same (`session_id`), so only the field name in the file changes.
LEGACY_FIELDS = {"session": "round"}
MAX_NAMED = 10  # rows named in a clash message

ROUND_EXISTS = _(
    "批次“%(slug)s”（id %(pk)s）已存在且与备份不同，未恢复任何数据；"
    "如确需用备份覆盖，请加 --replace。"
    " / Round %(slug)r (id %(pk)s) exists and differs from the backup; nothing was restored: "
    "use --replace to overwrite it."
)
ROWS_CLASH = _(
    "数据库中已有 %(count)s 行与备份冲突（主键相同而内容不同，或主键被其他对象占用），"
    "未恢复任何数据：%(rows)s。请恢复到空数据库，或加 --replace 覆盖本批次。"
    " / %(count)s rows clash with the backup (same primary key, other content); nothing was "
    "restored: %(rows)s."
)
DATABASE_REFUSED = _(
    "数据库拒绝了恢复（%(error)s），未恢复任何数据。 / The database refused the restore "
    "(%(error)s); nothing was restored."
)
COUNTS_DIFFER = _(
    "恢复的行数与备份记录的不一致（%(got)s ≠ %(expected)s），未恢复任何数据。"
    " / Restored counts %(got)s differ from the backup's %(expected)s; nothing was restored."
)
NEWER_SCHEMA = _(
    "备份来自更新的程序版本（%(app)s 迁移 %(name)s 在本程序中不存在），请先升级本程序。"
    " / The backup was written by a newer release (%(app)s migration %(name)s is unknown)."
)
BAD_FILE_NAME = _("备份中的文件名不合法：%(name)s / Refusing a file name: %(name)s")
DELETE_REFUSED = _("无法删除现有批次：%(error)s / The existing round cannot be deleted: %(error)s")


@dataclass
class RestoreReport:
    slug: str
    dry_run: bool = False
    created: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    references_created: dict[str, int] = field(default_factory=dict)
    references_present: int = 0
    deleted: dict[str, int] = field(default_factory=dict)
    files: int = 0

    def lines(self) -> list[str]:
        out = []
        if self.deleted:
            out.append(f"deleted first (--replace): {sum(self.deleted.values())} rows")
        for title, counts in (
            ("created", self.created),
            ("already present, identical", self.present),
            ("references created", self.references_created),
        ):
            if counts:
                parts = ", ".join(f"{label} {n}" for label, n in sorted(counts.items()))
                out.append(f"{title}: {parts}")
        out.append(f"references already present: {self.references_present}")
        out.append(f"files: {self.files}")
        return out


class _DryRun(Exception):
    def __init__(self, report):
        self.report = report


def _current(items: list[dict]) -> list[dict]:
    return [
        {
            **item,
            "model": LEGACY_LABELS.get(item["model"], item["model"]),
            "fields": {LEGACY_FIELDS.get(k, k): v for k, v in item.get("fields", {}).items()},
        }
        for item in items
    ]


def _deserialize(items: list[dict]) -> dict:
    """{model: [DeserializedObject]} in file order."""
    out: dict = defaultdict(list)
    for deserialized in serializers.deserialize("python", items, ignorenonexistent=True):
        out[type(deserialized.object)].append(deserialized)
    return out


def _values(obj) -> tuple:
    return tuple(f.value_from_object(obj) for f in type(obj)._meta.concrete_fields)


def _identity_fields(model) -> list[models.Field]:
    """Fields that say which thing a row is: unique ones and unconditional unique constraints."""
    names = [f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None:
            names += list(constraint.fields)
    for together in model._meta.unique_together:
        names += list(together)
    return [model._meta.get_field(name) for name in dict.fromkeys(names)]


def _existing(model, pks) -> dict:
    found = {}
    pks = list(pks)
    for start in range(0, len(pks), 1000):
        for obj in model._base_manager.filter(pk__in=pks[start : start + 1000]):
            found[obj.pk] = obj
    return found


def _check_schema(data: dict) -> None:
    known = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
    installed = {config.label for config in apps.get_app_configs()}
    for app, name in sorted((data.get("schema") or {}).items()):
        if app in installed and (app, name) not in known:
            raise BackupError(NEWER_SCHEMA % {"app": app, "name": name})


def round_delete(exam_round: ExamRound) -> dict[str, int]:
    """Delete a round and everything that belongs to it (history included), dependants first."""
    children = round_collect(exam_round).children
    deleted = {}
    try:
        for model in reversed(dependency_order(children)):
            pks = list(children[model])
            deleted[model._meta.label_lower] = len(pks)
            for start in range(0, len(pks), 1000):
                model._base_manager.filter(pk__in=pks[start : start + 1000]).delete()
    except ProtectedError as error:
        raise BackupError(DELETE_REFUSED % {"error": error.args[0]}) from error
    return deleted


def _insert(model, objects: list) -> None:
    """Insert rows as they are (raw: auto_now fields keep the file's time stamps)."""
    if not objects:
        return
    fields = list(model._meta.local_concrete_fields)
    batch = max(1, connection.ops.bulk_batch_size(fields, objects))
    for start in range(0, len(objects), batch):
        model._base_manager._insert(objects[start : start + batch], fields=fields, raw=True)


def _legacy_m2m(deserialized_by_model: dict) -> dict:
    """Version 1 files list many-to-many targets inside the row: make them through rows."""
    through_rows: dict = defaultdict(list)
    for model, items in deserialized_by_model.items():
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            for item in items:
                for target_pk in (item.m2m_data or {}).get(m2m.name, []):
                    through_rows[through].append(
                        through(**{f"{source}_id": item.object.pk, f"{target}_id": target_pk})
                    )
    return through_rows


def _plan(model, deserialized: list, *, reference: bool, clashes: list) -> tuple[list, int]:
    """(objects to insert, number already present) for one model's rows of the file."""
    objects = [d.object for d in deserialized]
    existing = _existing(model, [o.pk for o in objects])
    identity = _identity_fields(model) if reference else None
    new, present = [], 0
    for obj in objects:
        current = existing.get(obj.pk)
        if current is None:
            new.append(obj)
        elif reference:
            if any(f.value_from_object(obj) != f.value_from_object(current) for f in identity):
                clashes.append(f"{model._meta.label_lower} {obj.pk}")
            else:
                present += 1
        elif _values(obj) == _values(current):
            present += 1
        else:
            clashes.append(f"{model._meta.label_lower} {obj.pk}")
    # A unique value held by another primary key (a round slug, a user name) is a clash too.
    for f in _identity_fields(model):
        if not new or not f.unique:
            continue
        values = {f.value_from_object(o) for o in new} - {None, ""}
        taken = model._base_manager.filter(**{f"{f.attname}__in": list(values)[:1000]})
        for other in taken.exclude(pk__in=[o.pk for o in new])[:MAX_NAMED]:
            clashes.append(f"{model._meta.label_lower} {f.name}={f.value_from_object(other)}")
    return new, present


def _round_check(data: dict, items: list[dict], replace: bool) -> tuple[ExamRound | None, dict]:
    """The existing round(s) the file's round would clash with; deleted first with `replace`."""
    slug = data["session"]
    item = next(i for i in items if i["model"] == "rounds.examround")
    existing = list(ExamRound.objects.filter(slug=slug) | ExamRound.objects.filter(pk=item["pk"]))
    deleted: dict[str, int] = {}
    for exam_round in existing:
        if replace:
            for label, n in round_delete(exam_round).items():
                deleted[label] = deleted.get(label, 0) + n
        elif exam_round.pk != item["pk"] or exam_round.slug != slug:
            raise BackupError(ROUND_EXISTS % {"slug": exam_round.slug, "pk": exam_round.pk})
    return None, deleted


def _files_restore(data: dict, rows: dict, *, write: bool) -> int:
    """Write the files back under their own names; only names a restored row points at."""
    files = dict(data.get("files") or {})
    if data.get("photos"):  # version 1
        files["registration.registration.photo"] = data["photos"]
    count = 0
    for key, by_name in files.items():
        label, field_name = key.rsplit(".", 1)
        model = apps.get_model(label)
        field_obj = model._meta.get_field(field_name)
        if not isinstance(field_obj, FileField):
            raise BackupError(BAD_FILE_NAME % {"name": key})
        named = {getattr(d.object, field_obj.attname).name for d in rows.get(model, [])}
        for name, encoded in by_name.items():
            if name not in named or name.startswith("/") or ".." in name.split("/"):
                raise BackupError(BAD_FILE_NAME % {"name": name})
            count += 1
            if not write:
                continue
            storage = field_obj.storage
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, ContentFile(base64.b64decode(encoded)))
            if saved != name:
                raise BackupError(BAD_FILE_NAME % {"name": name})
    return count


def round_restore(data: dict, *, replace: bool = False, dry_run: bool = False) -> RestoreReport:
    """Restore the round in `data` (a checked backup) in one transaction; see the module doc."""
    data = backup_check(data)
    _check_schema(data)
    try:
        with transaction.atomic():
            report = _restore(data, replace=replace, dry_run=dry_run)
            if dry_run:
                raise _DryRun(report)
    except _DryRun as rolled_back:
        return rolled_back.report
    except IntegrityError as error:
        raise BackupError(DATABASE_REFUSED % {"error": error}) from error
    # Rows saved raw send no content signal: the restored round, fees and rules must still
    # replace whatever the caches hold (common.content_cache).
    transaction.on_commit(content_cache.bump)
    return report


def _restore(data: dict, *, replace: bool, dry_run: bool) -> RestoreReport:
    items, reference_items = _current(data["objects"]), _current(data["references"])
    report = RestoreReport(slug=data["session"], dry_run=dry_run)
    _, report.deleted = _round_check(data, items, replace)
    rows, references = _deserialize(items), _deserialize(reference_items)
    legacy_through = _legacy_m2m(rows) if data["version"] == 1 else {}
    legacy_ref_through = _legacy_m2m(references) if data["version"] == 1 else {}
    clashes: list[str] = []
    plan = []
    for model in dependency_order([*references, *rows, *legacy_through, *legacy_ref_through]):
        label = model._meta.label_lower
        ref_new, ref_present = _plan(
            model, references.get(model, []), reference=True, clashes=clashes
        )
        new, present = _plan(model, rows.get(model, []), reference=False, clashes=clashes)
        plan.append((model, ref_new, new))
        if ref_new:
            report.references_created[label] = len(ref_new)
        report.references_present += ref_present
        if new:
            report.created[label] = len(new)
        if present:
            report.present[label] = present
    if clashes:
        raise BackupError(
            ROWS_CLASH % {"count": len(clashes), "rows": "; ".join(clashes[:MAX_NAMED])}
        )
    user_model = get_user_model()
    for model, ref_new, new in plan:
        if model is user_model:
            for user in ref_new + new:
                user.set_unusable_password()
                user.is_active = False
        _insert(model, ref_new + new)
    for through, objects in [*legacy_ref_through.items(), *legacy_through.items()]:
        source, target = (f for f in through._meta.fields if f.is_relation)
        pairs = set(through.objects.values_list(source.attname, target.attname))
        missing = [
            o
            for o in objects
            if (getattr(o, source.attname), getattr(o, target.attname)) not in pairs
        ]
        through.objects.bulk_create(missing)
    inserted = [model for model, ref_new, new in plan if ref_new or new]
    statements = connection.ops.sequence_reset_sql(no_style(), inserted)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    # Foreign keys are deferred to the commit: check them now, so that a file with a dangling
    # reference is refused with a message (and a dry run finds it too).
    connection.check_constraints(table_names=[m._meta.db_table for m in inserted])
    _counts_check(data, report)
    report.files = _files_restore(data, rows, write=not dry_run)
    return report


def _counts_check(data: dict, report: RestoreReport) -> None:
    expected: dict[str, int] = {}
    for label, n in data["counts"].items():
        label = LEGACY_LABELS.get(label, label)
        expected[label] = expected.get(label, 0) + n
    got = {label: report.created.get(label, 0) + report.present.get(label, 0) for label in expected}
    if got != expected:
        raise BackupError(COUNTS_DIFFER % {"got": got, "expected": expected})
