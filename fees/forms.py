from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from fees.payments import MAX_UPLOAD_BYTES, TOO_LARGE

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


class ManualPaymentForm(forms.Form):
    charge_item_name = forms.ChoiceField(label=_("收费项目"), choices=())
    amount = forms.DecimalField(
        label=_("金额（元）"), min_value=Decimal("0"), max_digits=8, decimal_places=2
    )
    paid_on = forms.DateField(label=_("缴费日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("备注"), max_length=200)

    def __init__(self, *args, registration, **kwargs):
        super().__init__(*args, **kwargs)
        items = registration.quoted_charge_items or []
        self.fields["charge_item_name"].choices = [
            (item["name"], f"{item['name']}（{item['amount']}元）") for item in items
        ]
        if len(items) == 1 and not self.is_bound:
            self.initial.setdefault("amount", Decimal(items[0]["amount"]))


class RefundForm(forms.Form):
    note = forms.CharField(label=_("退费说明"), max_length=200)


class RegistrationNumberForm(forms.Form):
    number = forms.CharField(label=_("报名号"), max_length=24)
