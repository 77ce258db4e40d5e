"""Exam-day check-in: scans, typed numbers, refusals, two invigilators at once, the export."""

import datetime as dt
import io
import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import INVIGILATOR_GROUP, user_role_add
from exams import checkin, services
from exams.models import (
    AdmissionTicket,
    CheckIn,
    CheckInMethod,
    DrawMethod,
    Invigilation,
    Seat,
    Sitting,
    Subject,
)
from exams.selectors import room_roll
from exams.tickets import ticket_token
from tests.exams.conftest import seatable
from tests.factories import UserFactory, level

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(exam_round, level3, sitting, skill_sitting, rooms, invigilator):
    people = [seatable(exam_round, level3) for _ in range(6)]
    people[0].name = "=HYPERLINK(1)"
    people[0].save()
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    services.seats_assign(sitting=skill_sitting, method=DrawMethod.BY_CLASS)
    services.plan_publish(round=exam_round)
    Invigilation.objects.create(sitting=sitting, room=rooms[0], invigilator=invigilator)
    return people


def _seat(sitting, room, number=1):
    return Seat.objects.select_related("registration__admission_ticket").get(
        sitting=sitting, room=room, number=number
    )


def _url(sitting, room):
    return reverse("exams:checkin_room", args=[sitting.pk, room.pk])


def test_scan_marks_present_and_second_scan_is_refused(client, plan, sitting, rooms, invigilator):
    seat = _seat(sitting, rooms[0])
    token = ticket_token(seat.registration.admission_ticket.number)
    client.force_login(invigilator)
    response = client.post(_url(sitting, rooms[0]), {"code": token})
    assert response.status_code == 200
    html = response.content.decode()
    assert "签到成功" in html and seat.registration.name.replace("=", "") in html.replace("=", "")
    assert CheckIn.objects.filter(seat=seat, checked_in_by=invigilator).exists()
    again = client.post(_url(sitting, rooms[0]), {"code": token})
    assert again.status_code == 409
    assert "不能重复签到" in again.content.decode()
    assert CheckIn.objects.count() == 1


def test_bare_ticket_number_is_refused_on_the_scan_path(client, plan, sitting, rooms, invigilator):
    """Issue 24: a typed number (or a plain QR) checked a candidate in exactly like a signed
    scan. It proves nothing about who holds it: the scan path refuses it."""
    seat = _seat(sitting, rooms[0], 2)
    client.force_login(invigilator)
    response = client.post(
        _url(sitting, rooms[0]), {"code": f" {seat.registration.admission_ticket.number} "}
    )
    assert response.status_code == 409
    assert str(checkin.BARE_NUMBER) in response.content.decode()
    assert not CheckIn.objects.exists()
    with pytest.raises(checkin.CheckInError) as refused:
        checkin.candidate_check_in(
            sitting=sitting,
            room=rooms[0],
            code=seat.registration.admission_ticket.number,
            user=invigilator,
        )
    assert refused.value.message == checkin.BARE_NUMBER


def _manual(client, sitting, room, **data):
    return client.post(_url(sitting, room), data)


def test_manual_path_finds_by_number_asks_for_the_id_check_and_marks_manual(
    client, plan, sitting, rooms, invigilator
):
    seat = _seat(sitting, rooms[0], 2)
    client.force_login(invigilator)
    found = _manual(
        client,
        sitting,
        rooms[0],
        action="find",
        query=seat.registration.admission_ticket.number.lower(),
    )
    assert found.status_code == 200
    html = found.content.decode()
    assert seat.registration.name in html and 'name="id_checked"' in html
    assert f'name="seat" value="{seat.pk}"' in html
    assert not CheckIn.objects.exists()  # finding writes nothing

    unticked = _manual(client, sitting, rooms[0], action="confirm", seat=seat.pk)
    assert unticked.status_code == 409
    assert str(checkin.ID_NOT_CONFIRMED) in unticked.content.decode()
    assert 'name="id_checked"' in unticked.content.decode()  # asked again
    assert not CheckIn.objects.exists()

    done = _manual(client, sitting, rooms[0], action="confirm", seat=seat.pk, id_checked="on")
    assert done.status_code == 200
    assert "checkin-manual-badge" in done.content.decode()
    check_in = CheckIn.objects.get(seat=seat)
    assert check_in.method == CheckInMethod.MANUAL
    assert check_in.checked_in_by == invigilator
    assert check_in.history.get().history_change_reason == "manual"


