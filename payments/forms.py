from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.money import yuan
from payments.imports import MAX_UPLOAD_BYTES, TOO_LARGE
from registration.ledger.models import PaymentMethod

NOT_XLSX_NAME = _("请上传 .xlsx 格式的文件。")


class PaymentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("财务处缴费名单（.xlsx）"),
        help_text=_("第一行为表头，须含：身份证号或报名号、金额、缴费日期、收费项目。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(TOO_LARGE)
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(NOT_XLSX_NAME)
        return upload


class ImportApplyForm(forms.Form):
    include_mismatched = forms.BooleanField(
        label=_("同时按实收金额入账“金额与应缴不符”的行"), required=False
    )
    include_duplicates = forms.BooleanField(
        label=_("同时入账“文件内重复”的行（确认是另一笔实际付款）"), required=False
    )


def _today_max():
    return {"max": f"{timezone.localdate():%Y-%m-%d}"}


def _date_input():
    # ISO format: a date input cannot show "2027/12/27" (Chromium leaves it blank).
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ManualPaymentForm(forms.Form):
    charge_item_name = forms.ChoiceField(label=_("收费项目"), choices=())
    amount = forms.DecimalField(
        label=_("金额（元）"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2
    )
    paid_on = forms.DateField(label=_("缴费日期"), widget=_date_input())
    method = forms.ChoiceField(label=_("缴费方式"), choices=PaymentMethod.choices)
    note = forms.CharField(
        label=_("备注"),
        max_length=200,
        required=False,
        help_text=_("金额与应缴不符时必填，写明原因（如“分两次缴纳”）。"),
    )
    confirm_mismatch = forms.BooleanField(label=_("金额与应缴不符，确认登记"), required=False)

    def __init__(self, *args, registration, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].widget.attrs.update(_today_max())
        from payments.ledger import item_due

        items = registration.quoted_charge_items or []
        owed = {item["name"]: item_due(registration, item["name"]) for item in items}
        self.fields["charge_item_name"].choices = [
            (
                item["name"],
                f"{item['name']}（{yuan(item['amount'])}元，"
                f"尚欠 {yuan(owed[item['name']], cents=True)}元）",
            )
            for item in items
        ]
        if items and not self.is_bound:
            first_owed = next((name for name in owed if owed[name] > 0), None)
            if first_owed:
                self.initial.setdefault("charge_item_name", first_owed)
                self.initial.setdefault("amount", owed[first_owed])
        if not self.is_bound:
            self.initial.setdefault("paid_on", timezone.localdate())


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("退费金额（元）"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2
    )
    refunded_on = forms.DateField(label=_("退费日期"), widget=_date_input())
    method = forms.ChoiceField(
        label=_("退费方式"), choices=PaymentMethod.choices, initial=PaymentMethod.TRANSFER
    )
    note = forms.CharField(label=_("退费说明"), max_length=200)

    def __init__(self, *args, refundable: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["refunded_on"].widget.attrs.update(_today_max())
        if not self.is_bound:
            self.initial.setdefault("refunded_on", timezone.localdate())
            if refundable:
                self.initial.setdefault("amount", f"{refundable:.2f}")


class RegistrationNumberForm(forms.Form):
    number = forms.CharField(label=_("报名号"), max_length=24)
