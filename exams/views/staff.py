"""教务 pages of the exam plan: sittings, seat draws, manual moves, publishing."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.access import access_required
from common.xlsx import content_disposition
from exams import selectors, services, tickets
from exams.forms import DrawForm, MoveForm
from exams.models import Room, Seat, Sitting
from exams.services import ExamPlanError
from registration.models import RegistrationStatus
from rounds.models import ExamRound
from rounds.selectors import round_of_request

DRAWN = _("已为 {count} 名考生安排座位。")
MOVED = _("已调整 {name} 的座位。")
PUBLISHED = _("考务安排已发布：座位已锁定，考生可下载准考证。")
NO_ROUND = _("还没有考试批次。")


@access_required(access.is_academic)
def plan_home(request):
    round = round_of_request(request)
    if round is None:
        return render(request, "exams/staff/empty.html", {"message": NO_ROUND})
    plan = selectors.plan_for_round(round)
    sittings = selectors.sittings_overview(round=round)
    return render(
        request,
        "exams/staff/plan.html",
        {
            "round": round,
            "rounds": ExamRound.objects.all(),
            "plan": plan,
            "sittings": sittings,
            "all_drawn": bool(sittings) and all(s.seated for s in sittings),
            "classes": selectors.classes_with_tickets(round=round) if plan.is_published else [],
            "rooms": round.rooms.all(),
        },
    )


def _sitting(pk: int) -> Sitting:
    return get_object_or_404(Sitting.objects.select_related("round", "level"), pk=pk)


@access_required(access.is_academic)
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
                round=sitting.round, level=sitting.level, subject=sitting.subject
            ).count(),
            "capacity": sum(room.capacity for room in sitting.rooms.all()),
            "form": DrawForm(),
        },
    )


@access_required(access.is_academic)
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


@access_required(access.is_academic)
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


@access_required(access.is_academic)
@require_POST
def plan_publish(request, pk: int):
    round = get_object_or_404(ExamRound, pk=pk)
    try:
        services.plan_publish(round=round, user=request.user)
    except ExamPlanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, PUBLISHED)
    return redirect(f"{reverse('exams:plan')}?round={round.slug}")


# --- PDFs for printing ---------------------------------------------------------------------------

TICKETS_NOT_PUBLISHED = _("考务安排发布后才能打印准考证。")
PICK_CLASS_OR_ROOM = _("请选择一个班级或一个考场。")


def _pdf_response(pdf: bytes, filename: str, fallback: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, fallback)
    return response


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


@access_required(access.is_academic)
def tickets_pdf(request, pk: int):
    """A class's or a room's tickets as one PDF, one ticket per page."""
    round = get_object_or_404(ExamRound, pk=pk)
    plan = selectors.plan_for_round(round)
    back = f"{reverse('exams:plan')}?round={round.slug}"
    if not plan.is_published:
        messages.error(request, TICKETS_NOT_PUBLISHED)
        return redirect(back)
    class_id, room_id = _int_param(request, "class"), _int_param(request, "room")
    # Cancelled candidates keep their seat row until the plan is re-drawn; never print their ticket.
    found = tickets.tickets_queryset().filter(
        registration__round=round, registration__status=RegistrationStatus.ACTIVE
    )
    if class_id is not None:
        found = found.filter(registration__school_class_id=class_id).order_by(
            "registration__student_number", "number"
        )
        label = f"class-{class_id}"
    elif room_id is not None:
        room = get_object_or_404(Room, pk=room_id, round=round)
        found = found.filter(registration__exam_seats__room=room).distinct().order_by("number")
        label = f"room-{room.pk}"
    else:
        messages.error(request, PICK_CLASS_OR_ROOM)
        return redirect(back)
    found = list(found)
    if not found:
        raise Http404
    pdf = tickets.tickets_pdf(plan=plan, tickets=found)
    return _pdf_response(pdf, f"准考证-{label}.pdf", f"tickets-{label}.pdf")


# The room's printed sheets: (template, file title, ASCII file name prefix) per kind.
ROOM_SHEETS = {
    "door": ("exams/pdf/room_list.html", "考场名单", "door"),
    "sign-in": ("exams/pdf/room_list.html", "签到表", "sign-in"),
    "labels": ("exams/pdf/seat_labels.html", "桌贴", "seat-labels"),
}


def _room_list(request, pk: int, room_pk: int, *, kind: str) -> HttpResponse:
    template, title, prefix = ROOM_SHEETS[kind]
    sitting = _sitting(pk)
    room = get_object_or_404(Room, pk=room_pk, sittings=sitting)
    pdf = tickets.render_pdf(
        template,
        {
            "sitting": sitting,
            "room": room,
            "round": sitting.round,
            "seats": selectors.room_seats(sitting=sitting, room=room),
            "sign_in": kind == "sign-in",
        },
    )
    return _pdf_response(
        pdf, f"{title}-{room.building}{room.name}.pdf", f"{prefix}-{sitting.pk}-{room.pk}.pdf"
    )


@access_required(access.is_academic)
def door_list_pdf(request, pk: int, room: int):
    """The list posted on the room's door: seat, name, ticket number (no ID numbers)."""
    return _room_list(request, pk, room, kind="door")


@access_required(access.is_academic)
def sign_in_pdf(request, pk: int, room: int):
    """The sign-in sheet: seat, name, ticket number, masked ID number, a box to sign."""
    return _room_list(request, pk, room, kind="sign-in")


@access_required(access.is_academic)
def seat_labels_pdf(request, pk: int, room: int):
    """Seat labels (桌贴), eight to an A4 page: seat, name, ticket number; no ID numbers."""
    return _room_list(request, pk, room, kind="labels")
