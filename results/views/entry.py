"""The 考评员's phone grid: one room of one sitting, their own (blind) entry per seat."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import access
from accounts.access import access_required
from exams.models import Room, Sitting
from results import selectors, services
from results.rules import points_text
from results.services import ScoreError

NOT_YOURS = _("您没有被安排录入这个考场的成绩。")
SAVED = _("已保存 {count} 名考生的成绩。")
NOTHING = _("没有需要保存的修改。")


@access_required(access.may_enter_scores)
def entry_home(request):
    return render(
        request,
        "results/entry_home.html",
        {"assignments": list(selectors.assignments_of(user=request.user))},
    )


@never_cache
@access_required(access.may_enter_scores)
@require_http_methods(["GET", "POST"])
def entry_room(request, pk: int, room: int):
    sitting = get_object_or_404(Sitting.objects.select_related("level", "round"), pk=pk)
    room = get_object_or_404(Room, pk=room, sittings=sitting)
    access.require(selectors.may_score(user=request.user, sitting=sitting, room=room), NOT_YOURS)
    rule = selectors.rule_for(level=sitting.level, subject=sitting.subject)
    rows = selectors.grid_rows(sitting=sitting, room=room, user=request.user)
    errors: list = []
    typed: dict[int, tuple[str, str]] = {}
    if request.method == "POST":
        values = {}
        for row in rows:
            seat = row["seat"]
            if not row["present"]:
                continue
            raw = request.POST.get(f"points-{seat.pk}", "")[:20]
            outcome = request.POST.get(f"outcome-{seat.pk}", "")[:20]
            typed[seat.pk] = (outcome, raw)
            try:
                value = services.entry_value_parse(
                    seat_number=seat.number, outcome=outcome, raw_points=raw, rule=rule
                )
            except ScoreError as error:
                errors.append(error.message)
                continue
            if value is not None:
                values[seat.pk] = value
        if not errors:
            try:
                count = services.scores_enter(
                    sitting=sitting, room=room, user=request.user, values=values
                )
            except ScoreError as error:
                errors = error.errors or [error.message]
            else:
                messages.success(request, SAVED.format(count=count) if count else NOTHING)
                return redirect("results:entry_room", pk=sitting.pk, room=room.pk)
    for row in rows:
        entry = row["entry"]
        if row["seat"].pk in typed:
            row["outcome"], row["points"] = typed[row["seat"].pk]
        elif entry is not None:
            row["outcome"] = entry.outcome
            row["points"] = points_text(entry.points)
        else:
            row["outcome"], row["points"] = "scored", ""
    return render(
        request,
        "results/entry_room.html",
        {
            "sitting": sitting,
            "room": room,
            "rows": rows,
            "rule": rule,
            "errors": errors,
            "locked": selectors.is_reviewed(sitting),
        },
        status=400 if errors else 200,
    )
