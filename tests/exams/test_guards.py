"""Edits that cannot break a plan (issue #28 item 2), through Django admin's forms and the draw."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from exams import guards, services
from exams.models import DrawMethod, Room, Seat, Sitting, Subject
from tests.exams.conftest import seatable
from tests.factories import ExamRoundFactory, level

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    client = Client()
    client.force_login(user)
    return client


def _seat_all(sitting, exam_round, level3, n):
    for _ in range(n):
        seatable(exam_round, level3)
    return services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)


def _room_post(room, **changes):
    data = {
        "round": room.round_id,
        "building": room.building,
        "name": room.name,
        "capacity": room.capacity,
    }
    data.update(changes)
    return data


def _sitting_post(sitting, **changes):
    data = {
        "round": sitting.round_id,
        "level": sitting.level_id,
        "subject": sitting.subject,
        "date": sitting.date.isoformat(),
        "start_time": sitting.start_time.strftime("%H:%M"),
        "end_time": sitting.end_time.strftime("%H:%M"),
        "rooms": [r.pk for r in sitting.rooms.all()],
        "invigilations-TOTAL_FORMS": "0",
        "invigilations-INITIAL_FORMS": "0",
        "invigilations-MIN_NUM_FORMS": "0",
        "invigilations-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_capacity_cannot_fall_below_the_seats_in_use(
    admin_client_, sitting, exam_round, level3, rooms
):
    _seat_all(sitting, exam_round, level3, 7)  # A101: 3 seats, A102: 4 seats
    a102 = rooms[1]
    url = reverse("admin:exams_room_change", args=[a102.pk])
    response = admin_client_.post(url, _room_post(a102, capacity=2))
    assert response.status_code == 200
    assert "座位数不能少于 4" in response.content.decode()
    a102.refresh_from_db()
    assert a102.capacity == 4
    assert admin_client_.post(url, _room_post(a102, capacity=6)).status_code == 302


def test_a_room_holding_seats_cannot_leave_its_sitting(
    admin_client_, sitting, exam_round, level3, rooms
):
    _seat_all(sitting, exam_round, level3, 5)
    url = reverse("admin:exams_sitting_change", args=[sitting.pk])
    response = admin_client_.post(url, _sitting_post(sitting, rooms=[rooms[0].pk]))
    assert response.status_code == 200
    assert "不能移出" in response.content.decode()
    assert set(sitting.rooms.all()) == set(rooms)
    assert Seat.objects.filter(sitting=sitting).count() == 5


def test_rooms_of_another_round_are_refused(admin_client_, sitting):
    elsewhere = Room.objects.create(
        round=ExamRoundFactory(), building="图书馆", name="B201", capacity=30
    )
    url = reverse("admin:exams_sitting_change", args=[sitting.pk])
    rooms = [r.pk for r in sitting.rooms.all()] + [elsewhere.pk]
    response = admin_client_.post(url, _sitting_post(sitting, rooms=rooms))
    assert "属于其他考试批次" in response.content.decode()
    assert elsewhere not in sitting.rooms.all()


def test_one_room_cannot_hold_two_sittings_at_the_same_time(
    admin_client_, exam_round, level3, rooms
):
    four = Sitting.objects.create(
        round=exam_round,
        level=level(4),
        subject=Subject.SKILL,
        date=dt.date(2022, 6, 25),
        start_time=dt.time(14, 0),
        end_time=dt.time(16, 0),
    )
    four.rooms.set([rooms[0]])
    data = {
        "round": exam_round.pk,
        "level": level3.pk,
        "subject": Subject.SKILL,
        "date": "2022-06-25",
        "start_time": "15:30",  # overlaps 14:00-16:00
        "end_time": "17:00",
        "rooms": [rooms[0].pk],
        "invigilations-TOTAL_FORMS": "0",
        "invigilations-INITIAL_FORMS": "0",
        "invigilations-MIN_NUM_FORMS": "0",
        "invigilations-MAX_NUM_FORMS": "1000",
    }
    response = admin_client_.post(reverse("admin:exams_sitting_add"), data)
    assert "同一考场不能同时安排两个场次" in response.content.decode()
    assert Sitting.objects.count() == 1
    # Back to back is fine: 16:00 is free again.
    data["start_time"] = "16:00"
    assert admin_client_.post(reverse("admin:exams_sitting_add"), data).status_code == 302


def test_the_draw_refuses_a_room_booked_twice_at_one_time(exam_round, level3, rooms):
    first = Sitting.objects.create(
        round=exam_round,
        level=level(4),
        subject=Subject.SKILL,
        date=dt.date(2022, 6, 25),
        start_time=dt.time(14, 0),
        end_time=dt.time(16, 0),
    )
    second = Sitting.objects.create(
        round=exam_round,
        level=level3,
        subject=Subject.SKILL,
        date=dt.date(2022, 6, 25),
        start_time=dt.time(14, 0),
        end_time=dt.time(16, 0),
    )
    first.rooms.set([rooms[1]])
    second.rooms.set([rooms[1]])  # written around the admin's check
    seatable(exam_round, level3)
    with pytest.raises(services.ExamPlanError, match="同一考场不能同时安排两个场次"):
        services.seats_assign(sitting=second, method=DrawMethod.BY_CLASS)
    assert not Seat.objects.exists()


def test_published_times_do_not_change_under_downloaded_tickets(
    admin_client_, sitting, skill_sitting, exam_round, level3
):
    seatable(exam_round, level3)
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    services.seats_assign(sitting=skill_sitting, method=DrawMethod.BY_CLASS)
    services.plan_publish(round=exam_round)
    url = reverse("admin:exams_sitting_change", args=[sitting.pk])
    response = admin_client_.post(url, _sitting_post(sitting, start_time="09:30"))
    assert "不能直接修改考试日期或时间" in response.content.decode()
    sitting.refresh_from_db()
    assert sitting.start_time == dt.time(9, 0)
    # The problem is "" when nothing about the time changes.
    assert (
        guards.sitting_time_problem(
            sitting, date=sitting.date, start=sitting.start_time, end=sitting.end_time
        )
        == ""
    )
