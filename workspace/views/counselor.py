"""The counselor workspace: dashboard, class posters, rosters, review and Excel exports.

Every page goes through the access gate (`accounts.access.uses_workspace`); every object is
fetched through a selector scoped to the user, so a class or registration outside the user's
scope is a 404, never a 403 that would confirm it exists.
"""

import datetime as dt
import tempfile
from types import SimpleNamespace
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from accounts.access import access_required
from common import qr
from common.xlsx import content_disposition
from registration.models import PaymentStatus, ReviewStatus
from registration.selectors import supplement as supplement_selectors
from rounds.models import ExamRound, Major
from rounds.selectors import round_pick, round_slug
from workspace.exports import LAYOUT_ROSTER, LAYOUTS, registrations_export
from workspace.selectors import classlists
from workspace.selectors import counselor as selectors
from workspace.services import review
from workspace.services.review import ReviewError

SESSION_UNKNOWN = gettext_lazy("未找到该考试批次，已显示当前批次。")
NO_SESSION = gettext_lazy("还没有考试批次。请先在管理后台创建批次。")
FILTER_INVALID = gettext_lazy("筛选条件无效，已显示全部。")
EXPORT_FILTER_INVALID = gettext_lazy("筛选条件无效，未导出。")
LAYOUT_UNKNOWN = gettext_lazy("未知的导出格式。")
CONFIRMED = gettext_lazy("已确认 {name} 的报名。")
RETURNED = gettext_lazy("已将 {name} 的报名退回，考生可在截止前修改后重新提交。")
NOTE_SAVED = gettext_lazy("备注已保存。")
ROSTER_PAGE_SIZE = 100

POSTER_STEPS = [
    gettext_lazy("用手机微信或相机扫描二维码，打开本班报名页面。"),
    gettext_lazy("按提示填写姓名、身份证号、手机号等信息，选择申报等级后提交。"),
    gettext_lazy("保存确认页的报名号和自助链接；截止前可查询、修改或取消，按提示选择缴费项目。"),
]


# --- Request parsing -----------------------------------------------------------------------------


def _picked_round(request) -> ExamRound | None:
    """The round of the page (`rounds.selectors.round_pick`); an unknown slug says so."""
    pick = round_pick(request.GET)
    if pick.unknown:
        messages.warning(request, SESSION_UNKNOWN)
    return pick.exam_round


def _round_query(request, exam_round: ExamRound | None) -> str:
    """`round=<slug>` to carry along in links when the user picked a round explicitly."""
    if exam_round is not None and round_slug(request.GET) == exam_round.slug:
        return f"round={exam_round.slug}"
    return ""


class ScopeFilterForm(forms.Form):
    """教务's filters: by major and by level."""

    major = forms.TypedChoiceField(label=gettext_lazy("专业"), required=False, coerce=int)
    level = forms.TypedChoiceField(label=gettext_lazy("等级"), required=False, coerce=int)

    def __init__(self, *args, exam_round: ExamRound, majors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["major"].choices = [("", _("全部专业"))] + [(m.pk, m.name) for m in majors]
        self.fields["level"].choices = [("", _("全部等级"))] + [
            (level.pk, level.name) for level in exam_round.levels.all()
        ]


class RosterFilterForm(forms.Form):
    level = forms.TypedChoiceField(label=gettext_lazy("等级"), required=False, coerce=int)
    review = forms.ChoiceField(
        label=gettext_lazy("审核"),
        required=False,
        choices=[("", gettext_lazy("全部审核状态")), *ReviewStatus.choices],
    )
    payment = forms.ChoiceField(
        label=gettext_lazy("缴费"),
        required=False,
        choices=[("", gettext_lazy("全部缴费状态")), *PaymentStatus.choices],
    )
    q = forms.CharField(label=gettext_lazy("姓名/学号"), required=False, max_length=30)
    cancelled = forms.BooleanField(label=gettext_lazy("含已取消"), required=False)

    def __init__(self, *args, exam_round: ExamRound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("全部等级"))] + [
            (level.pk, level.name) for level in exam_round.levels.all()
        ]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("退回原因"),
        max_length=review.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("考生会在自助查询页看到，请写清需要修改的内容。"),
        error_messages={"required": review.REASON_REQUIRED, "max_length": review.REASON_TOO_LONG},
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("辅导员备注"),
        required=False,
        max_length=review.NOTE_MAX_LENGTH,
        error_messages={"max_length": review.NOTE_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("仅辅导员和教务可见，考生看不到。"),
    )


