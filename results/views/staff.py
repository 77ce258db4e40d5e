"""教务 pages of scores: progress per sitting, mismatches to resolve, 审核, amendments."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from exams.models import Sitting
from exams.views.staff import _round, academic_required
from results import selectors, services
from results.forms import AmendForm, ResolveForm
from results.models import Round, Score
from results.services import ScoreError

REVIEWED = _("已审核：本场次成绩已锁定。")
RESOLVED = _("已核定 {seat} 号的成绩。")
AMENDED = _("已更正 {seat} 号的成绩，原因已记录。")
NO_ROUND = _("还没有考试批次。")


@academic_required
def results_home(request):
    round = _round(request)
    if round is None:
        return render(request, "exams/staff/empty.html", {"message": NO_ROUND})
    return render(
        request,
        "results/home.html",
        {
            "round": round,
            "rounds": Round.objects.all(),
            "sittings": selectors.sitting_progress(round=round),
        },
    )


def _sitting(pk: int) -> Sitting:
    return get_object_or_404(Sitting.objects.select_related("round", "level"), pk=pk)


@academic_required
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


@academic_required
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


@academic_required
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


@academic_required
@require_http_methods(["GET", "POST"])
def score_amend(request, pk: int):
    score = _score(pk)
    initial = {"outcome": score.outcome, "points": score.points}
    form = AmendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.score_amend(
                score=score,
                outcome=form.cleaned_data["outcome"],
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                user=request.user,
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
        {"score": score, "form": form, "round": score.seat.sitting.round, "history": history},
        status=400 if form.errors else 200,
    )
