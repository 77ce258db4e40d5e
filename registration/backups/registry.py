"""Rows a round's backup carries although no foreign key path leads from the round to them.

Everything else is found by following foreign keys from the round (`collect.py`), so an app
added later needs no entry here: its rows point at the round (or at rows that do) and are found.
What cannot be found that way are rows that belong to a *shared* row the round points at: a
class's list of students (`ClassListEntry` points at `SchoolClass`, which many rounds share).
The app that owns such rows registers them in its own `backup_rows.py` (found in every installed
app the way Django's admin finds `admin.py`), so that no central list can miss a new app
(docs/architecture.md, "Apps declare their own data").
"""

from django.db import models
from django.utils.module_loading import autodiscover_modules

# {shared model: [(dependent model, name of its foreign key to the shared model)]}
_REFERENCE_ROWS: dict[type[models.Model], list[tuple[type[models.Model], str]]] = {}


def register_reference_rows(*, shared: type[models.Model], rows: type[models.Model], field: str):
    """A backup that refers to a `shared` row also carries the `rows` whose `field` points at it.

    They are restored like every reference: created when missing, never overwriting a row.
    """
    entry = (rows, field)
    if entry not in _REFERENCE_ROWS.setdefault(shared, []):
        _REFERENCE_ROWS[shared].append(entry)


_discovered = False


def reference_rows(shared: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    global _discovered
    if not _discovered:
        autodiscover_modules("backup_rows")
        _discovered = True
    return list(_REFERENCE_ROWS.get(shared, ()))
