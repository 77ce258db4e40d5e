"""教务 pages of the exam plan."""

import pytest
from django.urls import reverse

from exams.models import DrawMethod, Seat, SeatDraw
from exams.selectors import sitting_seats, sittings_overview
from exams.services import seats_assign
from tests.exams.conftest import seatable
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_plan_pages_refuse_anonymous_and_non_academic(client, sitting):
    url = reverse("exams:plan")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    assert client.post(reverse("exams:sitting_draw", args=[sitting.pk])).status_code == 403
    assert not SeatDraw.objects.exists()


def test_plan_home_lists_sittings(client, academic, sitting, exam_round):
    client.force_login(academic)
    response = client.get(reverse("exams:plan"), {"round": exam_round.slug})
    assert response.status_code == 200
    html = response.content.decode()
    assert "理论知识" in html and "A101" in html and "尚未排座" in html


def test_draw_then_move_then_publish_through_pages(client, academic, exam_round, level3, sitting):
    people = [seatable(exam_round, level3) for _ in range(4)]
    client.force_login(academic)
    response = client.post(
        reverse("exams:sitting_draw", args=[sitting.pk]), {"method": "random", "seed": "99"}
    )
    assert response.status_code == 302
    page = client.get(reverse("exams:sitting", args=[sitting.pk])).content.decode()
    assert "已为 4 名考生安排座位" in page
    assert "99" in page and people[0].name in page
    seat = Seat.objects.filter(sitting=sitting).first()
    other_room = sitting.rooms.exclude(pk=seat.room_id).first()
    response = client.post(
        reverse("exams:seat_move", args=[seat.pk]),
        {"room": other_room.pk, "number": 4, "reason": ""},
    )
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    response = client.post(
        reverse("exams:seat_move", args=[seat.pk]),
        {"room": other_room.pk, "number": 4, "reason": "腿伤，靠门"},
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert (seat.room_id, seat.number, seat.move_reason) == (other_room.pk, 4, "腿伤，靠门")
    client.post(reverse("exams:publish", args=[exam_round.pk]))
    page = client.get(reverse("exams:plan"), {"round": exam_round.slug}).content.decode()
    assert "已发布" in page
    page = client.get(reverse("exams:sitting", args=[sitting.pk])).content.decode()
    assert reverse("exams:attendance", args=[sitting.pk]) in page
    assert reverse("exams:sign_in_pdf", args=[sitting.pk, other_room.pk]) in page
    client.post(reverse("exams:sitting_draw", args=[sitting.pk]), {"method": "random", "seed": "1"})
    seat.refresh_from_db()
    assert (seat.room_id, seat.number) == (other_room.pk, 4)
    assert SeatDraw.objects.count() == 1


def test_draw_with_bad_seed_shows_message_and_writes_nothing(
    client, academic, exam_round, level3, sitting
):
    seatable(exam_round, level3)
    client.force_login(academic)
    response = client.post(
        reverse("exams:sitting_draw", args=[sitting.pk]),
        {"method": "random", "seed": "-5"},
        follow=True,
    )
    assert response.status_code == 200
    assert not Seat.objects.exists()
    assert "0" in response.content.decode()


def test_draw_with_too_many_candidates_shows_capacity_message(
    client, academic, exam_round, level3, sitting
):
    for _ in range(8):
        seatable(exam_round, level3)
    client.force_login(academic)
    response = client.post(
        reverse("exams:sitting_draw", args=[sitting.pk]), {"method": "by_class"}, follow=True
    )
    assert "考场座位不足" in response.content.decode()
    assert not Seat.objects.exists()


def test_selectors_query_counts(
    exam_round, level3, sitting, skill_sitting, django_assert_num_queries
):
    for _ in range(5):
        seatable(exam_round, level3)
    seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=5)
    with django_assert_num_queries(2):
        rows = sittings_overview(round=exam_round)
        [list(s.rooms.all()) for s in rows]
    with django_assert_num_queries(1):
        seats = list(sitting_seats(sitting=sitting))
        [(s.room.name, s.registration.school_class.name) for s in seats]
