"""复核 during the 公示 (the candidate's request from their private link, 教务's queue and
outcome) and the 考评员 rotation of a round."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import access
from accounts.access import access_required
from common.ratelimit import client_ip, rate_limit_hit
from registration.selectors.student import registration_by_link
from results import scorers, selectors, services
from results.forms import ReviewDecisionForm, ReviewRequestForm
from results.models import ReviewRequest, ReviewRequestStatus, Round
from results.services import ScoreError
from rounds.selectors import round_of_request

SUBMITTED = _("已提交复核申请，考务办公室处理后将在本页答复。")
DECIDED = _("已记录复核结果。")
RATE_LIMITED = _("提交过于频繁，请稍后再试。")
# A candidate has two subjects: a handful of tries per hour is plenty; the per-address limit
# stops one client from filling the queue through many links.
LIMIT_PER_REGISTRATION = 5
LIMIT_PER_ADDRESS = 20
WINDOW_SECONDS = 3600


@never_cache
@require_POST
def review_request(request, pk: int, token: str):
    registration = registration_by_link(pk, token)
    if registration is None:
        raise Http404
    back = reverse("registration:registration_detail", args=[pk, token]) + "#student-results"
    limited = rate_limit_hit(
        scope="review-request",
        key=str(registration.pk),
        limit=LIMIT_PER_REGISTRATION,
        window_seconds=WINDOW_SECONDS,
    ) or rate_limit_hit(
        scope="review-request-ip",
        key=client_ip(request),
        limit=LIMIT_PER_ADDRESS,
        window_seconds=WINDOW_SECONDS,
    )
    if limited:
        messages.error(request, RATE_LIMITED)
        return redirect(back)
    form = ReviewRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(back)
    try:
        services.review_request_submit(
            registration=registration,
            subject=form.cleaned_data["subject"],
            reason=form.cleaned_data["reason"],
        )
    except ScoreError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, SUBMITTED)
    return redirect(back)


@access_required(access.is_academic)
def review_requests(request):
    """教务: the 复核 queue of a round, pending first, with links to the score to correct."""
    exam_round = round_of_request(request)
    if exam_round is None:
        raise Http404
    return render(
        request,
        "results/review_requests.html",
        {
            "round": exam_round,
            "rounds": Round.objects.all(),
            "requests": selectors.review_requests_of(round=exam_round),
            "counts": selectors.review_request_counts(round=exam_round),
            "notice": selectors.notice_of(exam_round),
            "form": ReviewDecisionForm(),
        },
    )


@access_required(access.is_academic)
@require_POST
def review_decide(request, pk: int):
    review = get_object_or_404(ReviewRequest.objects.select_related("registration__round"), pk=pk)
    back = f"{reverse('results:review_requests')}?round={review.registration.round.slug}"
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(back)
    try:
        services.review_request_decide(
            review_request=review,
            status=form.cleaned_data["status"],
            answer=form.cleaned_data["answer"],
            user=request.user,
        )
    except ScoreError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, DECIDED)
    return redirect(back)


@access_required(access.is_academic)
def scorer_rotation(request):
    """教务: who scores which room in each sitting of a round, the previous round beside it,
    the required number per room and any 回避 conflict."""
    exam_round = round_of_request(request)
    if exam_round is None:
        raise Http404
    return render(
        request,
        "results/scorers.html",
        {
            "round": exam_round,
            "rounds": Round.objects.all(),
            "rooms": scorers.room_assignments(round=exam_round),
            "rotation": scorers.rotation(round=exam_round),
            "pending": ReviewRequestStatus.PENDING,
        },
    )
