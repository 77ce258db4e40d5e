"""Staff correct a confirmed candidate's name or ID number with a reason; 补充资料 and the edit
form share the rule that the student no longer can (registration.services.identity)."""

import pytest
from django.urls import reverse

from registration.models import Registration
from registration.services.identity import (
    DUPLICATE,
    NOT_ALLOWED,
    REASON_REQUIRED,
    IdentityError,
    registration_identity_change,
)
from registration.services.supplement import SupplementError
from tests.idnumbers import make_id_number
from tests.workspace.test_supplement import _supplement_with

pytestmark = pytest.mark.django_db


def test_supplement_refuses_a_new_document_once_confirmed_even_when_pending_again(
    own_registration,
):
    own_registration.review_status = "confirmed"
    own_registration.save()
    own_registration.review_status = "pending"  # a later edit sent it back for review
    own_registration.save()
    with pytest.raises(SupplementError, match="联系辅导员"):
        _supplement_with(own_registration, make_id_number(78, male=False))


def test_staff_change_identity_with_a_reason_in_the_history(counselor, own_registration):
    new_id = make_id_number(80, male=False)
    registration_identity_change(
        registration=own_registration,
        name="王 芳",
        id_number=new_id.lower(),
        reason="身份证号末位录入错误，已核对原件",
        user=counselor,
    )
    registration = Registration.objects.get(pk=own_registration.pk)
    assert (registration.name, registration.id_number, registration.gender) == (
        "王芳",
        new_id,
        "F",
    )
    latest = registration.history.first()
    assert latest.history_user == counselor
    assert latest.history_change_reason == "身份信息更正：身份证号末位录入错误，已核对原件"


def test_staff_change_identity_refusals(
    counselor, other_counselor, own_registration, make_registration, exam_round, own_class
):
    new_id = make_id_number(81)
    with pytest.raises(IdentityError) as refused:
        registration_identity_change(
            registration=own_registration, name="王芳", id_number=new_id, reason=" ", user=counselor
        )
    assert refused.value.message == REASON_REQUIRED
    with pytest.raises(IdentityError) as refused:
        registration_identity_change(
            registration=own_registration,
            name="王芳",
            id_number=new_id,
            reason="核对",
            user=other_counselor,
        )
    assert refused.value.message == NOT_ALLOWED
    taken = make_registration(exam_round=exam_round, school_class=own_class)
    with pytest.raises(IdentityError) as refused:
        registration_identity_change(
            registration=own_registration,
            name="王芳",
            id_number=taken.id_number,
            reason="核对",
            user=counselor,
        )
    assert refused.value.message == DUPLICATE
    assert Registration.objects.get(pk=own_registration.pk).name == own_registration.name


def test_staff_identity_page(client, counselor, other_counselor, own_registration):
    url = reverse("registration:counselor_registration_identity", args=[own_registration.pk])
    client.force_login(other_counselor)
    assert client.get(url).status_code == 404
    client.force_login(counselor)
    detail = reverse("registration:counselor_registration", args=[own_registration.pk])
    assert url in client.get(detail).content.decode()
    assert client.get(url).status_code == 200
    refused = client.post(url, {"name": "王芳", "id_number": make_id_number(82), "reason": ""})
    assert refused.status_code == 400
    new_id = make_id_number(82)
    response = client.post(url, {"name": "王芳", "id_number": new_id, "reason": "录入错误"})
    assert response.status_code == 302
    assert Registration.objects.get(pk=own_registration.pk).id_number == new_id
    page = client.get(url).content.decode()
    assert "身份信息更正：录入错误" in page
