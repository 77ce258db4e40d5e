"""Who is who: normalised input, limits that only count failures, and truthful cancelled pages.

Each client here has its own cookie jar and, where it matters, its own address (REMOTE_ADDR).
"""

from decimal import Decimal

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

from common import normalize
from registration import ratelimits
from registration.models import Registration, RegistrationStatus
from registration.services import submission
from registration.views import student as views
from tests.common.test_normalize import full_width
from tests.idnumbers import make_id_number
from tests.registration.test_student_views import class_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def client_at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def detail_url(registration) -> str:
    return reverse(
        "registration:registration_detail",
        kwargs={"pk": registration.pk, "token": registration.token},
    )


def edit_url(registration) -> str:
    return reverse(
        "registration:registration_edit",
        kwargs={"pk": registration.pk, "token": registration.token},
    )


# --- Normalisation -------------------------------------------------------------------------------


def test_signup_mixed_width_duplicate_is_refused_as_the_same_person(sophomore_class, during_round):
    number = make_id_number(1)
    first = client_at("10.1.0.1").post(class_url(sophomore_class), form_data(id_number=number))
    assert first.status_code == 302
    mixed = number[:14] + full_width(number[14:])  # "42011120040909３２１4" as in the issue
    second = client_at("10.1.0.2").post(
        class_url(sophomore_class), form_data(id_number=mixed, phone="13900139000")
    )
    assert second.status_code == 200
    assert second.context["form"].errors["id_number"] == [submission.ALREADY_REGISTERED]
    assert Registration.objects.count() == 1


def test_signup_entirely_full_width_duplicate_is_refused(sophomore_class, during_round):
    number = make_id_number(1)
    client_at("10.1.0.1").post(class_url(sophomore_class), form_data(id_number=full_width(number)))
    response = client_at("10.1.0.2").post(class_url(sophomore_class), form_data(id_number=number))
    assert response.context["form"].errors["id_number"] == [submission.ALREADY_REGISTERED]
    assert Registration.objects.count() == 1


def test_signup_full_width_valid_id_phone_and_student_number_are_stored_ascii(
    client, sophomore_class, during_round
):
    number = make_id_number(3)
    response = client.post(
        class_url(sophomore_class),
        form_data(
            id_number=full_width(number),
            phone="１３８００１３８０００",
            student_number="２０２０１２３４５６",
            name="张　三",
        ),
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.id_number == number
    assert registration.phone == "13800138000"
    assert registration.student_number == "2020123456"
    assert registration.name == "张三"


def test_service_normalises_without_the_form(announcement, sophomore_class, during_round):
    """No caller of the service can store a full-width value or an invalid name."""
    data = submission.RegistrationInput(
        name="买买提•艾力",
        id_number=full_width(make_id_number(5)),
        ethnicity="维吾尔族",
        phone="１３８００１３８０００",
        level_code=3,
        student_number="２０２０ａｂ１",
    )
    registration = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=data
    )
    registration.refresh_from_db()
    assert registration.id_number == make_id_number(5)
    assert registration.phone == "13800138000"
    assert registration.student_number == "2020AB1"
    assert registration.name == "买买提·艾力"
    bad = submission.RegistrationInput(
        name="=1+1", id_number=make_id_number(6), ethnicity="汉族", phone="13800138000",
        level_code=3, student_number="2020123457",
    )  # fmt: skip
    with pytest.raises(submission.SubmissionError) as caught:
        submission.registration_submit(
            exam_round=announcement, school_class=sophomore_class, data=bad
        )
    assert caught.value.field == "name"
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("<script>alert(1)</script>", normalize.NAME_SYMBOL % {"char": "<"}),
        ("=1+1", normalize.NAME_FORMULA_START),
        ("张三123", normalize.NAME_DIGITS),
        ("张三😀", normalize.NAME_EMOJI),
    ],
)
def test_signup_refuses_names_no_id_card_carries(
    client, sophomore_class, during_round, name, message
):
    response = client.post(class_url(sophomore_class), form_data(name=name))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [message]
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"), [("王𠀀", "王𠀀"), ("刘䶮", "刘䶮"), ("买买提・艾力", "买买提·艾力")]
)
def test_signup_accepts_rare_characters_and_minority_names(
    client, sophomore_class, during_round, typed, stored
):
    assert client.post(class_url(sophomore_class), form_data(name=typed)).status_code == 302
    assert Registration.objects.get().name == stored


