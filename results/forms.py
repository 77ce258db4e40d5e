from django import forms
from django.utils.translation import gettext_lazy as _

from exams.models import Subject
from payments.forms import PaymentUploadForm
from results.models import Outcome, ReviewRequestStatus


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
    revoke_reason = forms.CharField(
        label=_("撤销证书原因"),
        max_length=200,
        required=False,
        help_text=_("更正后考生不再合格而已登记证书时必填：证书将在同一步撤销。"),
    )


class ReviewRequestForm(forms.Form):
    subject = forms.ChoiceField(label=_("申请复核的科目"), choices=Subject.choices)
    reason = forms.CharField(
        label=_("申请理由"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 200}),
    )


class ReviewDecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("复核结果"),
        choices=[
            (ReviewRequestStatus.UNCHANGED, _("复核后成绩不变")),
            (ReviewRequestStatus.CORRECTED, _("已通过成绩更正处理")),
        ],
    )
    answer = forms.CharField(label=_("答复考生"), max_length=200)


class CollectionDateForm(forms.Form):
    collected_on = forms.DateField(
        label=_("领取日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=_("留空表示未领取。"),
    )
    reason = forms.CharField(label=_("更正原因"), max_length=100)


class ScoreUploadForm(PaymentUploadForm):
    file = forms.FileField(
        label=_("成绩表（.xlsx）"),
        help_text=_("第一行为表头，须含：准考证号或身份证号、成绩；可选“备注”列（缺考、违纪）。"),
    )
