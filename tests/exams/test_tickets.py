"""Admission tickets: PDF text, the signed QR read back from the rendered page, access rules."""

import io
import subprocess

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from exams import services
from exams.models import AdmissionTicket, DrawMethod, Seat
from exams.tickets import ticket_number_from_token, ticket_token
from tests.exams.conftest import seatable
from tests.factories import SchoolClassFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(exam_round, level3, sitting, skill_sitting):
    school_class = SchoolClassFactory(name="电商2001班")
    people = [
        seatable(exam_round, level3, name=name, school_class=school_class)
        for name in ("欧阳娜娜", "李小明", "王芳")
    ]
    services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=11)
    services.seats_assign(sitting=skill_sitting, method=DrawMethod.BY_CLASS)
    services.plan_publish(round=exam_round)
    return people


def _pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def _qr_from_pdf(content: bytes, tmp_path, page: int = 1) -> str:
    """Rasterise one page as a printer would (poppler) and decode the QR from the pixels."""
    pdf = tmp_path / "ticket.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            "-png",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    results = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert len(results) == 1
    return results[0].text


def _ticket_url(name, registration):
    return reverse(name, args=[registration.pk, registration.token])


def test_ticket_token_round_trip_and_tampering():
    token = ticket_token("2022001300001")
    assert ticket_number_from_token(token) == "2022001300001"
    number, signature = token.rsplit(":", 1)
    assert ticket_number_from_token(f"2022001300002:{signature}") is None
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert ticket_number_from_token(f"{number}:{flipped}") is None
    assert ticket_number_from_token("2022001300001") is None
    assert ticket_number_from_token("") is None
    assert ticket_number_from_token("x" * 500) is None


def test_student_ticket_pdf_holds_name_room_seat_and_a_signed_qr(client, published, tmp_path):
    person = published[0]
    ticket = AdmissionTicket.objects.get(registration=person)
    response = client.get(_ticket_url("exams:student_ticket_pdf", person))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    (text,) = _pdf_text(response.content)
    assert person.name in text
    assert ticket.number in text
    assert person.id_number in text  # the candidate's own document: checked against the 身份证
    for seat in Seat.objects.filter(registration=person).select_related("room"):
        assert f"{seat.room.building} {seat.room.name}" in text
        assert f"{seat.number:02d}" in text
    assert "理论知识" in text and "操作技能" in text and "考生须知" in text
    decoded = _qr_from_pdf(response.content, tmp_path)
    assert person.id_number not in decoded
    assert ticket_number_from_token(decoded) == ticket.number
    assert ticket_number_from_token(decoded[:-1] + ("x" if decoded[-1] != "x" else "y")) is None


def test_student_ticket_needs_the_private_link_and_a_published_plan(
    client, exam_round, level3, sitting
):
    person = seatable(exam_round, level3)
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    assert client.get(_ticket_url("exams:student_ticket", person)).status_code == 404
    detail = client.get(_ticket_url("registration:registration_detail", person))
    assert "admission-ticket" not in detail.content.decode()
    services.plan_publish(round=exam_round)
    assert client.get(_ticket_url("exams:student_ticket", person)).status_code == 200
    wrong = reverse("exams:student_ticket_pdf", args=[person.pk, "x" + person.token[1:]])
    assert client.get(wrong).status_code == 404
    detail = client.get(_ticket_url("registration:registration_detail", person))
    assert "admission-ticket" in detail.content.decode()


def test_student_ticket_page_hints_wechat_users(client, published):
    person = published[1]
    url = _ticket_url("exams:student_ticket", person)
    plain = client.get(url).content.decode()
    assert "wechat-hint" not in plain and "<svg" in plain and person.name in plain
    wechat = client.get(url, HTTP_USER_AGENT="Mozilla/5.0 MicroMessenger/8.0.40").content.decode()
    assert "在浏览器打开" in wechat


