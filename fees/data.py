"""What `fees` declares about its data (common.appdata; docs/architecture.md)."""

from common.appdata import AppData, NotPersonal

DATA = AppData(
    content_models=("FeeItem",),
    not_personal=(NotPersonal("FeeItem", ("charge_item_name",), "a published charge item"),),
)
