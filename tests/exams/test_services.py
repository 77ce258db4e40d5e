"""Seat draws, moves and publishing of the exam plan."""

import pytest

from exams import services
from exams.models import AdmissionTicket, DrawMethod, ExamPlan, Seat, SeatDraw
from exams.selectors import plan_for_round, seatable_registrations
from exams.services import ExamPlanError
from tests.exams.conftest import seatable
from tests.factories import SchoolClassFactory, level

pytestmark = pytest.mark.django_db


def _seat_map(sitting):
    return {
        (seat.registration_id): (seat.room_id, seat.number)
        for seat in Seat.objects.filter(sitting=sitting)
    }


def test_seatable_registrations_leaves_out_ineligible_unpaid_pending(exam_round, level3):
    good = seatable(exam_round, level3)
    seatable(exam_round, level3, payment_status="unpaid")
    seatable(exam_round, level3, payment_status="refunded")
    seatable(exam_round, level3, payment_status="partial")
    seatable(exam_round, level3, payment_status="refund_due")
    seatable(exam_round, level3, review_status="pending")
    seatable(exam_round, level3, review_status="returned")
    seatable(exam_round, level3, status="cancelled")
    seatable(exam_round, level3, pending_requirement="training")
    seatable(exam_round, level(4))  # another level
    result = list(seatable_registrations(round=exam_round, level=level3))
    assert result == [good]


def test_seatable_registrations_one_query(exam_round, level3, django_assert_num_queries):
    for _ in range(3):
        seatable(exam_round, level3)
    with django_assert_num_queries(1):
        rows = list(seatable_registrations(round=exam_round, level=level3))
        [row.school_class.name for row in rows]


def test_seats_assign_seats_each_candidate_once_within_capacity(exam_round, level3, sitting):
    people = [seatable(exam_round, level3) for _ in range(7)]
    seatable(exam_round, level3, payment_status="unpaid")
    draw = services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=42)
    seats = list(Seat.objects.filter(sitting=sitting).select_related("room"))
    assert draw.seated == 7
    assert sorted(s.registration_id for s in seats) == sorted(p.pk for p in people)
    for room in sitting.rooms.all():
        numbers = [s.number for s in seats if s.room_id == room.pk]
        assert len(numbers) <= room.capacity
        assert len(set(numbers)) == len(numbers)
        assert all(1 <= n <= room.capacity for n in numbers)


def test_seats_assign_refuses_when_rooms_too_small_and_writes_nothing(exam_round, level3, sitting):
    for _ in range(8):  # 3 + 4 seats
        seatable(exam_round, level3)
    with pytest.raises(ExamPlanError) as error:
        services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=1)
    assert "需要 8 个座位" in str(error.value)
    assert not Seat.objects.exists()
    assert not SeatDraw.objects.exists()


def test_seats_assign_is_reproducible_from_its_seed(exam_round, level3, sitting):
    for _ in range(7):
        seatable(exam_round, level3)
    services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=20220625)
    first = _seat_map(sitting)
    services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=7)
    other = _seat_map(sitting)
    services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=20220625)
    assert _seat_map(sitting) == first
    assert other != first
    assert SeatDraw.objects.filter(sitting=sitting).count() == 3


def test_seats_assign_records_a_seed_when_none_given(exam_round, level3, sitting):
    for _ in range(5):
        seatable(exam_round, level3)
    draw = services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM)
    assert draw.seed is not None
    seats = _seat_map(sitting)
    services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=draw.seed)
    assert _seat_map(sitting) == seats


def test_seats_assign_by_class_keeps_classmates_together(exam_round, level3, sitting):
    class_b = SchoolClassFactory(name="电商2班")
    class_a = SchoolClassFactory(name="电商1班")
    b = [seatable(exam_round, level3, school_class=class_b) for _ in range(3)]
    a = [seatable(exam_round, level3, school_class=class_a) for _ in range(3)]
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    order = [
        seat.registration_id
        for seat in Seat.objects.filter(sitting=sitting).order_by("room__name", "number")
    ]
    assert order == [r.pk for r in a + b]
    assert SeatDraw.objects.get().seed is None


def test_seat_move_needs_reason_and_free_seat(exam_round, level3, sitting, rooms):
    for _ in range(4):
        seatable(exam_round, level3)
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    seat = Seat.objects.get(room=rooms[0], number=1)
    with pytest.raises(ExamPlanError, match="调整原因"):
        services.seat_move(seat=seat, room=rooms[1], number=4, reason="  ")
    with pytest.raises(ExamPlanError, match="已有考生"):
        services.seat_move(seat=seat, room=rooms[0], number=2, reason="视力原因")
    with pytest.raises(ExamPlanError, match="1 到 4"):
        services.seat_move(seat=seat, room=rooms[1], number=5, reason="视力原因")
    moved = services.seat_move(seat=seat, room=rooms[1], number=4, reason="视力原因，坐前排")
    assert (moved.room, moved.number, moved.move_reason) == (rooms[1], 4, "视力原因，坐前排")
    assert moved.history.first().history_change_reason == "视力原因，坐前排"