def test_staff_prints_a_class_one_ticket_per_page(client, academic, exam_round, published):
    client.force_login(academic)
    school_class = published[0].school_class
    url = reverse("exams:tickets_pdf", args=[exam_round.pk])
    response = client.get(url, {"class": school_class.pk})
    assert response.status_code == 200
    pages = _pdf_text(response.content)
    assert len(pages) == 3
    for person in published:
        assert sum(person.name in page for page in pages) == 1
    room = Seat.objects.filter(registration=published[0]).first().room
    by_room = _pdf_text(client.get(url, {"room": room.pk}).content)
    assert 1 <= len(by_room) <= 3
    assert client.get(url).status_code == 302  # neither class nor room


def test_staff_pdfs_refused_to_others(client, exam_round, published, sitting):
    client.force_login(UserFactory())
    url = reverse("exams:tickets_pdf", args=[exam_round.pk])
    assert client.get(url, {"class": published[0].school_class_id}).status_code == 403
    room = sitting.rooms.first()
    assert client.get(reverse("exams:door_pdf", args=[sitting.pk, room.pk])).status_code == 403


def test_door_list_and_sign_in_sheet(client, academic, published, sitting):
    client.force_login(academic)
    seat = Seat.objects.filter(sitting=sitting).select_related("registration", "room").first()
    person = seat.registration
    door = _pdf_text(
        client.get(reverse("exams:door_pdf", args=[sitting.pk, seat.room_id])).content
    )[0]
    assert person.name in door and person.admission_ticket.number in door
    assert person.id_number not in door and person.masked_id_number not in door
    sign = _pdf_text(
        client.get(reverse("exams:sign_in_pdf", args=[sitting.pk, seat.room_id])).content
    )[0]
    assert person.name in sign and person.masked_id_number in sign
    assert person.id_number not in sign
    assert "考生签名" in sign


def test_seat_labels_one_per_seat_without_id_numbers(client, academic, published, sitting):
    client.force_login(academic)
    seat = Seat.objects.filter(sitting=sitting).select_related("registration", "room").first()
    seats = Seat.objects.filter(sitting=sitting, room=seat.room).select_related("registration")
    url = reverse("exams:seat_labels_pdf", args=[sitting.pk, seat.room_id])
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = "".join(_pdf_text(response.content))
    for placed in seats:
        person = placed.registration
        assert person.name in text and person.admission_ticket.number in text
        assert person.id_number not in text and person.masked_id_number not in text
        assert f"{placed.number:02d}" in text
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_tickets_not_printable_before_publish(client, academic, exam_round, level3, sitting):
    seatable(exam_round, level3)
    client.force_login(academic)
    response = client.get(
        reverse("exams:tickets_pdf", args=[exam_round.pk]), {"class": 1}, follow=True
    )
    assert "发布后才能打印" in response.content.decode()


def test_tickets_pdf_in_chunks_keeps_every_page_in_order(published):
    from exams.tickets import tickets_pdf, tickets_queryset

    found = list(tickets_queryset().order_by("number"))
    plan = found[0].registration.round.exam_plan
    pages = _pdf_text(tickets_pdf(plan=plan, tickets=found, chunk=2))
    assert len(pages) == 3
    for ticket, page in zip(found, pages, strict=True):
        assert ticket.number in page and ticket.registration.name in page


def test_staff_print_leaves_out_a_candidate_cancelled_after_publishing(
    client, academic, exam_round, published
):
    cancelled = published[1]
    cancelled.status = "cancelled"
    cancelled.save(update_fields=["status"])
    client.force_login(academic)
    url = reverse("exams:tickets_pdf", args=[exam_round.pk])
    pages = _pdf_text(client.get(url, {"class": published[0].school_class.pk}).content)
    assert len(pages) == 2
    assert not any(cancelled.name in page for page in pages)


def _render_count(monkeypatch):
    from exams import tickets as tickets_module

    calls = []
    real = tickets_module.render_pdf

    def counting(template, context):
        calls.append(template)
        return real(template, context)

    monkeypatch.setattr(tickets_module, "render_pdf", counting)
    return calls


