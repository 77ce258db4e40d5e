"""Turn a stored layout into `common.xlsx.Column`s for a sheet."""

from common.xlsx import Column
from workspace.exchange import defaults, registry
from workspace.models import ExchangeLayout


def layout_of(kind: str, layout_id=None) -> ExchangeLayout | None:
    """The chosen layout of the kind, else the kind's default, else None (the shipped columns)."""
    layouts = ExchangeLayout.objects.of_kind(kind).prefetch_related("columns")
    if layout_id:
        chosen = layouts.filter(pk=layout_id).first()
        if chosen is not None:
            return chosen
    return layouts.filter(is_default=True).first()


def column_specs(kind: str, layout: ExchangeLayout | None) -> list[tuple[str, str, int]]:
    """(header, field key, width) in order: the layout's, or the shipped ones without a layout."""
    if layout is None:
        return list(defaults.DEFAULT_LAYOUTS[kind][2])
    return [(c.header, c.field_key, c.width) for c in layout.columns.all()]


def _blank(_row):
    return None


def sheet_columns(kind: str, layout: ExchangeLayout | None, context) -> list[Column]:
    """One Column per layout column; a key no longer registered gives a blank column (a layout
    saved through the admin cannot hold one: the column's clean() refuses it)."""
    columns = []
    for header, key, width in column_specs(kind, layout):
        field = registry.field_of(kind, key)
        if field is None or field.get is None:
            columns.append(Column(header, width, _blank))
            continue
        get = field.get
        columns.append(Column(header, width, lambda row, get=get: get(row, context), field.cell))
    return columns
