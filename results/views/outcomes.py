"""Results after review: 公示 publishing, the public notice, pass rates (HTML bars and xlsx)."""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from accounts import access
from accounts.access import access_required
from common.xlsx import (
    Column,
    content_disposition,
    sheet_add,
    sheet_append,
    sheet_finish,
)
from results import retakes as retakes_service
from results import selectors, services
from results.models import Round
from results.services import ScoreError
from rounds.selectors import round_of_request
from workspace.selectors.counselor import registrations_visible

PUBLISHED = _("成绩已发布公示：{start} 至 {end}。")
BAD_DAYS = _("公示期须为 1 到 30 个工作日。")
BAD_START = _("公示开始日期格式不正确。")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GROUPS = [("level", _("按等级")), ("major", _("按专业")), ("class", _("按班级"))]


@access_required(access.is_academic)
@require_POST
def notice_publish(request, pk: int):
    round = get_object_or_404(Round, pk=pk)
    raw = request.POST.get("working_days", "").strip()
    back = f"{reverse('results:home')}?round={round.slug}"
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
        messages.error(request, BAD_DAYS)
        return redirect(back)
    starts_raw = request.POST.get("starts_on", "").strip()
    starts_on = None
    if starts_raw:
        try:
            starts_on = dt.date.fromisoformat(starts_raw[:10])
        except ValueError:
            messages.error(request, BAD_START)
            return redirect(back)
    try:
        notice = services.notice_publish(
            round=round, working_days=int(raw), user=request.user, starts_on=starts_on
        )
    except ScoreError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            PUBLISHED.format(
                start=f"{notice.starts_on:%Y-%m-%d}", end=f"{notice.ends_on:%Y-%m-%d}"
            ),
        )
    return redirect(back)