def test_manual_path_finds_by_name_within_the_room_only(client, plan, sitting, rooms, invigilator):
    here, elsewhere = _seat(sitting, rooms[0], 2), _seat(sitting, rooms[1], 1)
    client.force_login(invigilator)
    found = _manual(client, sitting, rooms[0], action="find", query=here.registration.name)
    assert f'name="seat" value="{here.pk}"' in found.content.decode()
    other = _manual(client, sitting, rooms[0], action="find", query=elsewhere.registration.name)
    assert other.status_code == 409
    assert "没有名为" in other.content.decode()
    assert f'value="{elsewhere.pk}"' not in other.content.decode()
    # A seat of another room cannot be confirmed here either.
    refused = _manual(
        client, sitting, rooms[0], action="confirm", seat=elsewhere.pk, id_checked="on"
    )
    assert refused.status_code == 409
    assert not CheckIn.objects.exists()


def test_manual_path_names_the_seats_when_two_candidates_share_a_name(
    plan, sitting, rooms, invigilator
):
    first, second = _seat(sitting, rooms[0], 2), _seat(sitting, rooms[0], 3)
    for seat in (first, second):
        seat.registration.name = "王芳"
        seat.registration.save()
    with pytest.raises(checkin.CheckInError, match="座位 02、03"):
        checkin.candidate_find_manual(
            sitting=sitting, room=rooms[0], query="王 芳", user=invigilator
        )


def test_manual_path_refuses_a_second_check_in(plan, sitting, rooms, invigilator):
    seat = _seat(sitting, rooms[0], 2)
    token = ticket_token(seat.registration.admission_ticket.number)
    checkin.candidate_check_in(sitting=sitting, room=rooms[0], code=token, user=invigilator)
    with pytest.raises(checkin.CheckInError, match="不能重复签到"):
        checkin.candidate_find_manual(
            sitting=sitting,
            room=rooms[0],
            query=seat.registration.admission_ticket.number,
            user=invigilator,
        )
    with pytest.raises(checkin.CheckInError, match="不能重复签到"):
        checkin.candidate_check_in_manual(
            sitting=sitting, room=rooms[0], seat_id=seat.pk, id_checked=True, user=invigilator
        )
    assert CheckIn.objects.get(seat=seat).method == CheckInMethod.SCAN


