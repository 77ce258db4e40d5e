from django import forms
from django.utils.translation import gettext_lazy as _

from payments.forms import PaymentUploadForm
from results.models import Outcome


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("情况"),
        choices=[(Outcome.SCORED, _("正常")), (Outcome.VIOLATION, _("违纪"))],
    )
    points = forms.CharField(label=_("核定分数"), max_length=10, required=False)
    reason = forms.CharField(label=_("说明"), max_length=100, required=False)


class AmendForm(ResolveForm):
    outcome = forms.ChoiceField(label=_("情况"), choices=Outcome.choices)
    reason = forms.CharField(label=_("修改原因"), max_length=100)


class ScoreUploadForm(PaymentUploadForm):
    file = forms.FileField(
        label=_("成绩表（.xlsx）"),
        help_text=_("第一行为表头，须含：准考证号或身份证号、成绩；可选“备注”列（缺考、违纪）。"),
    )
