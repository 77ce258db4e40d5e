"""Writes of the exam plan: seat draws, manual moves, publishing. Keyword-only and atomic."""

import random
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from exams import guards
from exams.models import (
    AdmissionTicket,
    DrawMethod,
    ExamPlan,
    Room,
    Seat,
    SeatDraw,
    Sitting,
)
from exams.selectors import plan_for_round, seatable_registrations
from exams.ticket_format import ticket_format_check
from registration.messages import Event, notify_many_later

PLAN_LOCKED = _("考务安排已发布，座位已锁定，不能再修改。")
NO_ROOMS = _("该场次还没有指定考场。")
NO_CANDIDATES = _("该等级没有可安排座位的考生（需已确认、已缴费且无待满足条件）。")
NOT_ENOUGH_SEATS = _("考场座位不足：需要 {needed} 个座位，所选考场共 {available} 个。")
BAD_METHOD = _("未知的排座方式。")
BAD_SEED = _("随机种子须为 0 到 9223372036854775807 之间的整数。")
REASON_REQUIRED = _("请填写调整原因。")
ROOM_NOT_IN_SITTING = _("该考场不属于本场次。")
SEAT_OUT_OF_RANGE = _("座位号须在 1 到 {capacity} 之间。")
SEAT_TAKEN = _("该座位已有考生，请选择空座位。")
SITTING_NOT_DRAWN = _("场次“{sitting}”还没有排座，不能发布。")
NO_SITTINGS = _("本批次还没有考试场次，不能发布。")
BAD_TICKET_FORMAT = _("准考证号格式无效：{error}")
TICKET_NUMBER_LENGTH = _("准考证号格式生成的号码为空或超过40个字符。")
TICKET_NUMBER_CLASH = _("准考证号格式生成了重复的号码，请在格式中包含 {seq}。")

SEED_MAX = 2**63 - 1
REASON_MAX_LENGTH = 200


@dataclass
class ExamPlanError(Exception):
    message: str
    field: str | None = None

    def __str__(self) -> str:
        return str(self.message)


def _plan_locked(round) -> ExamPlan:
    """The plan, locked for the rest of the transaction; refuses once published."""
    plan_for_round(round)
    plan = ExamPlan.objects.select_for_update().get(round=round)
    if plan.is_published:
        raise ExamPlanError(PLAN_LOCKED)
    return plan


def seat_order(*, candidates: list, method: str, seed: int | None) -> list:
    """The order candidates take the seats in: a seeded shuffle of the id order, or class order.

    The shuffle starts from the candidates sorted by id, so the same seed and the same candidates
    always give the same seats, whatever order the database returned them in.
    """
    if method == DrawMethod.BY_CLASS:
        return list(candidates)
    ordered = sorted(candidates, key=lambda registration: registration.pk)
    random.Random(seed).shuffle(ordered)
    return ordered


def seat_plan(*, candidates: list, rooms: list, method: str, seed: int | None) -> list[tuple]:
    """(candidate, room, seat number) for each candidate: rooms filled in order from seat 1.

    Pure (no database), so its guarantees are tested on any mix of rooms and candidates.
    """
    available = sum(room.capacity for room in rooms)
    if len(candidates) > available:
        raise ExamPlanError(NOT_ENOUGH_SEATS.format(needed=len(candidates), available=available))
    slots = ((room, number) for room in rooms for number in range(1, room.capacity + 1))
    ordered = seat_order(candidates=candidates, method=method, seed=seed)
    return [(c, room, number) for c, (room, number) in zip(ordered, slots, strict=False)]


@transaction.atomic
def seats_assign(*, sitting: Sitting, method: str, seed: int | None = None, user=None) -> SeatDraw:
    """Seat every seatable candidate of the sitting's level, filling its rooms in order.

    Replaces the sitting's previous seats (re-runnable until the plan is published); the draw
    row records method and seed, so anyone can reproduce the seats.
    """
    _plan_locked(sitting.round)
    if method not in DrawMethod.values:
        raise ExamPlanError(BAD_METHOD, "method")
    if method == DrawMethod.RANDOM:
        if seed is None:
            seed = secrets.randbelow(SEED_MAX)
        if not 0 <= seed <= SEED_MAX:
            raise ExamPlanError(BAD_SEED, "seed")
    else:
        seed = None
    rooms = list(sitting.rooms.order_by("building", "name", "id"))
    if not rooms:
        raise ExamPlanError(NO_ROOMS)
    # Rooms set up before the admin's checks existed (or written around them) may be of another
    # round or booked twice at one time: seating them would put two candidates on one seat.
    problem = guards.sitting_rooms_problem(
        sitting, round_id=sitting.round_id, rooms=rooms
    ) or guards.sitting_overlap_problem(
        sitting, date=sitting.date, start=sitting.start_time, end=sitting.end_time, rooms=rooms
    )
    if problem:
        raise ExamPlanError(problem)
    candidates = list(
        seatable_registrations(round=sitting.round, level=sitting.level, subject=sitting.subject)
    )
    if not candidates:
        raise ExamPlanError(NO_CANDIDATES)
    seats = [
        Seat(sitting=sitting, registration=registration, room=room, number=number)
        for registration, room, number in seat_plan(
            candidates=candidates, rooms=rooms, method=method, seed=seed
        )
    ]
    Seat.objects.filter(sitting=sitting).delete()
    bulk_create_with_history(seats, Seat, default_user=user, default_change_reason="draw")
    draw = SeatDraw(sitting=sitting, method=method, seed=seed, seated=len(seats), drawn_by=user)
    draw.full_clean()
    draw.save()
    return draw