# --- Charts (server-rendered SVG geometry; the template draws it) --------------------------------


def _pct5(value: int, biggest: int) -> int:
    """A share of the biggest value in the 5 % steps the kwt-w-/kwt-h- classes offer.

    Bar sizes come from classes, not inline styles (strict CSP); a non-zero value is never 0.
    """
    if value <= 0:
        return 0
    return max(5, round(20 * value / biggest) * 5)


def _class_chart(rows) -> dict:
    """Horizontal HTML bars: registered (dark) over headcount (light) for each class."""
    biggest = max([1, *(max(r.headcount, r.registered) for r in rows)])
    bars = []
    for row in rows:
        name = row.school_class.name if row.school_class else row.label
        bars.append(
            {
                "title": name,
                "pct": _pct5(row.registered, biggest),
                "headcount_pct": _pct5(row.headcount, biggest),
                "value": row.registered,
                "headcount": row.headcount,
            }
        )
    return {"bars": bars}


def _day_chart(per_day: list[tuple[dt.date, int]]) -> dict | None:
    """Vertical HTML bars of sign-ups per day, with the first, middle and last dates labelled."""
    if not per_day:
        return None
    biggest = max([1, *(n for _, n in per_day)])
    bars = [
        {"label": f"{day:%m-%d}", "value": count, "pct": _pct5(count, biggest)}
        for day, count in per_day
    ]
    ticks = sorted({0, len(per_day) // 2, len(per_day) - 1})
    return {
        "bars": bars,
        "max": biggest,
        "ticks": [bars[i]["label"] for i in ticks],
        "total": sum(n for _, n in per_day),
    }


# --- Dashboard -----------------------------------------------------------------------------------


def _card(row, levels) -> dict:
    return {
        "stats": row,
        "levels": list(zip(levels, row.level_counts(levels), strict=True)),
        "reviews": list(zip(ReviewStatus.labels, row.review_counts(), strict=True)),
        "payments": list(zip(PaymentStatus.labels, row.payment_counts(), strict=True)),
    }


@require_GET
@access_required(access.uses_workspace)
def dashboard(request):
    exam_round = _picked_round(request)
    if exam_round is None:
        return render(request, "registration/counselor/empty.html", {"message": NO_SESSION})
    academic = access.is_academic(request.user)
    major_id = level_id = None
    scope_form = None
    if academic:
        scope_form = ScopeFilterForm(
            request.GET, exam_round=exam_round, majors=Major.objects.order_by("name")
        )
        if scope_form.is_valid():
            major_id = scope_form.cleaned_data["major"] or None
            level_id = scope_form.cleaned_data["level"] or None
        else:
            messages.warning(request, FILTER_INVALID)
    overview = selectors.round_overview(
        user=request.user, exam_round=exam_round, major_id=major_id, level_id=level_id
    )
    export_query = request.GET.urlencode()
    total = overview.total
    class_ids = [row.school_class.pk for row in overview.rows if row.school_class]
    listed = classlists.class_ids_with_list(class_ids)
    return render(
        request,
        "registration/counselor/dashboard.html",
        {
            "exam_round": exam_round,
            "rounds": selectors.round_list(),
            "overview": overview,
            "academic": academic,
            "scope_form": scope_form,
            "cards": [_card(row, overview.levels) for row in overview.rows],
            "totals": {
                "reviews": list(zip(ReviewStatus.labels, total.review_counts(), strict=True)),
                "paid": total.by_payment.get(PaymentStatus.PAID, 0),
            },
            "class_chart": _class_chart(overview.rows),
            "day_chart": _day_chart(overview.per_day),
            "round_query": _round_query(request, exam_round),
            "export_query": export_query,
            "layouts": LAYOUTS,
            "listed_class_ids": listed,
            "unlisted_count": len(set(class_ids) - listed),
        },
    )


# --- Class pages ---------------------------------------------------------------------------------


def _class_or_404(request, pk: int):
    school_class = selectors.class_get_visible(user=request.user, pk=pk)
    if school_class is None:
        raise Http404
    return school_class


@require_GET
@access_required(access.uses_workspace)
def class_roster(request, pk: int):
    return roster_page(request, school_class=_class_or_404(request, pk))


def roster_page(request, *, school_class):
    """A class's roster, or with `school_class` None the registrations no counselor owns
    (教务's review queue): the same filters, selection and bulk review either way."""
    exam_round = _picked_round(request)
    if exam_round is None:
        return render(request, "registration/counselor/empty.html", {"message": NO_SESSION})
    form = RosterFilterForm(request.GET, exam_round=exam_round)
    filters = roster_filters(form)
    registrations = selectors.roster(school_class=school_class, exam_round=exam_round, **filters)
    page = Paginator(registrations, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    stats = overview = None
    if school_class is not None:
        overview = selectors.round_overview(
            user=request.user, exam_round=exam_round, class_ids=[school_class.pk]
        )
        stats = overview.rows[0] if overview.rows else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registration/counselor/roster.html",
        {
            "school_class": school_class,
            "exam_round": exam_round,
            "form": form,
            "page": page,
            "stats": stats,
            "card": _card(stats, overview.levels) if stats else None,
            "overview": overview,
            "days_left": selectors.days_left(exam_round),
            "page_query": query.urlencode(),
            "filter_query": query.urlencode(),
            "round_query": _round_query(request, exam_round),
            "layouts": LAYOUTS,
            "supplement": supplement_selectors.class_summary(
                school_class=school_class, exam_round=exam_round
            )
            if school_class is not None
            else None,
            "can_review_here": access.reviews_registrations(request.user),
        },
    )


def roster_filters(form) -> dict:
    """The roster selector's keyword arguments from a bound RosterFilterForm ({} if invalid)."""
    if not form.is_valid():
        return {}
    data = form.cleaned_data
    return {
        "level_id": data["level"] or None,
        "review_status": data["review"],
        "payment_status": data["payment"],
        "query": data["q"],
        "include_cancelled": data["cancelled"],
    }


@require_GET
@access_required(access.uses_workspace)
def class_poster(request, pk: int):
    school_class = _class_or_404(request, pk)
    exam_round = _picked_round(request)
    url = qr.class_signup_url(school_class)
    consultation = ""
    if exam_round is not None:
        start, end = exam_round.consultation_start, exam_round.consultation_end
        consultation = _("{days} {start}-{end}").format(
            days=exam_round.consultation_days,
            start=f"{start.hour}:{start.minute:02d}",
            end=f"{end.hour}:{end.minute:02d}",
        )
    return render(
        request,
        "registration/counselor/poster.html",
        {
            "school_class": school_class,
            "exam_round": exam_round,
            "signup_url": url,
            "qr_svg": qr.qr_svg(url, label=_("{name}报名二维码").format(name=school_class.name)),
            "steps": POSTER_STEPS,
            "consultation_hours": consultation,
            "site_is_local": _is_local(url),
            "round_query": _round_query(request, exam_round),
        },
    )


def _is_local(url: str) -> bool:
    """A SITE_URL pointing at this machine makes a QR code that no phone can open."""
    return urlsplit(url).hostname in {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


@require_GET
@access_required(access.uses_workspace)
def class_poster_png(request, pk: int):
    school_class = _class_or_404(request, pk)
    png = qr.qr_png(qr.class_signup_url(school_class))
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = content_disposition(
        _("{name}-报名二维码.png").format(name=school_class.name),
        f"class-{school_class.pk}-qr.png",
    )
    return response


# --- Registrations -------------------------------------------------------------------------------


def _registration_or_404(request, pk: int):
    registration = selectors.registration_get_visible(user=request.user, pk=pk)
    if registration is None:
        raise Http404
    return registration


def _detail(request, registration, *, return_form=None, note_form=None, status=200):
    return render(
        request,
        "registration/counselor/registration.html",
        {
            "registration": registration,
            "exam_round": registration.round,
            "can_review": access.may_review(request.user, registration),
            "next_pending": selectors.next_pending(user=request.user, registration=registration),
            "return_form": return_form or ReturnForm(),
            "note_form": note_form or NoteForm(initial={"note": registration.counselor_note}),
            "deadline_passed": selectors.days_left(registration.round) < 0,
        },
        status=status,
    )


@require_GET
@access_required(access.uses_workspace)
def registration_detail(request, pk: int):
    return _detail(request, _registration_or_404(request, pk))


def _back(registration):
    return redirect(reverse("registration:counselor_registration", args=[registration.pk]))


@require_POST
@access_required(access.uses_workspace)
def registration_confirm(request, pk: int):
    registration = _registration_or_404(request, pk)
    try:
        review.registration_confirm(registration=registration, reviewer=request.user)
    except ReviewError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(CONFIRMED).format(name=registration.name))
    return _back(registration)


@require_POST
@access_required(access.uses_workspace)
def registration_return(request, pk: int):
    registration = _registration_or_404(request, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            review.registration_return(
                registration=registration,
                reviewer=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ReviewError as exc:
            form.add_error("reason", str(exc.message))
        else:
            messages.success(request, str(RETURNED).format(name=registration.name))
            return _back(registration)
    return _detail(request, registration, return_form=form, status=400)


@require_POST
@access_required(access.uses_workspace)
def registration_note(request, pk: int):
    registration = _registration_or_404(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            review.registration_note_set(
                registration=registration, author=request.user, note=form.cleaned_data["note"]
            )
        except ReviewError as exc:
            form.add_error("note", str(exc.message))
        else:
            messages.success(request, NOTE_SAVED)
            return _back(registration)
    return _detail(request, registration, note_form=form, status=400)


# --- Exports -------------------------------------------------------------------------------------


def workbook_response(workbook, *, filename: str, ascii_filename: str) -> FileResponse:
    """A workbook built in the view, saved to a temporary file and sent as an .xlsx download."""
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    export = SimpleNamespace(file=handle, filename=filename, ascii_filename=ascii_filename)
    return _export_response(export)


def _export_response(export) -> FileResponse:
    response = FileResponse(
        export.file,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition(export.filename, export.ascii_filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _layout(request) -> str | None:
    layout = request.GET.get("layout", LAYOUT_ROSTER)
    return layout if layout in LAYOUTS else None


def _exchange_layout_id(request) -> int | None:
    """`?template=<pk>`: the candidate-sheet layout of the national export (default otherwise;
    an unknown pk falls back to the default too)."""
    raw = request.GET.get("template", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


@require_GET
@access_required(access.uses_workspace)
def class_export(request, pk: int):
    school_class = _class_or_404(request, pk)
    exam_round = _picked_round(request)
    layout = _layout(request)
    back = reverse("registration:counselor_class", args=[school_class.pk])
    if exam_round is None or layout is None:
        messages.error(request, NO_SESSION if exam_round is None else LAYOUT_UNKNOWN)
        return redirect(back)
    export = registrations_export(
        user=request.user,
        exam_round=exam_round,
        layout=layout,
        school_class=school_class,
        exchange_layout_id=_exchange_layout_id(request),
    )
    return _export_response(export)


@require_GET
@access_required(access.uses_workspace)
def round_export(request):
    """Every class in the user's scope: a counselor's own classes, or the whole round for 教务."""
    exam_round = _picked_round(request)
    layout = _layout(request)
    back = reverse("registration:counselor_dashboard")
    if exam_round is None or layout is None:
        messages.error(request, NO_SESSION if exam_round is None else LAYOUT_UNKNOWN)
        return redirect(back)
    major_id = level_id = None
    if access.is_academic(request.user):
        form = ScopeFilterForm(
            request.GET, exam_round=exam_round, majors=Major.objects.order_by("name")
        )
        if not form.is_valid():
            messages.error(request, EXPORT_FILTER_INVALID)
            return redirect(back)
        major_id = form.cleaned_data["major"] or None
        level_id = form.cleaned_data["level"] or None
    export = registrations_export(
        user=request.user,
        exam_round=exam_round,
        layout=layout,
        major_id=major_id,
        level_id=level_id,
        exchange_layout_id=_exchange_layout_id(request),
    )
    return _export_response(export)
