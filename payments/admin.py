import re
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.admin_scope import UNSCOPED, ScopedAdminMixin
from common.history_admin import ReadOnlyHistoryAdmin
from common.money import yuan
from fees.models import FeeItem
from registration.ledger.models import Payment, PaymentImport
from registration.models import Registration, RegistrationStatus

DEACTIVATE_CONFIRM_REQUIRED = _(
    "有 %(count)d 份有效报名使用此费用项目。如确需停用，请勾选“确认停用”。停用只影响新报名，"
    "已报名者保留原报价。"
)
HOURS_POSITIVE = _("学时须为正整数；不适用时请留空。")
AMOUNT_FORMAT = _("金额须为不带符号的数字，最多两位小数，如 320 或 320.50（不接受“1e3”这类写法）。")
AMOUNT_TOO_HIGH = _("金额不能超过 %(max)s 元；如确需更高，请先调整系统设置 FEE_MAX_AMOUNT。")
AMOUNT_ZERO = _("只有“在校生免费培训”的金额可以为 0 元。")
REASON_REQUIRED = _("修改已有费用项目须填写修改原因（将显示在修改历史中）。")
_AMOUNT_TEXT = re.compile(r"^\d{1,8}(\.\d{1,2})?$")


def _open_registrations(item: FeeItem):
    return Registration.objects.filter(status=RegistrationStatus.ACTIVE).filter(
        Q(registration_fee_item=item) | Q(training_fee_item=item)
    )


class FeeItemAdminForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("修改原因"),
        max_length=100,
        required=False,
        help_text=_("修改已有费用项目时必填，例如“物价局核定新标准”。"),
    )
    confirm_deactivate = forms.BooleanField(
        label=_("确认停用"),
        required=False,
        help_text=_("停用一个已有报名使用的费用项目时须勾选。"),
    )

    class Meta:
        model = FeeItem
        fields = [
            "round",
            "level",
            "candidate_type",
            "kind",
            "training_option",
            "amount",
            "class_hours",
            "description",
            "charge_item_name",
            "order",
            "is_active",
        ]

    def save(self, commit=True):
        # django-simple-history stores this on the history row ("修改原因"), for the fee page
        # and the round's inline alike.
        self.instance._change_reason = (
            self.cleaned_data.get("change_reason") or ""
        ).strip() or None
        return super().save(commit=commit)

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        raw = str(self.data.get(self.add_prefix("amount"), "")).strip()
        if amount is None:
            return amount
        if raw and not _AMOUNT_TEXT.match(raw):
            raise forms.ValidationError(AMOUNT_FORMAT)
        if amount > settings.FEE_MAX_AMOUNT:
            raise forms.ValidationError(
                AMOUNT_TOO_HIGH % {"max": yuan(settings.FEE_MAX_AMOUNT, cents=True)}
            )
        return amount

    def clean_class_hours(self):
        hours = self.cleaned_data.get("class_hours")
        if hours is not None and hours <= 0:
            raise forms.ValidationError(HOURS_POSITIVE)
        return hours

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        deactivating = instance.pk and instance.is_active and cleaned.get("is_active") is False
        if deactivating and not cleaned.get("confirm_deactivate"):
            count = _open_registrations(instance).count()
            if count:
                self.add_error("is_active", DEACTIVATE_CONFIRM_REQUIRED % {"count": count})
        amount = cleaned.get("amount")
        if amount is not None and amount == 0 and cleaned.get("training_option") != "free":
            self.add_error("amount", AMOUNT_ZERO)
        changed = [name for name in self.changed_data if name != "change_reason"]
        if instance.pk and changed and not (cleaned.get("change_reason") or "").strip():
            self.add_error("change_reason", REASON_REQUIRED)
        return cleaned


def _old_quote_count(relation: str, quoted_field: str):
    """Active registrations on this item whose stored quote differs from the current amount."""
    return Coalesce(
        Subquery(
            Registration.objects.filter(
                **{relation: OuterRef("pk")}, status=RegistrationStatus.ACTIVE
            )
            .exclude(**{quoted_field: OuterRef("amount")})
            .order_by()
            .values(relation)
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        Value(0),
    )


@admin.register(FeeItem)
class FeeItemAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = UNSCOPED
    form = FeeItemAdminForm
    list_display = [
        "round",
        "level",
        "candidate_type",
        "kind",
        "training_option",
        "amount",
        "class_hours",
        "charge_item_name",
        "is_active",
        "old_quotes",
    ]
    list_filter = ["round", "level", "candidate_type", "kind", "training_option", "is_active"]
    search_fields = ["charge_item_name", "description"]
    list_select_related = ["round", "level"]
    fields = [*FeeItemAdminForm.Meta.fields, "confirm_deactivate", "change_reason"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                old_registration_quotes=_old_quote_count(
                    "registration_fee_item", "quoted_registration_fee"
                ),
                old_training_quotes=_old_quote_count("training_fee_item", "quoted_training_fee"),
            )
        )

    @admin.display(description=_("保留旧报价的报名"))
    def old_quotes(self, obj):
        return (getattr(obj, "old_registration_quotes", 0) or 0) + (
            getattr(obj, "old_training_quotes", 0) or 0
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "amount" in form.changed_data:
            active = Registration.objects.filter(status=RegistrationStatus.ACTIVE)
            kept = (
                active.filter(registration_fee_item=obj)
                .exclude(quoted_registration_fee=obj.amount)
                .count()
                + active.filter(training_fee_item=obj)
                .exclude(quoted_training_fee=obj.amount)
                .count()
            )
            self.message_user(
                request,
                _("新金额只适用于此后的报名；已有 %(count)d 份报名保留原报价。") % {"count": kept},
                messages.INFO,
            )


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = ["registration", "kind", "charge_item_name", "amount", "paid_on", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentImport)
class PaymentImportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope = access.ledger_scope
    list_display = ["file_name", "uploaded_by", "uploaded_at", "applied_at", "applied_count"]
    list_filter = ["applied_at"]
    search_fields = ["file_name"]
    readonly_fields = [
        "file_name",
        "file_sha256",
        "uploaded_by",
        "uploaded_at",
        "applied_at",
        "applied_count",
    ]
    exclude = ["rows"]
    inlines = [PaymentInline]

    def has_add_permission(self, request):
        return False  # uploads go through the finance workspace, which previews first

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope = partial(access.registration_scope, path="registration")
    list_display = [
        "registration",
        "kind",
        "charge_item_name",
        "amount",
        "paid_on",
        "method",
        "source",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["kind", "method", "source", "paid_on", "registration__round"]
    search_fields = ["registration__number", "registration__name", "charge_item_name"]
    list_select_related = ["registration", "recorded_by"]
    readonly_fields = [
        "registration",
        "kind",
        "charge_item_name",
        "amount",
        "paid_on",
        "method",
        "source",
        "payment_import",
        "note",
        "recorded_by",
        "recorded_at",
    ]

    def has_add_permission(self, request):
        return False  # payments and refunds are recorded through the finance workspace

    def has_change_permission(self, request, obj=None):
        return False  # the ledger is append-only

    def has_delete_permission(self, request, obj=None):
        return False
