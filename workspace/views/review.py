"""Review at scale: select registrations on a roster (or every one matching its filters) and
confirm or return them in one step, after a screen that names what will happen to whom; and
教务's queue of the registrations no counselor owns (social candidates, class-less sign-ups).

The classification (who can be confirmed, who not and why) is the service's
(`workspace.services.review.review_plan`); it runs for the screen and again under row locks when
the reviewer confirms, so a student's edit in between is reported, not overwritten.
"""

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from accounts.access import access_required
from workspace.selectors import counselor as selectors
from workspace.services import review
from workspace.services.review import ReviewError
from workspace.views.counselor import (
    RosterFilterForm,
    _picked_round,
    roster_filters,
    roster_page,
)

BULK_DONE_CONFIRM = _("已确认 %(n)d 人的报名。")
BULK_DONE_RETURN = _("已退回 %(n)d 人的报名。")
BULK_LEFT = _("%(n)d 人未处理，原因见下方名单。")
BAD_SELECTION = _("选择无效，请返回名单重新勾选。")


@require_GET
@access_required(access.is_academic)
def unowned_roster(request):
    """教务: registrations without a counselor (no class, or a class nobody counsels)."""
    return roster_page(request, school_class=None)


def _ids(values) -> list[int] | None:
    ids = []
    for value in values:
        if not (value.isascii() and value.isdigit() and len(value) < 12):
            return None
        ids.append(int(value))
    return ids


def _back(request, school_class_pk: str, filter_query: str) -> str:
    if school_class_pk == "unowned":
        url = reverse("registration:counselor_unowned")
    else:
        url = reverse("registration:counselor_class", args=[int(school_class_pk)])
    return f"{url}?{filter_query}" if filter_query else url


def _selected(request, *, school_class_pk: str, filter_query: str):
    """The registrations the reviewer picked: the ticked ids, or every registration matching the
    roster's filters (`all_matching`), always within the user's scope and the page's class."""
    exam_round = _picked_round(request)
    if exam_round is None:
        return None
    if school_class_pk == "unowned":
        access.require(access.is_academic(request.user))
        school_class = None
    else:
        school_class = selectors.class_get_visible(user=request.user, pk=int(school_class_pk))
        if school_class is None:
            raise Http404
    if request.POST.get("all_matching") == "1":
        form = RosterFilterForm(QueryDict(filter_query), exam_round=exam_round)
        queryset = selectors.roster(
            school_class=school_class, exam_round=exam_round, **roster_filters(form)
        )
    else:
        ids = _ids(request.POST.getlist("registration"))
        if ids is None:
            return None
        queryset = selectors.roster(
            school_class=school_class, exam_round=exam_round, include_cancelled=True
        ).filter(pk__in=ids)
    return list(queryset.select_related("school_class")[: review.BULK_LIMIT + 1])


@require_POST
@access_required(access.uses_workspace)
def bulk_review(request):
    """Step 1 (no `apply`): the confirmation screen. Step 2 (`apply`): the service, then back."""
    action = request.POST.get("action", "")
    school_class_pk = request.POST.get("school_class", "")
    filter_query = request.POST.get("filter_query", "")[:500]
    if action not in (review.CONFIRM, review.RETURN) or not (
        school_class_pk == "unowned" or (school_class_pk.isascii() and school_class_pk.isdigit())
    ):
        messages.error(request, BAD_SELECTION)
        return redirect("registration:counselor_dashboard")
    back = _back(request, school_class_pk, filter_query)
    if request.POST.get("apply") == "1":
        ids = _ids(request.POST.getlist("registration"))
        if ids is None:
            messages.error(request, BAD_SELECTION)
            return redirect(back)
        # Only rows in the user's scope reach the service: the result screen names people.
        ids = list(
            selectors.registrations_visible(request.user)
            .filter(pk__in=ids[: review.BULK_LIMIT + 1])
            .values_list("pk", flat=True)
        )
        try:
            plan = review.registrations_review_bulk(
                registration_ids=ids,
                reviewer=request.user,
                action=action,
                reason=request.POST.get("reason", ""),
            )
        except ReviewError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        done = BULK_DONE_CONFIRM if action == review.CONFIRM else BULK_DONE_RETURN
        messages.success(request, done % {"n": len(plan.ready)})
        if plan.skipped:
            return render(
                request,
                "registration/counselor/bulk_review.html",
                {"plan": plan, "back": back, "applied": True},
            )
        return redirect(back)
    registrations = _selected(request, school_class_pk=school_class_pk, filter_query=filter_query)
    if registrations is None:
        messages.error(request, BAD_SELECTION)
        return redirect(back)
    try:
        plan = review.review_plan(registrations=registrations, reviewer=request.user, action=action)
    except ReviewError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return render(
        request,
        "registration/counselor/bulk_review.html",
        {
            "plan": plan,
            "back": back,
            "applied": False,
            "school_class_pk": school_class_pk,
            "filter_query": filter_query,
            "reason": request.POST.get("reason", ""),
            "reason_max": review.REASON_MAX_LENGTH,
        },
    )