def test_student_ticket_pdf_is_rendered_once_per_version(client, published, monkeypatch):
    """Issue 24: the PDF was rendered on every request (8 loops took the home page to 7.7 s)."""
    calls = _render_count(monkeypatch)
    person = published[0]
    url = _ticket_url("exams:student_ticket_pdf", person)
    first = client.get(url)
    for _ in range(5):
        again = client.get(url)
        assert again.status_code == 200
        assert again.content == first.content
    assert len(calls) == 1


@pytest.mark.parametrize("change", ["name", "id_number", "seat", "room", "time", "rules", "photo"])
def test_student_ticket_pdf_follows_every_change_it_shows(
    client, published, monkeypatch, change, sitting
):
    import datetime as dt

    from exams.models import ExamPlan
    from tests.idnumbers import make_id_number

    calls = _render_count(monkeypatch)
    person = published[0]
    url = _ticket_url("exams:student_ticket_pdf", person)
    client.get(url)
    seat = Seat.objects.get(registration=person, sitting=sitting)
    if change == "name":
        person.name = "欧阳娜"
        person.save()
        expected = "欧阳娜"
    elif change == "id_number":
        person.id_number = make_id_number(321)
        person.save()
        expected = person.id_number
    elif change == "seat":
        seat.number = 9
        seat.save()
        expected = "09"
    elif change == "room":
        seat.room.name = "B909"
        seat.room.save()
        expected = "B909"
    elif change == "time":
        sitting.start_time = dt.time(8, 5)
        sitting.save()
        expected = "08:05"
    elif change == "rules":
        ExamPlan.objects.filter(round=person.round).update(candidate_rules="须带黑色签字笔")
        expected = "须带黑色签字笔"
    else:
        person.photo.name = "photos/elsewhere.jpg"
        person.save()
        expected = None
    response = client.get(url)
    assert len(calls) == 2
    if expected:
        (text,) = _pdf_text(response.content)
        assert expected in text


def test_student_ticket_pdf_renders_are_limited_per_link(client, published, monkeypatch):
    from exams.views import student

    calls = _render_count(monkeypatch)
    person, other = published[0], published[1]
    url = _ticket_url("exams:student_ticket_pdf", person)
    monkeypatch.setattr(student, "RENDER_LIMIT_PER_LINK", 2)
    for number in range(3):  # each change makes a new version: a render each time
        person.name = "欧阳娜" + "娜" * number
        person.save()
        response = client.get(url)
        if number < 2:
            assert response.status_code == 200
    assert response.status_code == 429
    assert "生成过于频繁，请稍后再试" in response.content.decode()
    assert len(calls) == 2
    # A cached version is still served, and another candidate's link is not limited.
    person.name = "欧阳娜娜"
    person.save()
    assert client.get(url).status_code == 200
    assert client.get(_ticket_url("exams:student_ticket_pdf", other)).status_code == 200


def test_student_ticket_pdf_one_render_at_a_time_per_link(client, published, monkeypatch):
    """A request arriving while the same version is being rendered is told to retry at once."""
    from exams import tickets as tickets_module

    calls = _render_count(monkeypatch)
    person = published[0]
    url = _ticket_url("exams:student_ticket_pdf", person)
    real = tickets_module.cache

    class RenderingElsewhere:
        """The cache as seen while another request holds the render lock."""

        def __getattr__(self, name):
            return getattr(real, name)

        def add(self, key, *args, **kwargs):
            return False if key.endswith(":rendering") else real.add(key, *args, **kwargs)

    monkeypatch.setattr(tickets_module, "cache", RenderingElsewhere())
    busy = client.get(url)
    assert busy.status_code == 429 and busy["Retry-After"] == "10"
    assert calls == []
    monkeypatch.setattr(tickets_module, "cache", real)
    assert client.get(url).status_code == 200
    assert len(calls) == 1
    # The lock is released after the render: a new version renders again.
    person.name = "欧阳娜"
    person.save()
    assert client.get(url).status_code == 200
    assert len(calls) == 2
