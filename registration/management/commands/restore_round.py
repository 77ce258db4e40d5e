"""Restore a round from a backup_round file: `manage.py restore_round round.json.gz [--replace]`.

Everything happens in one transaction: either the whole round is back, or nothing changed.
Without --replace, a round whose slug or primary key already exists is refused. With --replace,
the existing round and everything that belongs to it (found the same way the backup finds it)
is deleted first, then the backup is loaded. Shared references (levels, majors, classes, staff
accounts, payment imports) are created only when missing; a restored staff account has no
usable password and is inactive until an administrator sets one.
"""

import base64
import json

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction

from common import content_cache
from registration.management.commands.backup_round import (
    backup_read,
    dependency_order,
    round_collect,
)
from registration.photos import photo_storage
from rounds.models import ExamRound


def round_delete(exam_round: ExamRound) -> dict[str, int]:
    """Delete a round and everything that belongs to it, dependants first."""
    children, _references = round_collect(exam_round)
    deleted = {}
    for model in reversed(dependency_order(children)):
        pks = list(children[model])
        deleted[model._meta.label_lower] = len(pks)
        model._default_manager.filter(pk__in=pks).delete()
    return deleted


# Backups written before the round kernel moved out of `registration` name its models by their
# old labels; the tables and fields are the same, so only the label changes.
LEGACY_LABELS = {
    "registration.examsession": "rounds.examround",
    "registration.skilllevel": "rounds.skilllevel",
    "registration.major": "rounds.major",
    "registration.schoolclass": "rounds.schoolclass",
    # Likewise the training enrollments and roll calls (moved from `courses`) and the payment
    # ledger (moved from `fees`): see docs/architecture.md.
    "courses.trainingenrollment": "registration.trainingenrollment",
    "courses.attendance": "registration.attendance",
    "fees.payment": "registration.payment",
    "fees.paymentimport": "registration.paymentimport",
}


# Backups written before the round foreign keys were renamed call them `session`; the column is
# the same (`session_id`), so only the field name in the file changes.
LEGACY_FIELDS = {"session": "round"}


def _current_fields(fields: dict) -> dict:
    return {LEGACY_FIELDS.get(name, name): value for name, value in fields.items()}


def _current_labels(items: list[dict]) -> list[dict]:
    return [
        {
            **item,
            "model": LEGACY_LABELS.get(item["model"], item["model"]),
            "fields": _current_fields(item.get("fields", {})),
        }
        for item in items
    ]


def _deserialize(items: list[dict]):
    return serializers.deserialize("json", _json(_current_labels(items)), ignorenonexistent=True)


def _json(items: list[dict]) -> str:
    return json.dumps(items, ensure_ascii=False)


def _reference_save(deserialized) -> bool:
    """Create a shared object if its primary key is free; never touch an existing one."""
    obj = deserialized.object
    model = type(obj)
    if model._default_manager.filter(pk=obj.pk).exists():
        return False
    if model is get_user_model():
        obj.set_unusable_password()
        obj.is_active = False
    deserialized.save()
    return True


@transaction.atomic
def round_restore(data: dict, *, replace: bool = False) -> dict[str, int]:
    slug = data["session"]
    session_item = next(
        i for i in _current_labels(data["objects"]) if i["model"] == "rounds.examround"
    )
    existing = ExamRound.objects.filter(slug=slug) | ExamRound.objects.filter(pk=session_item["pk"])
    for exam_round in existing.distinct():
        if not replace:
            raise CommandError(
                f"Round {exam_round.slug!r} (id {exam_round.pk}) exists: "
                "use --replace to overwrite it"
            )
        round_delete(exam_round)
    created_references = sum(_reference_save(d) for d in _deserialize(data["references"]))
    restored: dict[str, int] = {"references created": created_references}
    models = set()
    for deserialized in _deserialize(data["objects"]):
        deserialized.save()
        model = type(deserialized.object)
        models.add(model)
        label = model._meta.label_lower
        restored[label] = restored.get(label, 0) + 1
    # New rows must not collide with restored primary keys (PostgreSQL sequences).
    reference_models = {apps.get_model(i["model"]) for i in _current_labels(data["references"])}
    statements = connection.ops.sequence_reset_sql(no_style(), list(models | reference_models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    expected: dict[str, int] = {}
    for label, n in data["counts"].items():
        label = LEGACY_LABELS.get(label, label)
        expected[label] = expected.get(label, 0) + n
    got = {label: restored.get(label, 0) for label in expected}
    if got != expected:
        raise CommandError(f"Restored counts {got} differ from the backup's {expected}")
    restored["photos"] = _photos_restore(data.get("photos") or {})
    # Deserialised rows are saved raw, which sends no content signal: the restored round, fees
    # and rules must still replace whatever the caches hold (common.content_cache).
    transaction.on_commit(content_cache.bump)
    return restored


def _photos_restore(photos: dict[str, str]) -> int:
    """Write the backup's photos back under their own names (the rows point at those names).

    Files are not part of the database transaction: a restore that fails after this leaves the
    photo files behind, which is harmless (they are found again by name on the next restore).
    """
    storage = photo_storage()
    for name, encoded in photos.items():
        if not name.startswith("photos/") or ".." in name:
            raise CommandError(f"Refusing a photo outside the photo folder: {name!r}")
        data = base64.b64decode(encoded)
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(data))
        if saved != name:
            raise CommandError(f"Photo {name!r} was stored as {saved!r}")
    return len(photos)


class Command(BaseCommand):
    help = "Restore an exam round from a backup_round file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file (.json or .json.gz; - for stdin)")
        parser.add_argument(
            "--replace", action="store_true", help="delete the existing round with that slug first"
        )

    def handle(self, *args, path, replace, **options):
        data = backup_read(path)
        restored = round_restore(data, replace=replace)
        summary = ", ".join(f"{label}: {n}" for label, n in sorted(restored.items()))
        self.stdout.write(self.style.SUCCESS(f"Restored round {data['session']} ({summary})"))
