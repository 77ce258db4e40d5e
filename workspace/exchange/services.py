"""Writes to exchange layouts: copy one (per province), make one the default of its kind."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from workspace.models import ExchangeColumn, ExchangeLayout

NAME_TAKEN = _("已有同名模板“{name}”，请换一个名称。")
NAME_REQUIRED = _("请填写模板名称。")


class LayoutError(DomainError):
    pass


def free_copy_name(layout: ExchangeLayout) -> str:
    """“<name>（副本）”, then “（副本2）” … : a name no layout of the kind has yet."""
    base = f"{layout.name}（副本）"
    name, counter = base, 1
    while ExchangeLayout.objects.filter(kind=layout.kind, name=name).exists():
        counter += 1
        name = f"{layout.name}（副本{counter}）"
    return name[:80]


@transaction.atomic
def layout_copy(
    *, layout: ExchangeLayout, name: str | None = None, province: str = "", user=None
) -> ExchangeLayout:
    """A new, non-default layout with the same columns; the original is not changed."""
    name = (name if name is not None else free_copy_name(layout)).strip()
    if not name:
        raise LayoutError(NAME_REQUIRED, field="name")
    if ExchangeLayout.objects.filter(kind=layout.kind, name=name).exists():
        raise LayoutError(NAME_TAKEN.format(name=name), field="name")
    copy = ExchangeLayout(
        kind=layout.kind,
        name=name,
        province=province.strip() or layout.province,
        source=layout.source,
        is_default=False,
        copied_from=layout,
    )
    copy._history_user = user
    copy._change_reason = f"copied from #{layout.pk}"
    try:
        copy.full_clean()
    except ValidationError as error:
        raise LayoutError("；".join(error.messages)) from None
    copy.save()
    for column in layout.columns.all():
        new = ExchangeColumn(
            layout=copy,
            position=column.position,
            header=column.header,
            field_key=column.field_key,
            width=column.width,
        )
        new._history_user = user
        new.full_clean()
        new.save()
    return copy


@transaction.atomic
def layout_make_default(*, layout: ExchangeLayout, user=None) -> ExchangeLayout:
    """The layout becomes its kind's default; the previous default stops being one."""
    for other in ExchangeLayout.objects.select_for_update().filter(
        kind=layout.kind, is_default=True
    ):
        if other.pk == layout.pk:
            return layout
        other.is_default = False
        other._history_user = user
        other.save()
    layout.is_default = True
    layout._history_user = user
    layout.save()
    return layout