def test_sign_in_sheet_marks_manual_check_ins(client, academic, plan, sitting, rooms, invigilator):
    from pypdf import PdfReader

    manual, scanned = _seat(sitting, rooms[0], 2), _seat(sitting, rooms[0], 1)
    checkin.candidate_check_in_manual(
        sitting=sitting, room=rooms[0], seat_id=manual.pk, id_checked=True, user=invigilator
    )
    checkin.candidate_check_in(
        sitting=sitting,
        room=rooms[0],
        code=ticket_token(scanned.registration.admission_ticket.number),
        user=invigilator,
    )
    client.force_login(academic)
    response = client.get(reverse("exams:sign_in_pdf", args=[sitting.pk, rooms[0].pk]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert text.count("手工核验") == 2  # the row and the legend
    assert "扫码" in text


def test_refusals_each_with_a_clear_message(client, plan, sitting, rooms, invigilator):
    client.force_login(invigilator)
    other_room_seat = _seat(sitting, rooms[1])
    number = other_room_seat.registration.admission_ticket.number
    response = client.post(_url(sitting, rooms[0]), {"code": ticket_token(number)})
    assert response.status_code == 409
    answer = response.content.decode()
    assert "不在本考场" in answer
    # Another room's candidate is not named, nor their room or seat (numbers are guessable).
    assert other_room_seat.registration.name not in answer and "A102" not in answer

    token = ticket_token(_seat(sitting, rooms[0]).registration.admission_ticket.number)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.post(_url(sitting, rooms[0]), {"code": tampered})
    assert "二维码无效" in response.content.decode()
    forged_number = token.split(":")[0][:-1] + "9" + ":" + token.split(":")[1]
    response = client.post(_url(sitting, rooms[0]), {"code": forged_number})
    assert "二维码无效" in response.content.decode()

    response = client.post(_url(sitting, rooms[0]), {"code": ticket_token("99999")})
    assert "未找到准考证号" in response.content.decode()
    response = client.post(_url(sitting, rooms[0]), {"code": "99999"})
    assert "扫码签到只接受准考证上的二维码" in response.content.decode()
    response = client.post(_url(sitting, rooms[0]), {"code": ""})
    assert "请扫描" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_ticket_of_another_sitting_is_refused(client, exam_round, sitting, rooms, invigilator):
    level4_sitting = Sitting.objects.create(
        round=exam_round,
        level=level(4),
        subject=Subject.THEORY,
        date=sitting.date,
        start_time=dt.time(14, 0),
        end_time=dt.time(15, 30),
    )
    level4_sitting.rooms.set(rooms)
    seatable(exam_round, sitting.level)
    other = seatable(exam_round, level(4))
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    services.seats_assign(sitting=level4_sitting, method=DrawMethod.BY_CLASS)
    services.plan_publish(round=exam_round)
    Invigilation.objects.create(sitting=sitting, room=rooms[0], invigilator=invigilator)
    client.force_login(invigilator)
    token = ticket_token(AdmissionTicket.objects.get(registration=other).number)
    response = client.post(_url(sitting, rooms[0]), {"code": token})
    assert response.status_code == 409
    assert "不参加本场次考试" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_invigilator_of_another_room_is_refused(client, plan, sitting, rooms, invigilator):
    client.force_login(invigilator)
    assert client.get(_url(sitting, rooms[1])).status_code == 403
    outsider = UserFactory()
    user_role_add(user=outsider, group_name=INVIGILATOR_GROUP)
    client.force_login(outsider)
    assert client.get(_url(sitting, rooms[0])).status_code == 403
    assert client.get(reverse("exams:checkin_home")).status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("exams:checkin_home")).status_code == 403


def test_roll_counts_live(client, plan, sitting, rooms, invigilator):
    client.force_login(invigilator)
    url = reverse("exams:checkin_roll", args=[sitting.pk, rooms[0].pk])
    assert client.get(url).json() == {"expected": 3, "present": 0, "absent": 3}
    client.post(
        _url(sitting, rooms[0]),
        {"code": ticket_token(_seat(sitting, rooms[0]).registration.admission_ticket.number)},
    )
    assert client.get(url).json() == {"expected": 3, "present": 1, "absent": 2}


def test_room_roll_one_query(plan, sitting, rooms, django_assert_num_queries):
    with django_assert_num_queries(1):
        roll = room_roll(sitting=sitting, room=rooms[0])
        [(s.registration.name, s.registration.admission_ticket.number) for s in roll["seats"]]


def test_attendance_export_is_formula_safe_with_ids_as_text(
    client, academic, plan, sitting, rooms, invigilator
):
    checkin.candidate_check_in_manual(
        sitting=sitting,
        room=rooms[0],
        seat_id=_seat(sitting, rooms[0], 2).pk,
        id_checked=True,
        user=invigilator,
    )
    client.force_login(academic)
    response = client.get(reverse("exams:attendance", args=[sitting.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("考场", "座位号", "准考证号", "姓名")
    assert len(rows) == 7
    id_cells = [row[4] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" and cell.number_format == "@" for cell in id_cells)
    names = [row[3] for row in sheet.iter_rows(min_row=2)]
    formula = next(cell for cell in names if cell.value == "=HYPERLINK(1)")
    assert formula.data_type == "s" and formula.quotePrefix
    assert [row[6] for row in rows[1:]].count("实到") == 1
    assert rows[0][7] == "签到方式"
    assert [row[7] for row in rows[1:]].count("手工核验") == 1
    client.force_login(invigilator)
    assert client.get(reverse("exams:attendance", args=[sitting.pk])).status_code == 403


# PostgreSQL only, like the other race tests: SQLite has one writer at a time, and under a busy
# machine a waiting writer hits its lock timeout (the app then answers 503, losing nothing).
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_invigilators_check_in_one_room_at_once(exam_round, level3, sitting, rooms, roles):
    """Separate clients in separate threads: every candidate is marked once, none is lost."""
    for _ in range(3):
        seatable(exam_round, level3)
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    services.plan_publish(round=exam_round)
    users = []
    for name in ("jk-a", "jk-b"):
        user = UserFactory(username=name)
        user_role_add(user=user, group_name=INVIGILATOR_GROUP)
        Invigilation.objects.create(sitting=sitting, room=rooms[0], invigilator=user)
        users.append(user)
    numbers = [
        seat.registration.admission_ticket.number
        for seat in Seat.objects.filter(sitting=sitting, room=rooms[0]).select_related(
            "registration__admission_ticket"
        )
    ]
    # Both invigilators scan every candidate, at the same moment: 6 scans for 3 seats.
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    lock = threading.Lock()

    def scan_all(user):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=10)
            for number in numbers:
                code = client.post(_url(sitting, rooms[0]), {"code": ticket_token(number)})
                with lock:
                    statuses.append(code.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan_all, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 200, 200, 409, 409, 409], statuses
    assert CheckIn.objects.filter(seat__room=rooms[0]).count() == 3


def test_a_cancelled_candidate_cannot_check_in(client, plan, sitting, rooms, invigilator):
    from registration.models import RegistrationStatus

    client.force_login(invigilator)
    seat = _seat(sitting, rooms[0])
    registration = seat.registration
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status"])
    response = client.post(
        _url(sitting, rooms[0]), {"code": ticket_token(registration.admission_ticket.number)}
    )
    assert response.status_code == 409
    assert "报名已取消" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_attendance_export_before_publishing_has_blank_ticket_numbers(
    client, academic, exam_round, level3, sitting
):
    # Seats exist once drawn, tickets only once published: the export must not fail in between.
    for _ in range(3):
        seatable(exam_round, level3)
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    client.force_login(academic)
    response = client.get(reverse("exams:attendance", args=[sitting.pk]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 4 and all(row[2] in (None, "") for row in rows[1:])
