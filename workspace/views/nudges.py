"""The nudges page: per class (or the whole round, for 教务), who has not signed up, not been
confirmed, not paid or not completed 补充资料; a reminder per list, a copy for the class group."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import access
from accounts.access import access_required
from workspace.selectors.nudges import nudge_lists
from workspace.services.nudges import NudgeError, nudge_send
from workspace.views.counselor import (
    NO_SESSION,
    _class_or_404,
    _picked_round,
    _round_query,
)


def _nudges(request, school_class):
    exam_round = _picked_round(request)
    if exam_round is None:
        return render(request, "registration/counselor/empty.html", {"message": NO_SESSION})
    if request.method == "POST":
        try:
            log = nudge_send(
                user=request.user,
                exam_round=exam_round,
                school_class=school_class,
                kind=request.POST.get("kind", ""),
            )
        except NudgeError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("正在后台向 %(n)d 位同学发送提醒（今天已提醒过的同学不会重复收到）。")
                % {"n": log.recipients},
            )
        return redirect(request.get_full_path())
    return render(
        request,
        "registration/counselor/nudges.html",
        {
            "school_class": school_class,
            "exam_round": exam_round,
            "lists": nudge_lists(
                user=request.user, exam_round=exam_round, school_class=school_class
            ),
            "round_query": _round_query(request, exam_round),
        },
    )


@require_http_methods(["GET", "POST"])
@access_required(access.uses_workspace)
def class_nudges(request, pk: int):
    return _nudges(request, _class_or_404(request, pk))


@require_http_methods(["GET", "POST"])
@access_required(access.is_academic)
def round_nudges(request):
    """The whole round's lists, every class (教务)."""
    return _nudges(request, None)