def test_lookup_with_full_width_input_finds_the_registration(client, sophomore_class, during_round):
    client.post(class_url(sophomore_class), form_data())
    response = client.post(
        reverse("registration:lookup"),
        {"id_number": full_width(make_id_number(1)), "phone": "１３８００１３８０００"},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(Registration.objects.get())


# --- Lookup limits -------------------------------------------------------------------------------


def test_lookup_lock_out_by_a_third_party_is_impossible(sophomore_class, during_round):
    student = client_at("10.2.0.1")
    student.post(class_url(sophomore_class), form_data())
    attacker = client_at("10.2.0.99")
    url = reverse("registration:lookup")
    wrong = {"id_number": make_id_number(1), "phone": "13900000000"}
    tries = ratelimits.LOOKUP_LIMIT_PER_ID + 3
    statuses = [attacker.post(url, wrong).status_code for _ in range(tries)]
    assert statuses[-1] == 429  # the attacker is limited ...
    # ... but the student, from their own phone, still finds their registration.
    response = student.post(url, {"id_number": make_id_number(1), "phone": "13800138000"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(Registration.objects.get())


def test_lookup_successes_never_count_toward_the_limit(client, sophomore_class, during_round):
    client.post(class_url(sophomore_class), form_data())
    url = reverse("registration:lookup")
    right = {"id_number": make_id_number(1), "phone": "13800138000"}
    tries = ratelimits.LOOKUP_LIMIT_PER_ID * 3
    statuses = [client.post(url, right).status_code for _ in range(tries)]
    assert statuses == [302] * tries


def test_lookup_failures_past_the_address_backstop_slow_without_blocking(
    settings, sophomore_class, during_round, monkeypatch
):
    """Past the per-address backstop an ID number gets one failed lookup from that address, not
    five; a first lookup of another ID number is still answered (it used to be refused)."""
    settings.DEBUG = False
    client_at("10.2.0.1").post(class_url(sophomore_class), form_data())
    guesser = client_at("10.2.0.50")
    url = reverse("registration:lookup")
    monkeypatch.setattr(ratelimits, "LOOKUP_LIMIT_PER_IP", 3)
    statuses = [
        guesser.post(url, {"id_number": make_id_number(n), "phone": "13900000000"}).status_code
        for n in range(10, 14)
    ]
    assert statuses == [200] * 4  # four different ID numbers: each answered once
    again = guesser.post(url, {"id_number": make_id_number(10), "phone": "13900000001"})
    assert again.status_code == 429  # a second try at one of them waits
    # A student behind the same address looking up their own registration for the first time.
    mine = guesser.post(url, {"id_number": make_id_number(1), "phone": "13800138000"})
    assert mine.status_code == 302


# --- Sign-up and edit answers that reveal registration ------------------------------------------


def test_signup_already_registered_answers_are_limited_per_client(sophomore_class, during_round):
    client_at("10.3.0.1").post(class_url(sophomore_class), form_data())
    prober = client_at("10.3.0.66")
    answers = [
        prober.post(class_url(sophomore_class), form_data(phone="13900139000")).context["form"]
        for _ in range(ratelimits.REVEAL_LIMIT_PER_ADDRESS_SUBJECT + 1)
    ]
    assert all(f.errors["id_number"] == [submission.ALREADY_REGISTERED] for f in answers[:-1])
    assert answers[-1].non_field_errors() == [ratelimits.REVEAL_RATE_LIMITED]
    # Another student, elsewhere, signs up as usual.
    other = client_at("10.3.0.2").post(class_url(sophomore_class), form_data(2, name="李四"))
    assert other.status_code == 302


def test_edit_form_probing_is_limited(sophomore_class, during_round):
    """POST /me/<pk>/<token>/edit/ with other ID numbers answered without limit (150 in 5.5 s)."""
    owner = client_at("10.4.0.1")
    owner.post(class_url(sophomore_class), form_data(1))
    client_at("10.4.0.2").post(class_url(sophomore_class), form_data(2, name="李四"))
    mine = Registration.objects.get(id_number=make_id_number(1))
    answers = []
    for serial in range(100, 100 + ratelimits.EDIT_LIMIT_PER_REGISTRATION + 1):
        response = owner.post(edit_url(mine), form_data(serial))
        answers.append(response)
    assert answers[-1].status_code == 200
    assert answers[-1].context["form"].non_field_errors() == [ratelimits.EDIT_RATE_LIMITED]
    # Probing one other person's ID number is cut off after a few answers.
    caches["ratelimit"].clear()
    probes = [
        owner.post(edit_url(mine), form_data(2)).context["form"]
        for _ in range(ratelimits.REVEAL_LIMIT_PER_ADDRESS_SUBJECT + 1)
    ]
    assert probes[0].errors["id_number"] == [submission.ALREADY_REGISTERED]
    assert probes[-1].non_field_errors() == [ratelimits.REVEAL_RATE_LIMITED]


# --- Cancelled registrations ---------------------------------------------------------------------


def _cancelled(client, sophomore_class):
    response = client.post(class_url(sophomore_class), form_data())
    registration = Registration.objects.get()
    client.post(
        reverse(
            "registration:registration_cancel",
            kwargs={"pk": registration.pk, "token": registration.token},
        )
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    return registration, response["Location"]


def test_cancelled_registration_shows_nothing_to_pay_and_offers_reregistration(
    client, sophomore_class, during_round
):
    _registration, url = _cancelled(client, sophomore_class)
    page = client.get(url).content.decode()
    assert "应缴费用" not in page
    assert "320.00 元" not in page
    assert 'id="charge-items"' not in page
    assert "无需缴费" in page
    assert f'href="{class_url(sophomore_class)}"' in page and 'id="reregister"' in page
    assert "修改报名信息" not in page
    # Signing up again works while the round is open.
    again = client.post(class_url(sophomore_class), form_data())
    assert again.status_code == 302
    assert Registration.objects.filter(status=RegistrationStatus.ACTIVE).count() == 1


def test_cancelled_registration_with_money_received_shows_a_refund_note(
    client, sophomore_class, during_round
):
    registration, url = _cancelled(client, sophomore_class)
    Registration.objects.filter(pk=registration.pk).update(
        payment_status="paid", paid_amount=Decimal("320.00")
    )
    page = client.get(url).content.decode()
    assert 'id="refund-note"' in page and "退费" in page and "320.00" in page
    assert "应缴费用" not in page


def test_edit_of_a_cancelled_registration_does_not_claim_the_deadline_passed(
    client, sophomore_class, during_round
):
    registration, _url = _cancelled(client, sophomore_class)
    response = client.get(edit_url(registration), follow=True)
    page = response.content.decode()
    assert "报名已截止" not in page
    assert str(views.CANCELLED_NO_CHANGES) in page