def test_publish_locks_seats_and_numbers_tickets(exam_round, level3, sitting, skill_sitting):
    people = [seatable(exam_round, level3) for _ in range(5)]
    with pytest.raises(ExamPlanError, match="还没有排座"):
        services.plan_publish(round=exam_round)
    services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=3)
    services.seats_assign(sitting=skill_sitting, method=DrawMethod.BY_CLASS)
    plan = services.plan_publish(round=exam_round)
    assert plan.is_published
    tickets = AdmissionTicket.objects.filter(registration__in=people)
    assert tickets.count() == 5
    assert len({t.number for t in tickets}) == 5
    assert all(t.number.startswith(f"2022{exam_round.pk:03d}3") for t in tickets)
    seat = Seat.objects.filter(sitting=sitting).first()
    with pytest.raises(ExamPlanError, match="已发布"):
        services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=3)
    with pytest.raises(ExamPlanError, match="已发布"):
        services.seat_move(seat=seat, room=seat.room, number=3, reason="x")
    with pytest.raises(ExamPlanError, match="已发布"):
        services.plan_publish(round=exam_round)
    assert ExamPlan.history.filter(history_change_reason="publish").count() == 1


def test_publish_refuses_a_format_without_seq(exam_round, level3, sitting):
    for _ in range(2):
        seatable(exam_round, level3)
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    plan = plan_for_round(exam_round)
    plan.ticket_number_format = "{year}{level}"
    plan.save()
    with pytest.raises(ExamPlanError, match="重复"):
        services.plan_publish(round=exam_round)
    plan.ticket_number_format = "{year}{nope}"
    plan.save()
    with pytest.raises(ExamPlanError, match="格式无效"):
        services.plan_publish(round=exam_round)
    plan.refresh_from_db()
    assert not plan.is_published
    assert not AdmissionTicket.objects.exists()


def test_ticket_number_default_format():
    number = services.ticket_number(
        template="{year}{round:03d}{level}{seq:05d}", year=2022, round_id=7, level_code=3, seq=12
    )
    assert number == "2022007300012"


def test_seatable_registrations_seats_a_conditional_candidate_once_training_is_complete(
    exam_round, level3
):
    from courses.models import TrainingClass
    from registration.training.services import training_complete_manually, training_enroll
    from tests.factories import UserFactory

    TrainingClass.objects.create(
        round=exam_round, level=level3, name="三级培训班", required_hours=8
    )
    pending = seatable(exam_round, level3, pending_requirement="training")
    finished = seatable(exam_round, level3, pending_requirement="training")
    training_enroll(registration=pending)
    enrollment = training_enroll(registration=finished)
    assert list(seatable_registrations(round=exam_round, level=level3)) == []

    admin = UserFactory(username="trainer-admin", is_superuser=True, is_staff=True)
    training_complete_manually(enrollment=enrollment, reason="已在校外完成同等培训", by=admin)

    assert list(seatable_registrations(round=exam_round, level=level3)) == [finished]


@pytest.mark.parametrize(
    "template",
    [
        "{seq:>300000000}",  # 354 MB in one request before
        "{seq:0300000000d}",
        "{seq:021d}",  # just past the widest width
        "{seq.__class__}",
        "{seq[0]}",
        "{seq!r}",
        "{seq:{year}}",
        "{nope}{seq}",
        "{year}{level}",
        "准{seq}",
        "{seq",
    ],
)
def test_ticket_number_format_outside_the_whitelist_is_refused_before_formatting(template):
    import tracemalloc

    from django.core.exceptions import ValidationError

    from exams.ticket_format import ticket_format_check

    with pytest.raises(ValidationError):
        ticket_format_check(template)
    tracemalloc.start()
    try:
        with pytest.raises(ExamPlanError, match="格式"):
            services.ticket_number(template=template, year=2022, round_id=1, level_code=3, seq=1)
        assert tracemalloc.get_traced_memory()[1] < 1_000_000
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("template", ["{seq:020d}", "KW-{year}{seq:05}", "{seq}", "{seq:d}"])
def test_ticket_number_format_on_the_whitelist_passes(template):
    from exams.ticket_format import ticket_format_check

    ticket_format_check(template)


def test_ticket_number_format_is_validated_by_the_model(exam_round):
    from django.core.exceptions import ValidationError

    plan = plan_for_round(exam_round)
    plan.ticket_number_format = "{seq:>300000000}"
    with pytest.raises(ValidationError) as refused:
        plan.full_clean()
    assert "ticket_number_format" in refused.value.message_dict
