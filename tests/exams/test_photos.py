"""The candidate's photo on the printed ticket, on the check-in page, and in 教务's zip."""

import base64
import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from exams import services
from exams.models import AdmissionTicket, DrawMethod, Invigilation, Seat
from exams.tickets import ticket_token
from registration.services.supplement import photo_upload
from tests.exams.conftest import seatable

pytestmark = pytest.mark.django_db


def _jpeg(color) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (716, 882), color).save(output, "JPEG")
    return output.getvalue()


@pytest.fixture
def people(exam_round, level3, sitting, rooms, invigilator):
    people = [seatable(exam_round, level3) for _ in range(3)]
    photo_upload(registration=people[0], data=_jpeg((200, 20, 20)))
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    services.plan_publish(round=exam_round)
    Invigilation.objects.create(sitting=sitting, room=rooms[0], invigilator=invigilator)
    for person in people:
        person.refresh_from_db()
    return people


def _images(pdf: bytes) -> list[Image.Image]:
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    return [image.image for image in page.images]


def test_the_ticket_pdf_carries_the_candidates_photo(client, people):
    with_photo, without = people[0], people[1]
    url = reverse("exams:student_ticket_pdf", args=[with_photo.pk, with_photo.token])
    images = _images(client.get(url).content)
    photos = [image for image in images if image.size == (358, 441)]
    assert len(photos) == 1  # beside the QR code
    r, g, b = photos[0].convert("RGB").getpixel((179, 220))
    assert r > 180 and g < 60 and b < 60
    url = reverse("exams:student_ticket_pdf", args=[without.pk, without.token])
    assert not [image for image in _images(client.get(url).content) if image.size == (358, 441)]


def test_the_check_in_page_shows_the_photo_of_the_candidate_scanned(
    client, people, sitting, rooms, invigilator
):
    client.force_login(invigilator)
    url = reverse("exams:checkin_room", args=[sitting.pk, rooms[0].pk])
    seats = {s.registration_id: s for s in Seat.objects.filter(sitting=sitting, room=rooms[0])}
    assert people[0].pk in seats, "BY_CLASS seats the first candidate in the first room"
    ticket = AdmissionTicket.objects.get(registration=people[0])
    html = client.post(url, {"code": ticket_token(ticket.number)}).content.decode()
    expected = base64.b64encode(people[0].photo.open("rb").read()).decode()
    assert 'id="checkin-photo"' in html and expected in html
    other = next(p for p in people[1:] if p.pk in seats)
    ticket = AdmissionTicket.objects.get(registration=other)
    html = client.post(url, {"code": ticket_token(ticket.number)}).content.decode()
    assert 'id="checkin-photo"' not in html and "无照片" in html
    assert expected not in html


def test_anonymous_gets_no_photo_anywhere(people):
    anonymous = Client()
    person = people[0]
    assert (
        anonymous.get(reverse("registration:counselor_photo", args=[person.pk])).status_code == 302
    )
    assert person.photo.name not in anonymous.get("/").content.decode()
    assert anonymous.get("/media/" + person.photo.name).status_code == 404
    assert anonymous.get("/no-public-url/" + person.photo.name).status_code == 404


def test_academic_downloads_the_photos_zip_named_by_id_number(
    client, academic, people, exam_round, invigilator, roles
):
    import zipfile

    from registration.services.supplement import photo_return
    from tests.factories import UserFactory

    photo_upload(registration=people[1], data=_jpeg((20, 200, 20)))
    photo_upload(registration=people[2], data=_jpeg((20, 20, 200)))
    photo_return(registration=people[2], reviewer=academic, reason="不清晰")
    url = reverse("exams:photos_zip", args=[exam_round.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(invigilator)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(username="plain"))
    assert client.get(url).status_code == 403
    client.force_login(academic)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert names == sorted(f"{p.id_number}.jpg" for p in people[:2])  # the returned one is out
    image = Image.open(io.BytesIO(archive.read(f"{people[1].id_number}.jpg")))
    assert image.size == (358, 441)
