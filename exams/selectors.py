"""Reads of the exam plan; `seatable_registrations` alone decides who gets a seat."""

from django.db.models import Count, Prefetch, Q, QuerySet

from exams.models import AdmissionTicket, CheckIn, ExamPlan, Room, Seat, Sitting
from registration.candidate_data import ExamType
from registration.models import (
    PaymentStatus,
    PendingRequirement,
    Registration,
    RegistrationStatus,
    ReviewStatus,
)
from rounds.models import ExamRound, SkillLevel


def _paid(queryset: QuerySet) -> QuerySet:
    """Paid in full: the ledger-derived state is 已缴费 or 多缴 (the excess is refunded apart)."""
    return queryset.filter(payment_status__in=[PaymentStatus.PAID, PaymentStatus.OVERPAID])


def _requirement_met(queryset: QuerySet) -> QuerySet:
    """No requirement open: none was set, or the school's training is complete (结业).

    A conditional candidate (pending_requirement == "training") becomes seatable once their
    training enrollment (`registration.training`) has a completion date; anyone still in
    training, or never assigned to a training class, is left out, as the announcement
    demands of 在校生.
    """
    return queryset.filter(
        Q(pending_requirement=PendingRequirement.NONE)
        | Q(
            pending_requirement=PendingRequirement.TRAINING,
            training_enrollment__completed_on__isnull=False,
        )
    )


def seatable_registrations(
    *, round: ExamRound, level: SkillLevel, subject: str | None = None
) -> QuerySet[Registration]:
    """Candidates who may be seated for a level of a round, in class order.

    Active, confirmed by their counselor (which covers eligibility: a registration exists only
    after the rules accepted it), paid, and with no requirement still open. For one `subject`'s
    sitting, a retake (补考) registration that does not sit that subject (免考) is left out.
    """
    queryset = Registration.objects.active().filter(
        round=round, level=level, review_status=ReviewStatus.CONFIRMED
    )
    if subject is not None:
        queryset = queryset.exclude(**{f"exam_type_{subject}": ExamType.EXEMPT})
    queryset = _requirement_met(_paid(queryset))
    return queryset.select_related("school_class").order_by(
        "school_class__name", "student_number", "pk"
    )


def plan_for_round(round: ExamRound) -> ExamPlan:
    """The round's plan, created on first use (a plan with nothing in it is harmless)."""
    plan, _ = ExamPlan.objects.get_or_create(round=round)
    return plan


def sittings_overview(*, round: ExamRound) -> list[Sitting]:
    """Sittings of a round with their rooms, seated count and latest draw (three queries)."""
    return list(
        Sitting.objects.filter(round=round)
        .select_related("level")
        .annotate(seated=Count("seats", distinct=True))
        .prefetch_related(
            Prefetch("rooms", queryset=Room.objects.order_by("building", "name", "id")),
        )
    )


def sitting_seats(*, sitting: Sitting) -> QuerySet[Seat]:
    return (
        Seat.objects.filter(sitting=sitting)
        .select_related("room", "registration__school_class", "check_in")
        .order_by("room__building", "room__name", "room_id", "number")
    )


def tickets_of_round(*, round: ExamRound) -> QuerySet[AdmissionTicket]:
    return AdmissionTicket.objects.filter(registration__round=round)


def seats_of_registration(*, registration: Registration) -> list[Seat]:
    return list(
        Seat.objects.filter(registration=registration)
        .select_related("sitting", "room")
        .order_by("sitting__date", "sitting__start_time")
    )


def room_attendance(*, sitting: Sitting) -> list[dict]:
    """Per room of a sitting: 应到 (seated), 实到 (checked in) and 缺考 (the difference)."""
    rows = (
        Seat.objects.filter(sitting=sitting)
        .values("room_id", "room__building", "room__name")
        .annotate(expected=Count("id"), present=Count("check_in"))
        .order_by("room__building", "room__name", "room_id")
    )
    return [{**row, "absent": row["expected"] - row["present"]} for row in rows]


def check_ins_of(*, sitting: Sitting) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(seat__sitting=sitting)


def classes_with_tickets(*, round: ExamRound):
    """Classes that have ticket holders in a round, with their count (for printing by class)."""
    from rounds.models import SchoolClass

    return (
        SchoolClass.objects.filter(
            registrations__round=round, registrations__admission_ticket__isnull=False
        )
        .annotate(tickets=Count("registrations__admission_ticket", distinct=True))
        .order_by("name")
    )


def ticket_of_registration(*, registration: Registration) -> AdmissionTicket | None:
    """The candidate's ticket once the round's plan is published, else None."""
    return (
        AdmissionTicket.objects.select_related(
            "registration__round", "registration__level", "registration__school_class"
        )
        .filter(
            registration=registration,
            registration__status=RegistrationStatus.ACTIVE,
            registration__round__exam_plan__published_at__isnull=False,
        )
        .first()
    )


def room_seats(*, sitting: Sitting, room: Room) -> QuerySet[Seat]:
    """Seats of one room in one sitting, with the ticket numbers (for door lists and sign-in)."""
    return (
        Seat.objects.filter(sitting=sitting, room=room)
        .select_related("registration__admission_ticket", "registration__school_class", "check_in")
        .order_by("number")
    )


def invigilations_of(*, user) -> QuerySet:
    from exams.models import Invigilation

    return (
        Invigilation.objects.filter(invigilator=user)
        .select_related("sitting__level", "sitting__round", "room")
        .order_by("sitting__date", "sitting__start_time", "room__name")
    )


def room_roll(*, sitting: Sitting, room: Room) -> dict:
    """The room's seats with who is present, and 应到 / 实到 / 缺考 (one query)."""
    seats = list(
        Seat.objects.filter(sitting=sitting, room=room)
        .select_related("registration__admission_ticket", "check_in")
        .order_by("number")
    )
    present = sum(1 for seat in seats if hasattr(seat, "check_in"))
    return {
        "seats": seats,
        "expected": len(seats),
        "present": present,
        "absent": len(seats) - present,
    }