@transaction.atomic
def seat_move(*, seat: Seat, room: Room, number: int, reason: str, user=None) -> Seat:
    """Move one candidate to a free seat of the same sitting, with the reason on record."""
    seat = Seat.objects.select_related("sitting__round").get(pk=seat.pk)
    _plan_locked(seat.sitting.round)
    reason = (reason or "").strip()
    if not reason:
        raise ExamPlanError(REASON_REQUIRED, "reason")
    if len(reason) > REASON_MAX_LENGTH:
        reason = reason[:REASON_MAX_LENGTH]
    if not seat.sitting.rooms.filter(pk=room.pk).exists():
        raise ExamPlanError(ROOM_NOT_IN_SITTING, "room")
    if not 1 <= number <= room.capacity:
        raise ExamPlanError(SEAT_OUT_OF_RANGE.format(capacity=room.capacity), "number")
    if (
        Seat.objects.filter(sitting=seat.sitting, room=room, number=number)
        .exclude(pk=seat.pk)
        .exists()
    ):
        raise ExamPlanError(SEAT_TAKEN, "number")
    seat.room = room
    seat.number = number
    seat.move_reason = reason
    seat._change_reason = reason
    seat._history_user = user
    seat.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            seat.save()
    except IntegrityError as error:  # a concurrent move took the seat first
        raise ExamPlanError(SEAT_TAKEN, "number") from error
    return seat


def ticket_number(*, template: str, year: int, round_id: int, level_code: int, seq: int) -> str:
    # Whitelisted before any formatting: a spec such as {seq:>300000000} allocates 354 MB.
    try:
        ticket_format_check(template)
    except ValidationError as error:
        raise ExamPlanError(
            BAD_TICKET_FORMAT.format(error="；".join(error.messages)), "ticket_number_format"
        ) from None
    try:
        number = template.format(year=year, round=round_id, level=level_code, seq=seq)
    except (KeyError, IndexError, ValueError) as error:
        raise ExamPlanError(
            BAD_TICKET_FORMAT.format(error=error), "ticket_number_format"
        ) from error
    if not number or len(number) > 40:
        raise ExamPlanError(TICKET_NUMBER_LENGTH, "ticket_number_format")
    return number


@transaction.atomic
def plan_publish(*, round, user=None) -> ExamPlan:
    """Lock the seats and number the admission tickets (in level, room and seat order)."""
    plan = _plan_locked(round)
    sittings = list(
        Sitting.objects.filter(round=round).select_related("level").order_by("date", "start_time")
    )
    if not sittings:
        raise ExamPlanError(NO_SITTINGS)
    for sitting in sittings:
        if not sitting.draws.exists():
            raise ExamPlanError(SITTING_NOT_DRAWN.format(sitting=sitting))
    year = sittings[0].date.year
    seats = (
        Seat.objects.filter(sitting__round=round)
        .select_related("registration__level", "room")
        .order_by(
            "-registration__level__code",
            "sitting__date",
            "sitting__start_time",
            "room__building",
            "room__name",
            "number",
        )
    )
    numbered: dict[int, str] = {}
    seen_numbers: set[str] = set()
    for seat in seats:
        registration = seat.registration
        if registration.pk in numbered:
            continue
        number = ticket_number(
            template=plan.ticket_number_format,
            year=year,
            round_id=round.pk,
            level_code=registration.level.code,
            seq=len(numbered) + 1,
        )
        if number in seen_numbers:
            raise ExamPlanError(TICKET_NUMBER_CLASH, "ticket_number_format")
        seen_numbers.add(number)
        numbered[registration.pk] = number
    AdmissionTicket.objects.filter(registration__round=round).delete()
    bulk_create_with_history(
        [AdmissionTicket(registration_id=pk, number=n) for pk, n in numbered.items()],
        AdmissionTicket,
        default_user=user,
        default_change_reason="publish",
    )
    plan.published_at = timezone.now()
    plan.published_by = user
    plan._change_reason = "publish"
    plan.full_clean()
    plan.save()
    # Every candidate hears their ticket is ready (written by the worker, once each).
    notify_many_later(list(numbered), Event.TICKET_READY, exam_round=round)
    return plan
