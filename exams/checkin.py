"""Exam-day check-in: an invigilator scans or types a ticket and the candidate is marked present.

One CheckIn row per seat (a OneToOne in the database), so two invigilators of one room can scan
at the same time: different candidates both land, the same candidate twice is refused.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from exams.models import AdmissionTicket, CheckIn, Room, Seat, Sitting
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
MAX_CODE_LENGTH = 120


@dataclass
class CheckInError(Exception):
    message: str
    seat: Seat | None = None

    def __str__(self) -> str:
        return str(self.message)


def may_invigilate(*, user, sitting: Sitting, room: Room) -> bool:
    return access.is_invigilator_of(user, sitting=sitting, room=room)


def _ticket_number(code: str) -> str:
    code = (code or "").strip()
    if not code:
        raise CheckInError(EMPTY_CODE)
    if len(code) > MAX_CODE_LENGTH:
        raise CheckInError(TAMPERED)
    if ":" in code:  # a scanned QR: number and signature
        number = ticket_number_from_token(code)
        if number is None:
            raise CheckInError(TAMPERED)
        return number
    return code.upper()


@transaction.atomic
def candidate_check_in(*, sitting: Sitting, room: Room, code: str, user) -> CheckIn:
    """Mark the holder of a ticket present at their seat in this room and sitting."""
    if not may_invigilate(user=user, sitting=sitting, room=room):
        raise CheckInError(NOT_ASSIGNED)
    number = _ticket_number(code)
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
    check_in = CheckIn(seat=seat, checked_in_by=user)
    try:
        with transaction.atomic():
            check_in.save()
    except IntegrityError:
        earlier = CheckIn.objects.filter(seat=seat).first()
        when = timezone.localtime(earlier.checked_in_at).strftime("%H:%M") if earlier else ""
        raise CheckInError(
            ALREADY.format(name=registration.name, seat=f"{seat.number:02d}", time=when),
            seat=seat,
        ) from None
    return check_in
