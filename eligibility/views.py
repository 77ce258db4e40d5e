"""The self-check page (资格自测) and the JSON evaluate API: thin views over the selectors."""

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.csrf import csrf_exempt

from common.ratelimit import client_ip, rate_limit_hit
from eligibility import lookups, selectors
from eligibility.api import evaluate_request
from eligibility.engine import FactsError
from eligibility.engine import vocabulary as v
from eligibility.forms import SelfCheckForm
from rounds.models import CandidateType
from rounds.selectors import round_slug

logger = logging.getLogger(__name__)

API_RATE_LIMIT_PER_MINUTE = 60
API_MAX_BODY_BYTES = 16 * 1024

MSG_METHOD_NOT_ALLOWED = _l("请使用 POST 方法提交 JSON。")
MSG_RATE_LIMITED = _l("请求过于频繁，请一分钟后再试。")
MSG_BODY_TOO_LARGE = _l("请求内容过大。")
MSG_NOT_JSON = _l("请求内容不是有效的 JSON。")


def _facts(form: SelfCheckForm, exam_round):
    data = form.cleaned_data
    if data["candidate_type"] == CandidateType.STUDENT:
        if data.get("school_class") is not None:
            return selectors.student_facts(exam_round=exam_round, school_class=data["school_class"])
        return selectors.major_student_facts(major=data["major"], grade=data["grade"])
    return selectors.facts_from_dict(form.social_facts_dict())


def _relation_label(facts) -> str:
    if facts is None or facts.education is None or facts.candidate_type != v.STUDENT:
        return ""
    relation = v.MAJOR_RELATION_LABELS[facts.education.major]
    return _("专业属于%(relation)s") % {"relation": relation}


def self_check(request):
    # ?session= is the published parameter (links in the wild carry it); ?round= is its alias.
    slug = round_slug(request.GET) or None
    exam_round = lookups.session_for_self_check(slug)
    if exam_round is None and slug is not None:
        raise Http404(_("未找到该考试批次。"))
    bound = "candidate_type" in request.GET
    form = SelfCheckForm(
        request.GET if bound else None,
        initial={"round": slug or ""},
        classes=lookups.classes_for_self_check(),
        majors=lookups.majors_for_self_check(),
    )
    results = facts = None
    if exam_round is not None and bound and form.is_valid():
        try:
            facts = _facts(form, exam_round)
        except FactsError as error:
            form.add_error(None, error.message)
        else:
            decisions = selectors.decisions_for(exam_round=exam_round, facts=facts)
            results = [(level, decisions[level.code]) for level in exam_round.levels.all()]
    context = {
        "exam_round": exam_round,
        "form": form,
        "facts": facts,
        "grade_label": v.grade_label(facts.grade) if facts and facts.grade else "",
        "relation_label": _relation_label(facts),
        "results": results,
        "registration_open": exam_round is not None and exam_round.is_open(),
    }
    return render(request, "eligibility/self_check.html", context)


def _error(message: str, *, status: int = 400, field: str | None = None) -> JsonResponse:
    body = {"error": message}
    if field is not None:
        body["field"] = field
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def api_evaluate(request):
    """POST /eligibility/api/evaluate: see docs/eligibility-api.md."""
    if request.method != "POST":
        response = _error(MSG_METHOD_NOT_ALLOWED, status=405)
        response["Allow"] = "POST"
        return response
    limit = getattr(settings, "ELIGIBILITY_API_RATE_LIMIT", API_RATE_LIMIT_PER_MINUTE)
    if rate_limit_hit(scope="evaluate", key=client_ip(request), limit=limit, window_seconds=60):
        response = _error(MSG_RATE_LIMITED, status=429)
        response["Retry-After"] = "60"
        return response
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > API_MAX_BODY_BYTES:
            return _error(MSG_BODY_TOO_LARGE, status=413)
        body = request.body
    except (RequestDataTooBig, ValueError):
        return _error(MSG_BODY_TOO_LARGE, status=413)
    if len(body) > API_MAX_BODY_BYTES:
        return _error(MSG_BODY_TOO_LARGE, status=413)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return _error(MSG_NOT_JSON)
    try:
        result = evaluate_request(data)
    except FactsError as error:
        return _error(error.message, field=error.field or None)
    return JsonResponse(result, json_dumps_params={"ensure_ascii": False})
