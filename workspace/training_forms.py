"""The form of the training pages (workspace/views/training.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ManualCompletionForm(forms.Form):
    reason = forms.CharField(
        label=_("认定理由"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("人工认定结业须填写理由。")},
        help_text=_("例如：已在校外完成同等学时培训并提交证明。将记入历史。"),
    )
    completed_on = forms.DateField(
        label=_("结业日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空为今天。"),
    )
