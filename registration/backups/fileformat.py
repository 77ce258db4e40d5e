"""The backup file: JSON (gzip when the name ends in .gz), with a format version and a checksum.

Version 2 (this one) keeps every time stamp to the microsecond (Django's JSON encoder cuts them to
milliseconds, which is what version 1 files hold), carries many-to-many rows and history rows as
rows of their own (their primary keys kept), every file a row names (photos, the archive export),
the version of the app and the migrations it was written at, and a SHA-256 of its content.
Version 1 files (`backup_round` before this change: no checksum, `photos` instead of `files`)
are read too; `restore.py` maps their old labels and field names.
"""

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import json
import sys
import uuid
from importlib import metadata
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core import serializers
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import FileField
from django.utils.translation import gettext_lazy as _

from registration.backups.collect import Collection
from registration.backups.errors import BackupError
from rounds.models import ExamRound

FORMAT = "kaowutong-round-backup"
VERSION = 2
READABLE_VERSIONS = (1, 2)
# A staff account is carried by name only: never its password hash, groups or flags.
USER_FIELDS = ("username", "first_name", "last_name", "date_joined")

NOT_A_BACKUP = _("%(path)s 不是考务通的批次备份文件 / not a round backup file.")
UNKNOWN_VERSION = _(
    "备份文件格式版本 %(version)s 无法识别（本程序可读 %(readable)s）/ "
    "unknown backup format version %(version)s."
)
BAD_CHECKSUM = _(
    "备份文件校验和不符：文件已损坏或被修改，未恢复任何数据 / "
    "checksum mismatch: the file is damaged or was edited; nothing was restored."
)


def app_version() -> str:
    try:
        return metadata.version("kaowutong")
    except metadata.PackageNotFoundError:
        return "unknown"


def _encode(value):
    """Full precision: datetimes keep their microseconds, decimals their digits."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"Cannot write {type(value).__name__} to a backup")


def checksum(data: dict) -> str:
    """SHA-256 of the canonical JSON of everything but the checksum (keys sorted, no spaces).

    Hashed chunk by chunk: a round's file is hundreds of MB with its photos, and one string of
    it would double the memory a backup or a restore needs.
    """
    body = {key: value for key, value in data.items() if key != "checksum"}
    encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256()
    for chunk in encoder.iterencode(body):
        digest.update(chunk.encode())
    return digest.hexdigest()


def _serialize(model, objects: dict) -> list[dict]:
    ordered = [objects[pk] for pk in sorted(objects)]
    fields = USER_FIELDS if model is get_user_model() else None
    items = serializers.serialize("python", ordered, fields=fields)
    # Many-to-many rows travel as rows of their own (with their primary keys).
    m2m = {f.name for f in model._meta.local_many_to_many}
    out = []
    for item in items:
        item["fields"] = {k: v for k, v in item["fields"].items() if k not in m2m}
        out.append(item)
    # Through the encoder now, so that the checksum is of exactly what is written.
    return json.loads(json.dumps(out, default=_encode, ensure_ascii=False))


def _files(collection: Collection) -> tuple[dict[str, dict[str, str]], list[str]]:
    """({"app.model.field": {storage name: base64}}, [names that were missing])."""
    files: dict[str, dict[str, str]] = {}
    missing: list[str] = []
    for model, objects in collection.children.items():
        for field in model._meta.concrete_fields:
            if not isinstance(field, FileField):
                continue
            key = f"{model._meta.label_lower}.{field.name}"
            for obj in objects.values():
                name = getattr(obj, field.attname).name
                if not name:
                    continue
                try:
                    with field.storage.open(name, "rb") as handle:
                        data = handle.read()
                except (FileNotFoundError, OSError):
                    missing.append(name)
                    continue
                files.setdefault(key, {})[name] = base64.b64encode(data).decode()
    return files, missing


def _schema() -> dict[str, str]:
    """The last applied migration of each app: what the file's rows look like."""
    applied = MigrationRecorder(connection).applied_migrations()
    latest: dict[str, str] = {}
    for app, name in sorted(applied):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def round_backup(exam_round: ExamRound, collection: Collection) -> dict:
    children, references = collection.children, collection.references
    files, missing = _files(collection)
    data = {
        "format": FORMAT,
        "version": VERSION,
        "app_version": app_version(),
        "schema": _schema(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "session": exam_round.slug,  # the published key name (docs/architecture.md)
        "counts": {m._meta.label_lower: len(children[m]) for m in children},
        "reference_counts": {m._meta.label_lower: len(references[m]) for m in references},
        "references": [
            item
            for m in collection.models()
            if m in references
            for item in _serialize(m, references[m])
        ],
        "objects": [
            item
            for m in collection.models()
            if m in children
            for item in _serialize(m, children[m])
        ],
        "files": files,
        "missing_files": missing,
    }
    data["checksum"] = checksum(data)
    return data


def backup_write(data: dict, path: str) -> None:
    """Write the file in chunks (json.dump streams); keys in their own order, so that a JSON
    column's text comes back exactly as it was stored."""

    def dump(handle):
        json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))

    if path == "-":
        dump(sys.stdout)
        sys.stdout.write("\n")
    elif path.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as handle:
            dump(handle)
    else:
        with open(path, "w", encoding="utf-8") as handle:
            dump(handle)


def backup_read(path: str) -> dict:
    """The file's content, checked: format, a readable version and (from version 2) checksum."""
    try:
        if path == "-":
            data = json.load(sys.stdin)
        elif path.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                data = json.load(handle)
        else:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, EOFError) as error:
        raise BackupError(NOT_A_BACKUP % {"path": path}) from error
    return backup_check(data, path=path)


def backup_check(data, *, path: str = "") -> dict:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(NOT_A_BACKUP % {"path": path})
    version = data.get("version")
    if version not in READABLE_VERSIONS:
        raise BackupError(
            UNKNOWN_VERSION
            % {"version": version, "readable": ", ".join(map(str, READABLE_VERSIONS))}
        )
    if version >= 2 and data.get("checksum") != checksum(data):
        raise BackupError(BAD_CHECKSUM)
    return data
