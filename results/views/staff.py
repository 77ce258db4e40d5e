"""教务 pages of scores: progress per sitting, mismatches to resolve, 审核, amendments."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.access import access_required
from exams.models import Sitting
from results import imports, selectors, services
from results.forms import AmendForm, ResolveForm, ScoreUploadForm
from results.models import (
    Certificate,
    ReviewRequest,
    ReviewRequestStatus,
    Round,
    Score,
    ScoreImport,
)
from results.services import ScoreError
from rounds.selectors import round_of_request

REVIEWED = _("已审核：本场次成绩已锁定。")
RESOLVED = _("已核定 {seat} 号的成绩。")
AMENDED = _("已更正 {seat} 号的成绩，原因已记录。")
NO_ROUND = _("还没有考试批次。")
IMPORTED = _("已导入 {count} 名考生的成绩。")


@access_required(access.is_academic)
def results_home(request):
    round = round_of_request(request)
    if round is None:
        return render(request, "exams/staff/empty.html", {"message": NO_ROUND})
    today = timezone.localdate()
    return render(
        request,
        "results/home.html",
        {
            "round": round,
            "rounds": Round.objects.all(),
            "sittings": selectors.sitting_progress(round=round),
            "notice": selectors.notice_of(round),
            "today": today,
            "unknown_years": selectors.calendar_unknown_years(today=today),
            "review_requests": selectors.review_request_counts(round=round),
        },
    )


def _sitting(pk: int) -> Sitting:
    return get_object_or_404(Sitting.objects.select_related("round", "level"), pk=pk)


@access_required(access.is_academic)
def sitting_scores(request, pk: int):
    sitting = _sitting(pk)
    return render(
        request,
        "results/sitting.html",
        {
            "sitting": sitting,
            "round": sitting.round,
            "reviewed": selectors.is_reviewed(sitting),
            "mismatches": selectors.mismatches_of(sitting=sitting),
            "scores": selectors.scores_of_sitting(sitting=sitting),
            "rule": selectors.rule_for(level=sitting.level, subject=sitting.subject),
            "form": ResolveForm(),
        },
    )


@access_required(access.is_academic)
@require_POST
def sitting_review(request, pk: int):
    sitting = _sitting(pk)
    try:
        services.sitting_review(sitting=sitting, user=request.user)
    except ScoreError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, REVIEWED)
    return redirect("results:sitting", pk=sitting.pk)


def _score(pk: int) -> Score:
    return get_object_or_404(
        Score.objects.select_related("seat__sitting__level", "seat__room", "seat__registration"),
        pk=pk,
    )


@access_required(access.is_academic)
@require_POST
def score_resolve(request, pk: int):
    score = _score(pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查核定内容。"))
    else:
        try:
            services.score_resolve(
                score=score,
                outcome=form.cleaned_data["outcome"],
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ScoreError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, RESOLVED.format(seat=score.seat.number))
    return redirect("results:sitting", pk=score.seat.sitting_id)


@access_required(access.is_academic)
@require_http_methods(["GET", "POST"])
def score_amend(request, pk: int):
    score = _score(pk)
    initial = {"outcome": score.outcome, "points": score.points}
    form = AmendForm(request.POST or None, initial=initial)
    raw_review = (request.POST or request.GET).get("review", "")
    review = (
        ReviewRequest.objects.filter(
            pk=int(raw_review),
            registration_id=score.seat.registration_id,
            subject=score.seat.sitting.subject,
            status=ReviewRequestStatus.PENDING,
        ).first()
        if raw_review.isascii() and raw_review.isdigit() and len(raw_review) < 12
        else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.score_amend(
                score=score,
                outcome=form.cleaned_data["outcome"],
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                user=request.user,
                revoke_reason=form.cleaned_data["revoke_reason"],
                review_request=review,
            )
        except ScoreError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, AMENDED.format(seat=score.seat.number))
            return redirect("results:sitting", pk=score.seat.sitting_id)
    history = score.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "results/amend.html",
        {
            "score": score,
            "form": form,
            "round": score.seat.sitting.round,
            "history": history,
            "review": review,
            "certificate": Certificate.objects.filter(
                registration_id=score.seat.registration_id, revoked_at__isnull=True
            ).first(),
        },
        status=400 if form.errors else 200,
    )


# --- xlsx import with a preview -----------------------------------------------------------------


@access_required(access.is_academic)
@require_http_methods(["GET", "POST"])
def import_upload(request, pk: int):
    sitting = _sitting(pk)
    form = ScoreUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            score_import = imports.score_import_preview(
                sitting=sitting, file_name=upload.name, content=upload.read(), user=request.user
            )
        except imports.ScoreFileError as error:
            form.add_error("file", error.message)
        else:
            return redirect("results:import_detail", pk=score_import.pk)
    return render(
        request,
        "results/import_upload.html",
        {
            "sitting": sitting,
            "round": sitting.round,
            "form": form,
            "imports": sitting.score_imports.select_related("uploaded_by")[:10],
        },
        status=400 if form.errors else 200,
    )


@access_required(access.is_academic)
def import_detail(request, pk: int):
    score_import = get_object_or_404(
        ScoreImport.objects.select_related("sitting__level", "sitting__round"), pk=pk
    )
    results = imports.reconcile(score_import.sitting, imports.import_rows(score_import))
    counts: dict[str, int] = {}
    for result in results:
        counts[result.label] = counts.get(result.label, 0) + 1
    return render(
        request,
        "results/import_detail.html",
        {
            "score_import": score_import,
            "sitting": score_import.sitting,
            "results": results,
            "problems": score_import.problems,
            "counts": sorted(counts.items()),
            "new": sum(1 for r in results if r.outcome == imports.ImportOutcome.NEW),
        },
    )


@access_required(access.is_academic)
@require_POST
def import_apply(request, pk: int):
    score_import = get_object_or_404(ScoreImport, pk=pk)
    try:
        count = imports.score_import_apply(score_import=score_import, user=request.user)
    except imports.ScoreFileError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, IMPORTED.format(count=count))
    return redirect("results:import_detail", pk=pk)
