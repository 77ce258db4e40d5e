"""Exam-day check-in: an invigilator scans a ticket, or finds the candidate by hand and checks
their 身份证, and the candidate is marked present.

Two paths, kept apart:

- **Scan** (`candidate_check_in`): only a signed QR (`<ticket number>:<signature>`) is accepted.
  A bare ticket number, typed or in a plain QR, proves nothing about who holds it, and is refused
  with a pointer to the manual path.
- **Manual** (`candidate_find_manual`, then `candidate_check_in_manual`): a typed ticket number
  or a name finds the candidate of this room; the invigilator sees their photo, name and seat,
  compares the 身份证, and ticks that they did. The row is marked `CheckInMethod.MANUAL`, and the
  attendance export and the sign-in sheet say so.

One CheckIn row per seat (a OneToOne in the database), so two invigilators of one room can scan
at the same time: different candidates both land, the same candidate twice is refused.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from common.normalize import name_normalize
from exams.models import AdmissionTicket, CheckIn, CheckInMethod, Room, Seat, Sitting
from exams.tickets import ticket_number_from_token
from registration.models import RegistrationStatus

EMPTY_CODE = _("请扫描准考证二维码或输入准考证号。")
TAMPERED = _("二维码无效：不是本系统签发的准考证或已被篡改，请核对身份证并手工输入准考证号。")
UNKNOWN_TICKET = _("未找到准考证号 {number}，请核对。")
# Neither names the candidate nor where they sit: ticket numbers follow a pattern, and an
# invigilator of one room must not be able to list the round's seating by typing numbers. The
# candidate's own ticket shows their room and seat.
OTHER_SITTING = _("准考证号 {number} 不参加本场次考试，请核对准考证上的考试时间。")
OTHER_ROOM = _("准考证号 {number} 不在本考场，请考生按准考证上的考场和座位号就座。")
CANCELLED = _("准考证号 {number} 对应的报名已取消，不能签到。请联系考务办公室。")
ALREADY = _("{name}（{seat} 号）已于 {time} 签到，不能重复签到。")
NOT_ASSIGNED = _("您未被安排监考该考场的本场次。")
BARE_NUMBER = _(
    "扫码签到只接受准考证上的二维码，不接受手工输入或无签名的号码。"
    "请使用下方“手工签到”：查找考生并核对身份证后确认。"
)
EMPTY_QUERY = _("请输入准考证号或考生姓名。")
NAME_NOT_FOUND = _("本考场本场次没有名为“{name}”的考生，请核对姓名或输入准考证号。")
NAME_AMBIGUOUS = _("本考场有 {count} 名考生名为“{name}”（座位 {seats}），请输入准考证号。")
ID_NOT_CONFIRMED = _("手工签到须先核对考生身份证原件（姓名、照片与本人一致），并勾选确认。")
SEAT_NOT_HERE = _("该考生不在本考场本场次，请重新查找。")
MAX_CODE_LENGTH = 120


@dataclass
class CheckInError(Exception):
    message: str
    seat: Seat | None = None

    def __str__(self) -> str:
        return str(self.message)


def may_invigilate(*, user, sitting: Sitting, room: Room) -> bool:
    return access.is_invigilator_of(user, sitting=sitting, room=room)


def _signed_number(code: str) -> str:
    """The ticket number a scanned code carries; a bare or altered code is refused."""
    code = (code or "").strip()
    if not code:
        raise CheckInError(EMPTY_CODE)
    if len(code) > MAX_CODE_LENGTH:
        raise CheckInError(TAMPERED)
    if ":" not in code:  # a typed number, or a plain QR: no signature
        raise CheckInError(BARE_NUMBER)
    number = ticket_number_from_token(code)
    if number is None:
        raise CheckInError(TAMPERED)
    return number


def _seat_of_number(*, sitting: Sitting, room: Room, number: str) -> Seat:
    """The seat in this sitting and room of the holder of ticket `number`, else CheckInError."""
    ticket = AdmissionTicket.objects.select_related("registration").filter(number=number).first()
    if ticket is None or ticket.registration.round_id != sitting.round_id:
        raise CheckInError(UNKNOWN_TICKET.format(number=number[:40]))
    registration = ticket.registration
    if registration.status != RegistrationStatus.ACTIVE:
        raise CheckInError(CANCELLED.format(number=number))
    seat = (
        Seat.objects.select_related("room", "sitting__level", "registration")
        .filter(sitting=sitting, registration=registration)
        .first()
    )
    if seat is None:
        raise CheckInError(OTHER_SITTING.format(number=number))
    if seat.room_id != room.pk:
        raise CheckInError(OTHER_ROOM.format(number=number))
    return seat


def _already(seat: Seat) -> CheckInError:
    earlier = CheckIn.objects.filter(seat=seat).first()
    when = timezone.localtime(earlier.checked_in_at).strftime("%H:%M") if earlier else ""
    return CheckInError(
        ALREADY.format(name=seat.registration.name, seat=f"{seat.number:02d}", time=when),
        seat=seat,
    )


def _check_in(*, seat: Seat, user, method: str) -> CheckIn:
    check_in = CheckIn(seat=seat, checked_in_by=user, method=method)
    check_in._change_reason = method
    try:
        with transaction.atomic():
            check_in.save()
    except IntegrityError:
        raise _already(seat) from None
    return check_in


@transaction.atomic
def candidate_check_in(*, sitting: Sitting, room: Room, code: str, user) -> CheckIn:
    """Scan path: mark the holder of a signed ticket QR present at their seat in this room."""
    if not may_invigilate(user=user, sitting=sitting, room=room):
        raise CheckInError(NOT_ASSIGNED)
    number = _signed_number(code)
    seat = _seat_of_number(sitting=sitting, room=room, number=number)
    return _check_in(seat=seat, user=user, method=CheckInMethod.SCAN)


def candidate_find_manual(*, sitting: Sitting, room: Room, query: str, user) -> Seat:
    """Manual path, step 1 (reads only): the seat of this room and sitting whose ticket number or
    name was typed, shown to the invigilator for the 身份证 check. A name matches only within the
    room (an invigilator cannot list the round's seating by typing names)."""
    if not may_invigilate(user=user, sitting=sitting, room=room):
        raise CheckInError(NOT_ASSIGNED)
    query = (query or "").strip()
    if not query:
        raise CheckInError(EMPTY_QUERY)
    if len(query) > MAX_CODE_LENGTH:
        raise CheckInError(UNKNOWN_TICKET.format(number=query[:40]))
    if ":" in query:  # a scanned code pasted here: take its number if it is signed
        query = ticket_number_from_token(query) or query
    number = query.upper()
    if AdmissionTicket.objects.filter(number=number).exists():
        seat = _seat_of_number(sitting=sitting, room=room, number=number)
    else:
        name = name_normalize(query)
        seats = list(
            Seat.objects.select_related("room", "sitting__level", "registration")
            .filter(
                sitting=sitting,
                room=room,
                registration__name=name,
                registration__status=RegistrationStatus.ACTIVE,
            )
            .order_by("number")
        )
        if not seats:
            raise CheckInError(NAME_NOT_FOUND.format(name=name[:30]))
        if len(seats) > 1:
            raise CheckInError(
                NAME_AMBIGUOUS.format(
                    count=len(seats),
                    name=name,
                    seats="、".join(f"{seat.number:02d}" for seat in seats),
                )
            )
        seat = seats[0]
    if CheckIn.objects.filter(seat=seat).exists():
        raise _already(seat)
    return seat


@transaction.atomic
def candidate_check_in_manual(
    *, sitting: Sitting, room: Room, seat_id: int, id_checked: bool, user
) -> CheckIn:
    """Manual path, step 2: the invigilator confirmed the 身份证 of the candidate shown; the
    check-in is marked manual."""
    if not may_invigilate(user=user, sitting=sitting, room=room):
        raise CheckInError(NOT_ASSIGNED)
    seat = (
        Seat.objects.select_related("room", "sitting__level", "registration")
        .filter(pk=seat_id, sitting=sitting, room=room)
        .first()
    )
    if seat is None:
        raise CheckInError(SEAT_NOT_HERE)
    if seat.registration.status != RegistrationStatus.ACTIVE:
        raise CheckInError(CANCELLED.format(number=_number_of(seat)))
    if not id_checked:
        raise CheckInError(ID_NOT_CONFIRMED, seat=seat)
    return _check_in(seat=seat, user=user, method=CheckInMethod.MANUAL)


def _number_of(seat: Seat) -> str:
    ticket = AdmissionTicket.objects.filter(registration_id=seat.registration_id).first()
    return ticket.number if ticket else ""
