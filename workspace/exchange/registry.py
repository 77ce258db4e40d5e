"""The fixed registry of fields an exchange layout may use: a key, a label, a cell kind and a
value function, per layout kind.

A layout stored in the database names fields by key only; what a key means lives here, in code,
so an admin can rename, reorder, drop or repeat columns but never make a column compute something
new. Apps above `workspace` (results) add their own fields from `AppConfig.ready()`; this module
never imports them, so the layer contract holds.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KIND_CANDIDATES = "candidates"
KIND_SCORES = "scores"
KIND_CERTIFICATES = "certificates"
KINDS = (KIND_CANDIDATES, KIND_SCORES, KIND_CERTIFICATES)


@dataclass(frozen=True)
class ExchangeField:
    """`get(row, context)` gives a cell's value; `cell` is a `common.xlsx.Column` kind.

    Import-only fields (the certificate list mapping) have no `get`: the import reads them.
    """

    key: str
    label: str
    cell: str = "text"
    width: float = 12
    get: Callable[[Any, Any], Any] | None = None


_fields: dict[str, dict[str, ExchangeField]] = {kind: {} for kind in KINDS}


def register(kind: str, field: ExchangeField) -> None:
    """Add a field; registering the same key twice for a kind is a programming error."""
    fields = _fields[kind]
    if field.key in fields and fields[field.key] != field:
        raise ValueError(f"exchange field {kind}.{field.key} registered twice")
    fields[field.key] = field


def fields_of(kind: str) -> dict[str, ExchangeField]:
    return dict(_fields.get(kind, {}))


def field_of(kind: str, key: str) -> ExchangeField | None:
    return _fields.get(kind, {}).get(key)


def choices_of(kind: str | None = None) -> list[tuple[str, str]]:
    kinds = [kind] if kind else list(KINDS)
    return [(f.key, f"{f.label}（{f.key}）") for k in kinds for f in _fields.get(k, {}).values()]


@dataclass
class SheetContext:
    """What value functions share while one sheet is written: the round, the row number."""

    exam_round: Any
    rows: int = 0
    cache: dict = field(default_factory=dict)
    _current: Any = None

    def number_of(self, row) -> int:
        """序号: counts rows, not calls, so a layout may show it twice."""
        if row is not self._current:
            self._current = row
            self.rows += 1
        return self.rows


def sequence_field() -> ExchangeField:
    return ExchangeField("seq", "序号", "int", 6, lambda row, ctx: ctx.number_of(row))
