"""Pricing: what a round charges whom (fee items, quotes, charge-item names).

Sign-up, the public pages and the finance pages all read prices through this module.
"""

from fees.models import FeeItem


def current_charge_item_names(registrations) -> dict[int, str]:
    """Current charge-item names of the fee items the quotes point at (one query)."""
    ids = {
        item["fee_item_id"]
        for registration in registrations
        for item in registration.quoted_charge_items
        if item.get("fee_item_id")
    }
    return dict(FeeItem.objects.filter(pk__in=ids).values_list("pk", "charge_item_name"))
