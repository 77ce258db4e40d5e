"""What each app declares about its own data, read by the lower apps that need to know.

A lower app must not list a higher app's models: the page cache (`common.content_cache`) needs
to know which models are content, the roles (`accounts.roles`) which permissions a role gets, and
the purge (`archive.purge`) which fields hold personal data and how each goes. Each app says so
itself, in a `data.py` module named by its AppConfig (``declarations = "<app>.data"``), whose
``DATA`` is an :class:`AppData`. This module reads them; it imports no app.

`tests/test_declarations.py` fails when a field of any project model (history models included)
looks personal (:func:`looks_personal`) and is neither declared personal nor declared not
personal with a reason, and when a model is neither content nor transactional.
docs/architecture.md ("How to add a personal-data field") shows how to declare one.
"""

import enum
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module


class Purge(enum.StrEnum):
    """How a personal field goes when its round is purged (archive.purge applies it)."""

    # The candidate's identity, kept while their certificate must stay verifiable:
    ID_NUMBER = "id_number"  # replaced by ANON + the row's id; scrubbed from blobs too
    NAME = "name"  # masked (张*); a blob value equal to it is masked too
    STUDENT_NUMBER = "student_number"  # cleared (or ANON + row id where it may not be empty)
    BIRTH_DATE = "birth_date"  # 1 January of the birth year
    # Always removed:
    PHONE = "phone"  # cleared; scrubbed from blobs too
    CLEAR = "clear"  # free text cleared ("")
    REDACT = "redact"  # free text replaced by ［已清理］ (that there was text stays)
    FILE = "file"  # the file is deleted after the commit, the field cleared
    BLOB = "blob"  # text or JSON: the purged values above replaced inside it
    DELETE_ROW = "delete_row"  # the whole row (and its history) is deleted
    REBUILD = "rebuild"  # a derived file rebuilt from the anonymised data (archive export)


IDENTITY = frozenset({Purge.ID_NUMBER, Purge.NAME, Purge.STUDENT_NUMBER, Purge.BIRTH_DATE})


@dataclass(frozen=True)
class Personal:
    """The personal fields of one model and which rows of it a round's purge reaches.

    - ``of``: the lookup from this model to the candidate's registration (``"registration"``,
      ``"seat__registration"``), ``"self"`` for the registration itself; the rows of the purged
      round's candidates are purged.
    - ``match``: a field holding an ID number; rows holding a purged candidate's ID number are
      purged (class-list entries: the roster of a class names the candidate by ID number).
    - neither (BLOB fields only): every row of the table is scrubbed of the purged values;
      ``round``: the lookup to the round, whose rows are scrubbed of *all* its candidates'
      values, also of those still needed elsewhere (a score sheet is the round's own record).
    - ``needed``: filter (field lookups) of rows whose ID numbers are still needed and stay.
    - ``then``: values set on every purged row (a class-list entry is deactivated).
    - ``delete``: the rows are deleted (their history too) instead of having fields purged.
    """

    model: str
    fields: dict[str, Purge] = field(default_factory=dict)
    of: str = ""
    match: str = ""
    round: str = ""
    needed: dict = field(default_factory=dict)
    then: dict = field(default_factory=dict)
    delete: bool = False


@dataclass(frozen=True)
class NotPersonal:
    """Fields that look personal and are not, with the reason (read in review)."""

    model: str
    fields: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class AppData:
    """Everything one app declares. Model names are the app's own, without the app label."""

    # Models shown on cached public pages: saving one bumps the page cache's generation.
    content_models: tuple[str, ...] = ()
    # Models no cached page shows (written by sign-ups and staff work).
    transactional_models: tuple[str, ...] = ()
    personal: tuple[Personal, ...] = ()
    not_personal: tuple[NotPersonal, ...] = ()
    # Role (group name, accounts.roles) -> permissions ("app_label.codename") the role needs for
    # this app's pages; accounts.roles.group_permissions() adds them to its own.
    permissions: dict[str, tuple[str, ...]] = field(default_factory=dict)


# Fields of every history model (django-simple-history): who and why, written by code.
HISTORY_FIELDS = frozenset(
    {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
)

_PERSONAL_WORDS = re.compile(
    r"(^|_)(name|names|id_number|idcard|phone|mobile|tel|email|address|photo|avatar|image|"
    r"picture|birth|birthday|student_number|work_unit|note|reason|rows|problems|comment|"
    r"message|remark|wechat|qq|contact|body)(_|$)"
)
_BLOB_TYPES = ("TextField", "JSONField", "FileField", "ImageField", "BinaryField")


def looks_personal(model_field) -> bool:
    """A field whose name says it may hold personal data, or free text, JSON or a file."""
    if model_field.name in HISTORY_FIELDS:
        return False
    kinds = {cls.__name__ for cls in type(model_field).__mro__}
    return bool(_PERSONAL_WORDS.search(model_field.name)) or bool(kinds & set(_BLOB_TYPES))


def _app_configs():
    from django.apps import apps

    return apps.get_app_configs()


@cache
def declarations() -> dict[str, AppData]:
    """App label -> its AppData, for every installed app whose AppConfig names a module."""
    found = {}
    for config in _app_configs():
        path = getattr(config, "declarations", None)
        if path:
            found[config.label] = import_module(path).DATA
    return found


def _labelled(label: str, names) -> set[str]:
    return {name if "." in name else f"{label}.{name}" for name in names}


def content_models() -> frozenset[str]:
    return frozenset().union(
        *(_labelled(label, d.content_models) for label, d in declarations().items())
    )


def transactional_models() -> frozenset[str]:
    return frozenset().union(
        *(_labelled(label, d.transactional_models) for label, d in declarations().items())
    )


def personal_data() -> list[tuple[str, Personal]]:
    """(``app_label.Model``, declaration) for every declared personal model, in app order."""
    return [
        (f"{label}.{item.model}", item)
        for label, data in declarations().items()
        for item in data.personal
    ]


def not_personal() -> dict[tuple[str, str], str]:
    """(``app_label.Model``, field) -> why it is not personal."""
    return {
        (f"{label}.{item.model}", name): item.why
        for label, data in declarations().items()
        for item in data.not_personal
        for name in item.fields
    }


def role_permissions() -> dict[str, set[str]]:
    """Role -> permissions declared by the apps."""
    found: dict[str, set[str]] = {}
    for data in declarations().values():
        for role, names in data.permissions.items():
            found.setdefault(role, set()).update(names)
    return found


def undeclared_personal_fields(models) -> list[str]:
    """``app.Model.field`` of every field that looks personal and is declared neither way.

    A history model's fields are declared by its model's declaration (the purge handles the
    history rows with the rows they record)."""
    declared = {(label, name) for label, item in personal_data() for name in item.fields} | set(
        not_personal()
    )
    missing = []
    for model in models:
        base = getattr(model, "instance_type", None) or model  # history model -> its model
        label = base._meta.label
        for model_field in model._meta.concrete_fields:
            if model_field.is_relation or not looks_personal(model_field):
                continue
            if (label, model_field.name) not in declared:
                missing.append(f"{model._meta.label}.{model_field.name}")
    return missing
