"""The retake (补考) sign-up page of a round: ID number, name and the phone of the registration the
offer came from (at least what the lookup page asks), the offered subject, confirm.

Answers are neutral (no offer, wrong name and unknown ID number read the same) and failed tries
are limited per client address and per ID number from that address, as the lookup does.
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fees import pricing
from registration import ratelimits
from registration.forms import LookupForm
from registration.services import retakes
from registration.services.submission import SubmissionError
from registration.views.student import self_service_url
from rounds.models import ExamRound

REGISTERED = _("补考报名成功！请保存本页链接，按页面所示缴纳补考费，并在“补充资料”中上传证件照。")


class RetakeFindForm(LookupForm):
    """The lookup's ID number and phone (of the registration the offer came from), and the name."""

    name = forms.CharField(
        label=_("姓名"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    field_order = ["id_number", "name", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].label = _("上次报名时填写的手机号")


def _offer_rows(offers, chosen: str = ""):
    """One row per offer with its fee item; the chosen (else the first payable) row is checked.

    A row without a fee item cannot be registered, so it is never the checked one.
    """
    rows = []
    for offer in offers:
        item = pricing.retake_fee_item(
            exam_round=offer.exam_round,
            level_code=offer.level.code,
            candidate_type=offer.source_registration.candidate_type,
            subject=offer.subject,
        )
        rows.append({"offer": offer, "fee_item": item, "checked": False})
    payable = [row for row in rows if row["fee_item"] is not None]
    picked = next((row for row in payable if str(row["offer"].pk) == chosen), None)
    if picked is None and payable:
        picked = payable[0]
    if picked is not None:
        picked["checked"] = True
    return rows


@never_cache
@require_http_methods(["GET", "POST"])
def retake_page(request, slug: str):
    exam_round = get_object_or_404(ExamRound, slug=slug)
    if not exam_round.is_published:
        raise Http404
    form = RetakeFindForm(request.POST or None)
    context = {
        "round": exam_round,
        "exam_round": exam_round,  # base.html's consultation footer
        "form": form,
        "is_open": exam_round.is_open(),
        "rows": [],
        "can_confirm": False,
    }
    status = 200
    if request.method == "POST" and form.is_valid():
        id_number = form.cleaned_data["id_number"]
        if ratelimits.lookup_refused(request, scope="retake", id_number=id_number):
            form.add_error(None, ratelimits.LOOKUP_RATE_LIMITED)
            return render(request, "registration/student/retake.html", context, status=429)
        offers = retakes.retake_offers_find(
            exam_round=exam_round,
            id_number=form.cleaned_data["id_number"],
            name=form.cleaned_data["name"],
            phone=form.cleaned_data["phone"],
        )
        if not offers:
            ratelimits.lookup_failure_count(request, scope="retake", id_number=id_number)
            form.add_error(None, retakes.OFFER_NOT_FOUND)
            return render(request, "registration/student/retake.html", context, status=200)
        chosen = request.POST.get("offer", "")
        context["rows"] = rows = _offer_rows(offers, chosen)
        payable = [row["offer"] for row in rows if row["fee_item"] is not None]
        context["can_confirm"] = bool(payable) and context["is_open"]
        if request.POST.get("action") == "confirm":
            offer = next((o for o in payable if str(o.pk) == chosen), None)
            if offer is None:
                form.add_error(None, _("请确认要报名的补考科目。"))
                status = 400
            else:
                try:
                    registration = retakes.retake_register(offer=offer)
                except SubmissionError as error:
                    form.add_error(None, error.message)
                    status = 400
                else:
                    messages.success(request, REGISTERED)
                    return redirect(self_service_url(registration))
    elif request.method == "POST":
        status = 400
    return render(request, "registration/student/retake.html", context, status=status)
