"""教务 pages of the exam plan: sittings, seat draws, manual moves, publishing."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from exams import selectors, services
from exams.forms import DrawForm, MoveForm
from exams.models import Seat, Sitting
from exams.services import ExamPlanError
from registration import roles
from registration.models import ExamSession
from registration.selectors.public import session_current

DRAWN = _("已为 {count} 名考生安排座位。")
MOVED = _("已调整 {name} 的座位。")
PUBLISHED = _("考务安排已发布：座位已锁定，考生可下载准考证。")
NO_ROUND = _("还没有考试批次。")


def academic_required(view):
    """教务 and superusers only; anonymous visitors go to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not roles.is_academic(request.user):
            return render(request, "registration/counselor/no_access.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _round(request) -> ExamSession | None:
    slug = request.GET.get("round", "").strip()
    if slug:
        found = ExamSession.objects.filter(slug=slug).first()
        if found is not None:
            return found
    return session_current() or ExamSession.objects.first()


@academic_required
def plan_home(request):
    round = _round(request)
    if round is None:
        return render(request, "exams/staff/empty.html", {"message": NO_ROUND})
    plan = selectors.plan_for_round(round)
    sittings = selectors.sittings_overview(round=round)
    return render(
        request,
        "exams/staff/plan.html",
        {
            "round": round,
            "rounds": ExamSession.objects.all(),
            "plan": plan,
            "sittings": sittings,
            "all_drawn": bool(sittings) and all(s.seated for s in sittings),
            "classes": selectors.classes_with_tickets(round=round) if plan.is_published else [],
            "rooms": round.rooms.all(),
        },
    )


def _sitting(pk: int) -> Sitting:
    return get_object_or_404(Sitting.objects.select_related("round", "level"), pk=pk)


@academic_required
def sitting_detail(request, pk: int):
    sitting = _sitting(pk)
    plan = selectors.plan_for_round(sitting.round)
    return render(
        request,
        "exams/staff/sitting.html",
        {
            "sitting": sitting,
            "round": sitting.round,
            "plan": plan,
            "seats": selectors.sitting_seats(sitting=sitting),
            "draw": sitting.draws.select_related("drawn_by").first(),
            "seatable_count": selectors.seatable_registrations(
                round=sitting.round, level=sitting.level
            ).count(),
            "capacity": sum(room.capacity for room in sitting.rooms.all()),
            "form": DrawForm(),
        },
    )


@academic_required
@require_POST
def sitting_draw(request, pk: int):
    sitting = _sitting(pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("exams:sitting", pk=sitting.pk)
    try:
        draw = services.seats_assign(
            sitting=sitting,
            method=form.cleaned_data["method"],
            seed=form.cleaned_data["seed"],
            user=request.user,
        )
    except ExamPlanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, DRAWN.format(count=draw.seated))
    return redirect("exams:sitting", pk=sitting.pk)


@academic_required
@require_http_methods(["GET", "POST"])
def seat_move(request, pk: int):
    seat = get_object_or_404(
        Seat.objects.select_related("sitting__round", "sitting__level", "room", "registration"),
        pk=pk,
    )
    rooms = list(seat.sitting.rooms.order_by("building", "name", "id"))
    form = MoveForm(
        request.POST or None,
        rooms=rooms,
        initial={"room": seat.room_id, "number": seat.number},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.seat_move(
                seat=seat,
                room=form.rooms[form.cleaned_data["room"]],
                number=form.cleaned_data["number"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ExamPlanError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, MOVED.format(name=seat.registration.name))
            return redirect("exams:sitting", pk=seat.sitting_id)
    return render(
        request,
        "exams/staff/move.html",
        {"seat": seat, "form": form, "round": seat.sitting.round},
    )


@academic_required
@require_POST
def plan_publish(request, pk: int):
    round = get_object_or_404(ExamSession, pk=pk)
    try:
        services.plan_publish(round=round, user=request.user)
    except ExamPlanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, PUBLISHED)
    return redirect(f"{reverse('exams:plan')}?round={round.slug}")
