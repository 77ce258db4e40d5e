"""Certificates: the list per class, bulk 领取, the platform list import, manual entry."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.access import access_required
from payments.forms import PaymentUploadForm
from results import certificates, selectors, services
from results.certificates import CertificateError
from results.forms import CollectionDateForm
from results.models import Certificate, Registration, Round
from results.services import ScoreError
from rounds.selectors import round_of_request
from workspace.models import ExchangeLayout, LayoutKind
from workspace.selectors.counselor import classes_visible, registrations_visible

IMPORTED = _("已登记 {created} 张证书，{unchanged} 张已是该编号，{problems} 行未能登记（见下）。")
COLLECTED = _("已登记 {count} 人领取证书。")
SAVED = _("已保存证书编号。")
COLLECTION_CORRECTED = _("已更正领取日期，原因已记录。")
REVOKED = _("已撤销证书 {number}，原因已记录。")
STATES = {
    "missing": _("未登记"),
    "uncollected": _("未领取"),
    "collected": _("已领取"),
    "revoked": _("已撤销"),
    "not_passed": _("成绩不合格但有证书"),
}


class CertificateUploadForm(PaymentUploadForm):
    file = forms.FileField(
        label=_("证书名单（.xlsx）"),
        help_text=_(
            "第一行为表头，须含：身份证号（或证件号码）、证书编号；可选“发证日期”。按身份证号匹配本批次考生；选择了模板时按模板的表头读取。"
        ),
    )
    issued_on = forms.DateField(
        label=_("发证日期（名单中没有时使用）"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    layout = forms.ModelChoiceField(
        label=_("名单模板（表头对应）"),
        queryset=ExchangeLayout.objects.none(),
        required=False,
        empty_label=_("自动识别常见表头"),
        help_text=_("选择模板时，按模板中设定的表头读取各列；模板在后台“数据交换模板”中维护。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layout"].queryset = ExchangeLayout.objects.of_kind(
            LayoutKind.CERTIFICATES
        ).prefetch_related("columns")


class CertificateForm(forms.Form):
    number = forms.CharField(label=_("证书编号"), max_length=60)
    issued_on = forms.DateField(
        label=_("发证日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


def _date_param(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None


@access_required(access.uses_workspace)
@require_http_methods(["GET", "POST"])
def certificate_list(request):
    round = round_of_request(request)
    if round is None:
        return render(request, "exams/staff/empty.html", {"message": _("还没有考试批次。")})
    classes = list(classes_visible(request.user).filter(registrations__round=round).distinct())
    class_id = request.GET.get("class", "")
    chosen_class = next((c for c in classes if str(c.pk) == class_id), None)
    registrations = registrations_visible(request.user).filter(round=round)
    if chosen_class is not None:
        registrations = registrations.filter(school_class=chosen_class)
    report = None
    chosen_layout = request.GET.get("layout", "")
    upload = CertificateUploadForm(
        initial={
            "layout": chosen_layout if chosen_layout.isascii() and chosen_layout.isdigit() else None
        }
    )
    if request.method == "POST":
        access.require(access.is_academic(request.user), access.denied_message(access.is_academic))
        upload = CertificateUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            try:
                report = certificates.certificates_import(
                    round=round,
                    content=upload.cleaned_data["file"].read(),
                    user=request.user,
                    issued_on=upload.cleaned_data["issued_on"],
                    layout=upload.cleaned_data["layout"],
                )
            except CertificateError as error:
                upload.add_error("file", error.message)
            else:
                messages.success(
                    request,
                    IMPORTED.format(
                        created=report.created,
                        unchanged=report.unchanged,
                        problems=len(report.problems),
                    ),
                )
                if not report.problems:
                    return redirect(f"{reverse('results:certificates')}?round={round.slug}")
    # Read after any import above, so the table shows what was just written.
    rows = selectors.certificate_rows(round=round, registrations=registrations)
    state = request.GET.get("state", "")
    counts = selectors.certificate_counts(rows)
    if state in STATES:
        rows = [row for row in rows if row["state"] == state]
    return render(
        request,
        "results/certificates.html",
        {
            "round": round,
            "classes": classes,
            "chosen_class": chosen_class,
            "rows": rows,
            "counts": counts,
            "state": state if state in STATES else "",
            "states": STATES,
            "upload": upload,
            "report": report,
            "today": timezone.localdate(),
            "lookup_url": certificates.CERTIFICATE_LOOKUP_URL,
        },
        status=400 if upload.errors else 200,
    )


@access_required(access.uses_workspace)
@require_POST
def certificates_collect(request):
    raw_round = request.POST.get("round", "")
    round = get_object_or_404(
        Round,
        pk=int(raw_round)
        if raw_round.isascii() and raw_round.isdigit() and len(raw_round) < 10
        else 0,
    )
    ids = [
        v
        for v in request.POST.getlist("certificate")
        if v.isascii() and v.isdigit() and len(v) < 12
    ]
    visible = Certificate.objects.filter(
        pk__in=ids, registration__in=registrations_visible(request.user)
    ).values_list("pk", flat=True)
    try:
        count = certificates.certificates_collect(
            certificates=list(visible),
            collected_on=_date_param(request.POST.get("collected_on", "")),
            user=request.user,
        )
    except CertificateError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, COLLECTED.format(count=count))
    back = f"{reverse('results:certificates')}?round={round.slug}"
    class_id = request.POST.get("class", "")
    if class_id.isascii() and class_id.isdigit() and len(class_id) < 12:
        back += f"&class={class_id}"
    return redirect(back)


@access_required(access.is_academic)
@require_POST
def certificate_collection(request, pk: int):
    """Correct or clear one certificate's 领取 date, with a reason (history)."""
    certificate = get_object_or_404(Certificate.objects.select_related("registration"), pk=pk)
    form = CollectionDateForm(request.POST)
    if form.is_valid():
        try:
            certificates.certificate_collection_correct(
                certificate=certificate,
                collected_on=form.cleaned_data["collected_on"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except CertificateError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, COLLECTION_CORRECTED)
    else:
        messages.error(request, next(iter(form.errors.values()))[0])
    return redirect("results:certificate_edit", pk=certificate.registration_id)


@access_required(access.is_academic)
@require_POST
def certificate_revoke(request, pk: int):
    certificate = get_object_or_404(Certificate.objects.select_related("registration"), pk=pk)
    try:
        services.certificate_revoke(
            certificate=certificate, reason=request.POST.get("reason", ""), user=request.user
        )
    except ScoreError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, REVOKED.format(number=certificate.number))
    return redirect("results:certificate_edit", pk=certificate.registration_id)


@access_required(access.is_academic)
@require_http_methods(["GET", "POST"])
def certificate_edit(request, pk: int):
    registration = get_object_or_404(Registration.objects.select_related("round"), pk=pk)
    current = Certificate.objects.filter(registration=registration).first()
    initial = {"number": current.number, "issued_on": current.issued_on} if current else {}
    form = CertificateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            certificates.certificate_enter(
                registration=registration,
                number=form.cleaned_data["number"],
                issued_on=form.cleaned_data["issued_on"],
                user=request.user,
            )
        except CertificateError as error:
            form.add_error("number", error.message)
        else:
            messages.success(request, SAVED)
            return redirect(f"{reverse('results:certificates')}?round={registration.round.slug}")
    return render(
        request,
        "results/certificate_edit.html",
        {
            "registration": registration,
            "form": form,
            "pattern": certificates.pattern_of(registration.round),
            "certificate": current,
            "collection_form": CollectionDateForm(
                initial={"collected_on": current.collected_on} if current else None
            ),
            "today": timezone.localdate(),
            "history": current.history.select_related("history_user").order_by("-history_date")[:20]
            if current
            else [],
        },
        status=400 if form.errors else 200,
    )
