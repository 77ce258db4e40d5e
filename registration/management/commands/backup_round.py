"""Back up one exam round to a JSON file: `manage.py backup_round <slug> -o round.json.gz`.

The file holds the round and everything that belongs to it, found by following every relation
that points at the round, recursively: fees, eligibility conditions, training modules and topics,
registrations, payments, and whatever is added later. Objects those rows refer to but that are
shared with other rounds (skill levels, majors, classes, staff accounts, payment imports) are
stored beside them as references; a restore creates a reference only when it is missing, and never
changes an existing one. Staff accounts are stored by name only, never with a password hash.

Primary keys are kept, so the restored round is the same rows: the self-service links students
saved keep working and the counselor export of the restored round is byte for byte the same.
Change history (simple_history tables) is not part of a round backup; the nightly pg_dump keeps it.
Candidate photos (证件照 files in the `photos` storage) are in the file too, base64 under
"photos" keyed by their storage name; a restore writes them back under the same names.
This is a logical, per-round backup beside the database backups in docs/deployment.md.
"""

import base64
import datetime as dt
import gzip
import json
import sys
from collections import defaultdict, deque
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError

from registration.models import Registration
from registration.photos import photo_bytes
from rounds.models import ExamRound

FORMAT = "kaowutong-round-backup"
VERSION = 1
USER_FIELDS = ("username", "first_name", "last_name")


def _label(model) -> str:
    return model._meta.label_lower


def _child_relations(model):
    """Relations from other models that point at `model` (not hidden ones like history)."""
    for relation in model._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            yield relation


def round_collect(exam_round: ExamRound) -> tuple[dict, dict]:
    """(children, references): {model: {pk: instance}} for the round and what it points at."""
    children: dict = defaultdict(dict)
    children[ExamRound][exam_round.pk] = exam_round
    queue = deque([(ExamRound, [exam_round.pk])])
    while queue:
        model, pks = queue.popleft()
        for relation in _child_relations(model):
            related = relation.related_model
            found = related._default_manager.filter(**{f"{relation.field.name}__in": pks})
            new = [obj for obj in found if obj.pk not in children[related]]
            if new:
                for obj in new:
                    children[related][obj.pk] = obj
                queue.append((related, [obj.pk for obj in new]))
    references: dict = defaultdict(dict)
    for model, objects in list(children.items()):
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            target = field.related_model
            if target in children:
                continue
            ids = {getattr(obj, field.attname) for obj in objects.values()} - {None}
            for obj in target._default_manager.filter(pk__in=ids):
                references[target][obj.pk] = obj
    # The round's many-to-many targets (its skill levels) are references too.
    for field in ExamRound._meta.many_to_many:
        for obj in getattr(exam_round, field.name).all():
            references[field.related_model][obj.pk] = obj
    # References of references (a class's major and counselor), one level is all there is.
    for model, objects in list(references.items()):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is not None:
                ids = {getattr(obj, field.attname) for obj in objects.values()} - {None}
                target = field.related_model
                for obj in target._default_manager.filter(pk__in=ids):
                    if obj.pk not in children.get(target, {}):
                        references[target][obj.pk] = obj
    return dict(children), dict(references)


def dependency_order(model_list) -> list:
    """Models ordered so that each comes after the models its foreign keys point at."""
    remaining = list(dict.fromkeys(model_list))
    ordered: list = []
    while remaining:
        for model in remaining:
            targets = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model not in (None, model)
            }
            if not (targets & set(remaining)):
                ordered.append(model)
                remaining.remove(model)
                break
        else:  # a cycle: keep the rest in their given order (constraints are deferred)
            ordered += remaining
            break
    return ordered


def _serialize(model, objects) -> list[dict]:
    ordered = sorted(objects.values(), key=lambda obj: obj.pk)
    fields = USER_FIELDS if model is get_user_model() else None
    return json.loads(serializers.serialize("json", ordered, fields=fields))


def round_backup(exam_round: ExamRound) -> dict:
    children, references = round_collect(exam_round)
    counts = {_label(model): len(objects) for model, objects in children.items()}
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "session": exam_round.slug,
        "counts": counts,
        "references": [
            item
            for model in dependency_order(references)
            for item in _serialize(model, references[model])
        ],
        "objects": [
            item
            for model in dependency_order(children)
            for item in _serialize(model, children[model])
        ],
        "photos": _photos(children.get(Registration, {}).values()),
    }


def _photos(registrations) -> dict[str, str]:
    """{storage name: base64 JPEG} of the round's photos (a missing file is left out)."""
    photos = {}
    for registration in registrations:
        data = photo_bytes(registration.photo)
        if data is not None:
            photos[registration.photo.name] = base64.b64encode(data).decode()
    return photos


def backup_write(data: dict, path: str) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    if path == "-":
        sys.stdout.write(text + "\n")
    elif path.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        Path(path).write_text(text, encoding="utf-8")


def backup_read(path: str) -> dict:
    if path == "-":
        data = json.load(sys.stdin)
    elif path.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    else:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise CommandError(f"{path} is not a {FORMAT} file of version {VERSION}")
    return data


class Command(BaseCommand):
    help = "Back up one exam round (all its registrations, fees, rules, courses) to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the round's 批次代码")
        parser.add_argument(
            "-o", "--output", default="-", help="file to write (.gz compresses; - for stdout)"
        )

    def handle(self, *args, slug, output, **options):
        exam_round = ExamRound.objects.filter(slug=slug).first()
        if exam_round is None:
            raise CommandError(f"No round with slug {slug!r}")
        data = round_backup(exam_round)
        backup_write(data, output)
        if output != "-":
            summary = ", ".join(f"{label}: {n}" for label, n in sorted(data["counts"].items()))
            self.stdout.write(self.style.SUCCESS(f"Backed up {slug} to {output} ({summary})"))
