"""Exam-day pages for invigilators (phone first) and the attendance export for 教务."""

from django import forms
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from accounts import access
from accounts.access import access_required
from common.xlsx import (
    Column,
    content_disposition,
    local_naive,
    sheet_add,
    sheet_append,
    sheet_finish,
)
from exams import checkin, selectors
from exams.checkin import CheckInError
from exams.models import Room, Sitting
from registration.photos import photo_data_uri

NOT_YOUR_ROOM = _("您没有被安排在这个考场监考。")
CHECKED_IN = _("签到成功：请核对本人与身份证、准考证一致。")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("准考证二维码"), max_length=checkin.MAX_CODE_LENGTH)


class ManualFindForm(forms.Form):
    query = forms.CharField(label=_("准考证号或姓名"), max_length=checkin.MAX_CODE_LENGTH)


class ManualConfirmForm(forms.Form):
    seat = forms.IntegerField(min_value=1)
    id_checked = forms.BooleanField(
        label=_("我已核对考生身份证原件：姓名、照片与本人一致"), required=False
    )


def _sitting_room(request, pk: int, room_pk: int):
    sitting = get_object_or_404(Sitting.objects.select_related("level", "round"), pk=pk)
    room = get_object_or_404(Room, pk=room_pk, sittings=sitting)
    if not checkin.may_invigilate(user=request.user, sitting=sitting, room=room):
        return sitting, room, False
    return sitting, room, True


@access_required(access.may_check_in)
def checkin_home(request):
    assignments = list(selectors.invigilations_of(user=request.user))
    return render(request, "exams/checkin/home.html", {"assignments": assignments})


@never_cache
@access_required(access.may_check_in)
@require_http_methods(["GET", "POST"])
def checkin_room(request, pk: int, room: int):
    """Scan (signed QR only) or the manual path (find by number or name, confirm the 身份证)."""
    sitting, room, allowed = _sitting_room(request, pk, room)
    access.require(allowed, NOT_YOUR_ROOM)
    result = error = pending = None
    action = request.POST.get("action", "scan") if request.method == "POST" else ""
    try:
        if action == "find":
            find = ManualFindForm(request.POST)
            if not find.is_valid():
                raise CheckInError(checkin.EMPTY_QUERY)
            pending = checkin.candidate_find_manual(
                sitting=sitting, room=room, query=find.cleaned_data["query"], user=request.user
            )
        elif action == "confirm":
            confirm = ManualConfirmForm(request.POST)
            if not confirm.is_valid():
                raise CheckInError(checkin.SEAT_NOT_HERE)
            result = checkin.candidate_check_in_manual(
                sitting=sitting,
                room=room,
                seat_id=confirm.cleaned_data["seat"],
                id_checked=confirm.cleaned_data["id_checked"],
                user=request.user,
            )
        elif action == "scan":
            scan = CheckInForm(request.POST)
            if not scan.is_valid():
                raise CheckInError(checkin.EMPTY_CODE)
            result = checkin.candidate_check_in(
                sitting=sitting, room=room, code=scan.cleaned_data["code"], user=request.user
            )
    except CheckInError as failure:
        error = failure
        if action == "confirm" and failure.message == checkin.ID_NOT_CONFIRMED:
            pending = failure.seat  # ask again, for the same candidate
    shown_seat = result.seat if result else (pending or getattr(error, "seat", None))
    return render(
        request,
        "exams/checkin/room.html",
        {
            "sitting": sitting,
            "room": room,
            "form": CheckInForm(),
            "result": result,
            "error": error,
            # The candidate to look at: the one just checked in, the one found for the manual
            # check, or the one refused here.
            "shown_seat": shown_seat,
            "pending": pending,
            "confirm_form": ManualConfirmForm(),
            # Inline: the invigilator sees the photo of the candidate shown, and no one else's.
            "shown_photo": photo_data_uri(shown_seat.registration.photo) if shown_seat else "",
            "checked_in_message": CHECKED_IN,
            "manual_open": action in ("find", "confirm") and result is None,
            "roll": selectors.room_roll(sitting=sitting, room=room),
        },
        status=200 if error is None else 409,
    )


@never_cache
@access_required(access.may_check_in)
def checkin_roll(request, pk: int, room: int):
    """应到 / 实到 / 缺考 of a room, polled by the check-in page."""
    sitting, room, allowed = _sitting_room(request, pk, room)
    access.require(allowed, NOT_YOUR_ROOM)
    roll = selectors.room_roll(sitting=sitting, room=room)
    return JsonResponse({key: roll[key] for key in ("expected", "present", "absent")})


ATTENDANCE_COLUMNS = [
    Column("考场", 18, lambda seat: str(seat.room)),
    Column("座位号", 8, lambda seat: seat.number, "int"),
    Column("准考证号", 18, lambda seat: _ticket_number_of(seat), "code"),
    Column("姓名", 12, lambda seat: seat.registration.name),
    Column("身份证号", 22, lambda seat: seat.registration.id_number, "code"),
    Column("班级", 18, lambda seat: getattr(seat.registration.school_class, "name", "")),
    Column("签到", 8, lambda seat: "实到" if hasattr(seat, "check_in") else "缺考"),
    Column(
        "签到方式",
        10,
        lambda seat: seat.check_in.get_method_display() if hasattr(seat, "check_in") else "",
    ),
    Column(
        "签到时间",
        18,
        lambda seat: (
            local_naive(seat.check_in.checked_in_at) if hasattr(seat, "check_in") else None
        ),
        "datetime",
    ),
]


@access_required(access.is_academic)
def attendance_export(request, pk: int):
    """Every seat of a sitting with 实到 / 缺考; full ID numbers, as 教务 report to the platform."""
    sitting = get_object_or_404(Sitting.objects.select_related("level", "round"), pk=pk)
    seats = selectors.sitting_seats(sitting=sitting).select_related(
        "registration__admission_ticket"
    )
    workbook = Workbook(write_only=True)
    sheet = sheet_add(workbook, "考勤", ATTENDANCE_COLUMNS)
    rows = 0
    for seat in seats:
        sheet_append(sheet, ATTENDANCE_COLUMNS, seat)
        rows += 1
    sheet_finish(sheet, ATTENDANCE_COLUMNS, rows)
    response = HttpResponse(content_type=XLSX)
    workbook.save(response)
    response["Content-Disposition"] = content_disposition(
        f"考勤-{sitting.level.name}{sitting.get_subject_display()}.xlsx",
        f"attendance-{sitting.pk}.xlsx",
    )
    return response


def _ticket_number_of(seat) -> str:
    """Blank before the plan is published: seats exist then, tickets do not yet."""
    ticket = getattr(seat.registration, "admission_ticket", None)
    return ticket.number if ticket is not None else ""
