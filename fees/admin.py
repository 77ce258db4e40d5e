from django.contrib import admin

from fees.models import FeeItem


@admin.register(FeeItem)
class FeeItemAdmin(admin.ModelAdmin):
    list_display = [
        "session",
        "level",
        "candidate_type",
        "kind",
        "training_option",
        "amount",
        "class_hours",
        "charge_item_name",
        "is_active",
    ]
    list_filter = ["session", "level", "candidate_type", "kind", "training_option", "is_active"]
    search_fields = ["charge_item_name", "description"]
    list_select_related = ["session", "level"]