def _not_indexed(view):
    """Search engines must not index or archive the list (names, even masked, with results):
    the header covers every answer, the page's meta tag says the same."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
        return response

    return wrapped


@never_cache  # the list must vanish when the period ends: no browser or proxy may keep it
@_not_indexed
def public_notice(request, slug: str):
    """The published 公示: masked names, ticket numbers, subject results. No ID numbers."""
    round = get_object_or_404(Round, slug=slug)
    notice = selectors.notice_of(round)
    if notice is None:
        raise Http404
    if timezone.localdate() < notice.starts_on:  # published with a later start date
        return render(
            request,
            "results/public_notice.html",
            {"round": round, "notice": notice, "upcoming": True, "review_requests": {}},
        )
    if timezone.localdate() > notice.ends_on:
        # The list served its purpose: after the period it is no longer published (PIPL minimal
        # exposure); candidates keep their own results on their private page.
        return render(
            request,
            "results/public_notice.html",
            {
                "round": round,
                "notice": notice,
                "ended": True,
                "review_requests": selectors.review_request_counts(round=round),
            },
        )
    results = selectors.round_results(round=round)
    rows = [
        {
            "name": selectors.mask_name(r.registration.name),
            "ticket": r.registration.ticket,
            "level": r.registration.level_name,
            "result": r,
        }
        for r in results
    ]
    rows.sort(key=lambda row: (row["level"], row["ticket"]))
    return render(
        request,
        "results/public_notice.html",
        {
            "round": round,
            "notice": notice,
            "rows": rows,
            "review_requests": selectors.review_request_counts(round=round),
        },
    )


def _rates(request, round):
    registrations = (
        None if access.is_academic(request.user) else registrations_visible(request.user)
    )
    results = selectors.round_results(round=round, registrations=registrations)
    return selectors.pass_rates(results)


@access_required(access.uses_workspace)
def rates(request):
    round = round_of_request(request)
    if round is None:
        return render(request, "exams/staff/empty.html", {"message": _("还没有考试批次。")})
    found = _rates(request, round)
    groups = [
        {"key": key, "label": label, "rates": found[key], "chart": selectors.rate_chart(found[key])}
        for key, label in GROUPS
    ]
    return render(
        request,
        "results/rates.html",
        {
            "round": round,
            "rounds": Round.objects.all(),
            "groups": groups,
            "total": found["total"][0],
            "notice": selectors.notice_of(round),
        },
    )


RATE_COLUMNS = [
    Column("分组", 10, lambda row: row[0]),
    Column("名称", 24, lambda row: row[1].label),
    Column("考生数", 10, lambda row: row[1].candidates, "int"),
    Column("合格人数", 10, lambda row: row[1].passed, "int"),
    Column("合格率", 10, lambda row: row[1].fraction, "percent"),
]


@access_required(access.uses_workspace)
def rates_export(request):
    round = round_of_request(request)
    if round is None:
        raise Http404
    found = _rates(request, round)
    workbook = Workbook(write_only=True)
    sheet = sheet_add(workbook, str(_("合格率")), RATE_COLUMNS)
    count = 0
    for key, label in [*GROUPS, ("total", _("合计"))]:
        for rate in found[key]:
            sheet_append(sheet, RATE_COLUMNS, (str(label), rate))
            count += 1
    sheet_finish(sheet, RATE_COLUMNS, count)
    response = HttpResponse(content_type=XLSX)
    workbook.save(response)
    response["Content-Disposition"] = content_disposition(
        f"合格率-{round.slug}.xlsx", f"pass-rates-{round.pk}.xlsx"
    )
    return response


RETAKE_COLUMNS = [
    Column("准考证号", 18, lambda r: r.result.registration.ticket, "code"),
    Column("姓名", 12, lambda r: r.result.registration.name),
    Column("学号", 14, lambda r: r.result.registration.student_number, "code"),
    Column("班级", 18, lambda r: r.result.registration.class_name),
    Column("等级", 14, lambda r: r.result.registration.level_name),
    Column("补考科目", 12, lambda r: r.subject.label),
    Column("本次情况", 10, lambda r: _subject_text(r.subject)),
]


def _subject_text(subject) -> str:
    if subject.outcome == "scored":
        return f"{subject.points.normalize():f}" if subject.points is not None else ""
    return str(_("缺考") if subject.outcome == "absent" else _("违纪"))


@access_required(access.uses_workspace)
def retakes(request):
    """Who may retake which subject (补考), for 教务 and counselors (own classes)."""
    round = round_of_request(request)
    if round is None:
        raise Http404
    registrations = (
        None if access.is_academic(request.user) else registrations_visible(request.user)
    )
    found = selectors.retake_candidates(round=round, registrations=registrations)
    if request.GET.get("format") == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = sheet_add(workbook, str(_("补考名单")), RETAKE_COLUMNS)
        for candidate in found:
            sheet_append(sheet, RETAKE_COLUMNS, candidate)
        sheet_finish(sheet, RETAKE_COLUMNS, len(found))
        response = HttpResponse(content_type=XLSX)
        workbook.save(response)
        response["Content-Disposition"] = content_disposition(
            f"补考名单-{round.slug}.xlsx", f"retakes-{round.pk}.xlsx"
        )
        return response
    academic = access.is_academic(request.user)
    offers = retakes_service.retake_offers_of(exam_round=round)
    if not academic:
        visible = set(registrations.values_list("pk", flat=True))
        offers = [o for o in offers if o.source_registration_id in visible]
    return render(
        request,
        "results/retakes.html",
        {
            "round": round,
            "candidates": found,
            "offers": offers,
            "targets": retakes_service.open_target_rounds(source_round=round) if academic else [],
            "chosen_target": request.GET.get("target", ""),
        },
    )


OFFERED = _(
    "已向“{target}”发出补考资格 {created} 人；此前已发出 {existing} 人；"
    "补考次数已用完 {used_up} 人；该批次不开考其等级 {level} 人。"
)
NO_TARGET = _("请选择补考批次。")


@access_required(access.is_academic)
@require_POST
def retakes_offer(request):
    """教务: offer this round's retake candidates a retake registration in a later round."""
    source = get_object_or_404(Round, slug=request.POST.get("round", ""))
    back = f"{reverse('results:retakes')}?round={source.slug}"
    target = Round.objects.filter(pk=_int_or_none(request.POST.get("target_round"))).first()
    if target is None:
        messages.error(request, NO_TARGET)
        return redirect(back)
    try:
        report = retakes_service.offer_retakes(
            source_round=source, target_round=target, actor=request.user
        )
    except retakes_service.RetakeOfferError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            OFFERED.format(
                target=target.title,
                created=report.created,
                existing=report.existing,
                used_up=report.used_up,
                level=report.level_not_offered,
            ),
        )
    return redirect(back)


def _int_or_none(raw) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
