"""Name and ID number are fixed for the student once staff confirmed them (issue 24, item 5):
a student changed the 身份证号 of a confirmed, paid, seated registration through the edit form."""

import pytest
from django.urls import reverse

from registration.models import Registration, ReviewStatus
from registration.services import submission
from registration.services.identity import IDENTITY_CONFIRMED, identity_confirmed
from registration.services.submission import SubmissionError
from tests.idnumbers import make_id_number
from tests.registration.test_student_views import class_url, form_data

pytestmark = pytest.mark.django_db


def _signed_up(client, sophomore_class):
    response = client.post(class_url(sophomore_class), form_data())
    assert response.status_code == 302
    registration = Registration.objects.get()
    edit_url = reverse(
        "registration:registration_edit",
        kwargs={"pk": registration.pk, "token": registration.token},
    )
    return registration, edit_url


def _confirm(registration):
    registration.review_status = ReviewStatus.CONFIRMED
    registration.save()


def test_before_confirmation_the_student_may_correct_name_and_id(
    client, sophomore_class, during_round
):
    registration, edit_url = _signed_up(client, sophomore_class)
    new_id = make_id_number(55)
    response = client.post(edit_url, form_data(name="张三丰", id_number=new_id))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.name, registration.id_number) == ("张三丰", new_id)


def test_after_confirmation_the_edit_form_shows_them_read_only_and_ignores_a_change(
    client, sophomore_class, during_round
):
    registration, edit_url = _signed_up(client, sophomore_class)
    _confirm(registration)
    page = client.get(edit_url).content.decode()
    assert str(IDENTITY_CONFIRMED) in page
    for name in ("name", "id_number"):
        tag = next(t for t in page.split("<input") if f'name="{name}"' in t)
        assert "disabled" in tag
    response = client.post(
        edit_url, form_data(name="李四", id_number=make_id_number(56), phone="13900139000")
    )
    assert response.status_code == 302  # the rest is saved
    registration.refresh_from_db()
    assert registration.name == "张三"
    assert registration.id_number == form_data()["id_number"]
    assert registration.phone == "13900139000"


def test_the_lock_survives_the_review_going_back_to_pending(client, sophomore_class, during_round):
    registration, edit_url = _signed_up(client, sophomore_class)
    _confirm(registration)
    client.post(edit_url, form_data(ethnicity="回族"))  # a reviewed field: 待审核 again
    registration.refresh_from_db()
    assert registration.review_status == ReviewStatus.PENDING
    assert identity_confirmed(registration)
    assert "disabled" in next(
        t for t in client.get(edit_url).content.decode().split("<input") if 'name="name"' in t
    )


def test_the_service_refuses_a_changed_identity_after_confirmation(
    client, sophomore_class, during_round
):
    registration, _edit_url = _signed_up(client, sophomore_class)
    _confirm(registration)
    data = submission.RegistrationInput(
        name="李四",
        id_number=registration.id_number,
        ethnicity=registration.ethnicity,
        phone=registration.phone,
        level_code=registration.level.code,
        candidate_type=registration.candidate_type,
        student_number=registration.student_number,
    )
    with pytest.raises(SubmissionError) as refused:
        submission.registration_update(registration=registration, data=data)
    assert refused.value.message == IDENTITY_CONFIRMED
    registration.refresh_from_db()
    assert registration.name == "张三"
