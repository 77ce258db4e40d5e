"""国家平台数据交换: one 教务 page per round linking the four exchanges, and the score sheet."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts import access
from accounts.access import access_required
from common.xlsx import content_disposition
from exams.photo_export import photos_of_round
from results import exchange, selectors
from results.models import Certificate, Registration, RegistrationStatus, Round
from rounds.selectors import round_of_request
from workspace.models import ExchangeLayout, LayoutKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_ROUND = _("还没有考试批次。")


def _layout_id(request) -> int | None:
    raw = request.GET.get("layout", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


@access_required(access.is_academic)
@require_GET
def exchange_home(request):
    round = round_of_request(request)
    if round is None:
        return render(request, "exams/staff/empty.html", {"message": NO_ROUND})
    layouts = {kind: [] for kind in LayoutKind.values}
    for layout in ExchangeLayout.objects.all():
        layouts[layout.kind].append(layout)
    active = Registration.objects.filter(round=round, status=RegistrationStatus.ACTIVE)
    return render(
        request,
        "results/exchange.html",
        {
            "round": round,
            "rounds": Round.objects.all(),
            "candidate_layouts": layouts[LayoutKind.CANDIDATES],
            "score_layouts": layouts[LayoutKind.SCORES],
            "certificate_layouts": layouts[LayoutKind.CERTIFICATES],
            "candidates": active.count(),
            "photos": photos_of_round(round).count(),
            "notice": selectors.notice_of(round),
            "certificates": Certificate.objects.filter(registration__in=active).count(),
            "can_edit_layouts": access.may_edit_exchange_layouts(request.user),
        },
    )


@access_required(access.is_academic)
@require_GET
def score_sheet(request):
    round = round_of_request(request)
    if round is None:
        messages.error(request, NO_ROUND)
        return redirect("results:exchange")
    try:
        output, _rows = exchange.score_sheet_export(round=round, layout_id=_layout_id(request))
    except exchange.ExchangeError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('results:exchange')}?round={round.slug}")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = FileResponse(output, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(
        f"{round.title}-成绩表-{stamp}.xlsx", f"kaowutong-{round.slug}-scores-{stamp}.xlsx"
    )
    response["Cache-Control"] = "private, no-store"
    return response
