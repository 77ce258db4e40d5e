"""社会人员意向登记: a social candidate leaves a name and phone on a round that does not accept
social candidates, to be told when one does (教务 export the list from the workspace)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from common.idcard import phone_normalise
from common.normalize import NameInvalid, name_clean
from common.ratelimit import client_ip, rate_limit_hit
from registration.services.interest import InterestError, social_interest_record
from rounds.selectors import round_current

RECORDED = _("已登记。下一批次开放社会人员报名时，我们会按您留下的手机号通知您。")
TOO_MANY = _("提交过于频繁，请稍后再试。")
INTEREST_LIMIT_PER_IP = 30  # per 10 minutes: a campus NAT, far above one person's retries


class SocialInterestForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=30)
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    level_code = forms.TypedChoiceField(
        label=_("意向等级"), required=False, coerce=int, empty_value=None
    )
    consent = forms.BooleanField(
        label=_("同意学校保存我的姓名和手机号，仅用于通知下一批次社会人员报名（通知后即删除）"),
        error_messages={"required": _("请勾选同意后再提交。")},
    )

    def __init__(self, *args, exam_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level_code"].choices = [("", _("未定"))] + [
            (level.code, level.name) for level in exam_round.levels.all()
        ]

    def clean_name(self):
        try:
            return name_clean(self.cleaned_data["name"])
        except NameInvalid as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_phone(self):
        try:
            return phone_normalise(self.cleaned_data["phone"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


@never_cache
@require_http_methods(["GET", "POST"])
def social_interest(request):
    exam_round = round_current()
    if exam_round is None or exam_round.accepts_social:
        return redirect("registration:social_entry" if exam_round else "registration:home")
    form = SocialInterestForm(request.POST or None, exam_round=exam_round)
    if request.method == "POST":
        if rate_limit_hit(
            scope="social-interest",
            key=client_ip(request),
            limit=INTEREST_LIMIT_PER_IP,
            window_seconds=600,
        ):
            form.add_error(None, TOO_MANY)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                social_interest_record(
                    exam_round=exam_round,
                    name=data["name"],
                    phone=data["phone"],
                    level_code=data["level_code"],
                    consent=data["consent"],
                )
            except InterestError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, RECORDED)
                return redirect("registration:social_interest")
    return render(
        request,
        "registration/student/social_interest.html",
        {"exam_round": exam_round, "form": form},
        status=400 if form.errors else 200,
    )
