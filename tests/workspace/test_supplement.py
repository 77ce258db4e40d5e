"""补充资料: the student's platform data and photo, the cut-off, the counselor's view and access."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from common.idcard import IdNumberError
from registration.candidate_data import IdType, id_document_validate, missing_items
from registration.models import ClassListEntry, Registration
from registration.selectors.supplement import class_summary
from registration.services import supplement
from registration.services.supplement import SupplementError
from tests.idnumbers import make_id_number

TODAY = dt.date(2026, 5, 1)


def jpeg(size=(900, 1200), color=(30, 90, 200)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, "JPEG")
    return output.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def supplement_url(r):
    return reverse("registration:supplement", args=[r.pk, r.token])


def photo_url(r):
    return reverse("registration:student_photo", args=[r.pk, r.token])


DATA = {
    "action": "data",
    "id_type": "resident",
    "education": "college",
    "exam_type_theory": "new",
    "exam_type_skill": "retake",
}


# --- ID documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("id_type", "raw", "expected"),
    [
        (IdType.HK_MACAO, "h12345678", "H12345678"),
        (IdType.HK_MACAO, "M1234567890", "M1234567890"),
        (IdType.TAIWAN, "１２３４５６７８", "12345678"),
        (IdType.FOREIGN_PR, "USA110085032501", "USA110085032501"),
        (IdType.PASSPORT, "e 1234 5678", "E12345678"),
    ],
)
def test_each_document_type_accepts_its_format(id_type, raw, expected):
    assert id_document_validate(id_type, raw, today=TODAY) == expected


def test_the_new_foreign_permanent_residence_card_has_a_check_digit():
    from stdnum.iso7064 import mod_11_2

    body = "93311619900101123"
    good = body + mod_11_2.calc_check_digit(body)
    assert id_document_validate(IdType.FOREIGN_PR, good, today=TODAY) == good
    bad = body + ("1" if good[-1] != "1" else "2")
    with pytest.raises(IdNumberError, match="校验位"):
        id_document_validate(IdType.FOREIGN_PR, bad, today=TODAY)


@pytest.mark.parametrize(
    ("id_type", "raw"),
    [
        (IdType.RESIDENT, "110101199003071234"),  # wrong check digit
        (IdType.HK_MACAO, "A12345678"),
        (IdType.HK_MACAO, "H1234567"),
        (IdType.TAIWAN, "1234567"),
        (IdType.TAIWAN, "T12345678"),
        (IdType.FOREIGN_PR, "US1100850325012"),
        (IdType.PASSPORT, "ABCDEFG"),
        (IdType.PASSPORT, "E1234"[:3]),
        (IdType.PASSPORT, "E123456<>"),
        ("unknown", "E12345678"),
    ],
)
def test_each_document_type_refuses_what_is_not_its_format(id_type, raw):
    with pytest.raises(IdNumberError):
        id_document_validate(id_type, raw, today=TODAY)


# --- The service ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_supplement_saves_data_with_a_history_row(own_registration):
    before = own_registration.history.count()
    supplement.registration_supplement(
        registration=own_registration,
        id_type="passport",
        id_number="e12345678",
        education="bachelor",
        exam_type_theory="retake",
        exam_type_skill="new",
    )
    r = Registration.objects.get(pk=own_registration.pk)
    assert (r.id_type, r.id_number, r.education) == ("passport", "E12345678", "bachelor")
    assert (r.exam_type_theory, r.exam_type_skill) == ("retake", "new")
    assert r.history.count() == before + 1


@pytest.mark.django_db
def test_supplement_refuses_another_candidates_document_number(
    exam_round, own_registration, make_registration, own_class
):
    other = make_registration(exam_round=exam_round, school_class=own_class)
    with pytest.raises(SupplementError) as info:
        supplement.registration_supplement(
            registration=own_registration,
            id_type="resident",
            id_number=other.id_number,
            education="bachelor",
            exam_type_theory="new",
            exam_type_skill="new",
        )
    assert info.value.field == "id_number"
    assert Registration.objects.get(pk=own_registration.pk).id_number == own_registration.id_number


def _supplement_with(registration, id_number, id_type="resident"):
    return supplement.registration_supplement(
        registration=registration,
        id_type=id_type,
        id_number=id_number,
        education="bachelor",
        exam_type_theory="new",
        exam_type_skill="new",
    )


@pytest.mark.django_db
def test_a_confirmed_candidate_cannot_swap_their_document(own_registration):
    own_registration.review_status = "confirmed"
    own_registration.save()
    with pytest.raises(SupplementError) as info:
        _supplement_with(own_registration, make_id_number(77, male=False))
    assert info.value.field == "id_number" and "联系辅导员" in str(info.value.message)
    assert Registration.objects.get(pk=own_registration.pk).id_number == own_registration.id_number
    # The rest of the data can still be completed with the document as it is.
    _supplement_with(own_registration, own_registration.id_number)
    assert Registration.objects.get(pk=own_registration.pk).education == "bachelor"


@pytest.mark.django_db
def test_a_class_list_class_keeps_the_listed_document(own_registration, own_class):
    ClassListEntry.objects.create(
        school_class=own_class,
        student_number="2020999999",
        name="张三",
        id_number=own_registration.id_number,
    )
    with pytest.raises(SupplementError) as info:
        _supplement_with(own_registration, make_id_number(78))
    assert "班级名单" in str(info.value.message)
    assert Registration.objects.get(pk=own_registration.pk).id_number == own_registration.id_number


@pytest.mark.django_db
def test_a_corrected_resident_number_brings_its_gender_and_birth_date(own_registration):
    number = make_id_number(79, birth=dt.date(2003, 7, 9), male=False)
    _supplement_with(own_registration, number)
    r = Registration.objects.get(pk=own_registration.pk)
    assert (r.id_number, r.gender, r.birth_date) == (number, "F", dt.date(2003, 7, 9))


@pytest.mark.django_db
def test_the_duplicate_message_does_not_say_the_number_is_registered(
    exam_round, own_registration, make_registration, own_class
):
    other = make_registration(exam_round=exam_round, school_class=own_class)
    with pytest.raises(SupplementError) as info:
        _supplement_with(own_registration, other.id_number)
    assert "已在本批次报名" not in str(info.value.message)


@pytest.mark.django_db
def test_supplement_after_the_cut_off_is_refused(exam_round, own_registration):
    exam_round.supplement_deadline = timezone.localdate() - dt.timedelta(days=1)
    exam_round.save()
    with pytest.raises(SupplementError, match="截止"):
        supplement.photo_upload(registration=own_registration, data=jpeg())
    assert not Registration.objects.get(pk=own_registration.pk).photo
    # The cut-off day itself is still open.
    assert supplement.supplement_open(exam_round, today=exam_round.supplement_deadline)


@pytest.mark.django_db
def test_replacing_a_photo_deletes_the_old_file_on_commit(
    own_registration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = supplement.photo_upload(registration=own_registration, data=jpeg()).photo.name
    storage = own_registration.photo.storage
    assert storage.exists(first)
    assert first.startswith("photos/") and own_registration.id_number not in first
    with django_capture_on_commit_callbacks(execute=True):
        second = supplement.photo_upload(
            registration=own_registration, data=jpeg(color=(200, 0, 0))
        ).photo.name
    assert second != first
    assert storage.exists(second) and not storage.exists(first)


@pytest.mark.django_db
def test_a_refused_photo_keeps_the_previous_one(own_registration):
    name = supplement.photo_upload(registration=own_registration, data=jpeg()).photo.name
    with pytest.raises(SupplementError):
        supplement.photo_upload(registration=own_registration, data=b"GIF89a garbage")
    r = Registration.objects.get(pk=own_registration.pk)
    assert r.photo.name == name and r.photo_status == "submitted"


# --- The student's pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_student_completes_supplement_and_sees_their_photo(own_registration):
    client = Client()
    r = own_registration
    page = client.get(supplement_url(r))
    assert page.status_code == 200
    assert "证件照" in page.content.decode() and 'accept="image/*"' in page.content.decode()
    response = client.post(supplement_url(r), {**DATA, "id_number": r.id_number})
    assert response.status_code == 302
    response = client.post(supplement_url(r), {"action": "photo", "photo": upload(jpeg())})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.education == "college" and r.exam_type_skill == "retake"
    assert missing_items(r) == []
    photo = client.get(photo_url(r))
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    assert "no-store" in photo["Cache-Control"] and "private" in photo["Cache-Control"]
    assert Image.open(io.BytesIO(photo.content)).size == (358, 441)


@pytest.mark.django_db
def test_a_bad_upload_gets_a_chinese_message_not_a_500(own_registration):
    client = Client()
    response = client.post(
        supplement_url(own_registration),
        {"action": "photo", "photo": upload(b"<?php echo 1; ?>", name="x.jpg")},
    )
    assert response.status_code == 400
    assert "无法识别该文件为图片" in response.content.decode()
    own_registration.refresh_from_db()
    assert not own_registration.photo


@pytest.mark.django_db
def test_a_bad_document_number_keeps_what_was_typed(own_registration):
    client = Client()
    response = client.post(
        supplement_url(own_registration),
        {**DATA, "id_type": "hk_macao", "id_number": "X999"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "港澳居民来往内地通行证号码应为" in content
    assert 'value="X999"' in content
    own_registration.refresh_from_db()
    assert own_registration.id_type == "resident" and own_registration.education == ""


@pytest.mark.django_db
def test_private_pages_need_the_right_token(own_registration, other_registration):
    client = Client()
    supplement.photo_upload(registration=own_registration, data=jpeg())
    wrong = [
        reverse("registration:supplement", args=[own_registration.pk, other_registration.token]),
        reverse("registration:student_photo", args=[own_registration.pk, "x" * 43]),
        reverse("registration:student_photo", args=[other_registration.pk, own_registration.token]),
    ]
    for url in wrong:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_supplement_link_shows_on_the_private_page(own_registration):
    url = reverse(
        "registration:registration_detail", args=[own_registration.pk, own_registration.token]
    )
    content = Client().get(url).content.decode()
    assert supplement_url(own_registration) in content
    assert "待补充" in content


# --- Staff ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_photo_needs_login_and_scope(
    client, counselor, other_counselor, academic, own_registration
):
    supplement.photo_upload(registration=own_registration, data=jpeg())
    url = reverse("registration:counselor_photo", args=[own_registration.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    client.force_login(other_counselor)
    assert client.get(url).status_code == 404
    client.force_login(counselor)
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    client.force_login(academic)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_counselor_returns_a_photo_and_the_student_sees_why(
    client, counselor, other_counselor, own_registration
):
    supplement.photo_upload(registration=own_registration, data=jpeg())
    url = reverse("registration:counselor_photo_return", args=[own_registration.pk])
    client.force_login(other_counselor)
    assert client.post(url, {"reason": "背景不是白色"}).status_code == 404
    client.force_login(counselor)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 302
    own_registration.refresh_from_db()
    assert own_registration.photo_status == "submitted"
    client.post(url, {"reason": "背景不是白色，请重拍"})
    own_registration.refresh_from_db()
    assert own_registration.photo_status == "returned"
    page = Client().get(supplement_url(own_registration)).content.decode()
    assert "背景不是白色，请重拍" in page
    # A new upload clears the return.
    supplement.photo_upload(registration=own_registration, data=jpeg())
    own_registration.refresh_from_db()
    assert (own_registration.photo_status, own_registration.photo_return_reason) == (
        "submitted",
        "",
    )


@pytest.mark.django_db
def test_roster_counts_completeness_in_one_query(
    client, counselor, exam_round, own_class, make_registration, django_assert_num_queries
):
    done = make_registration(exam_round=exam_round, school_class=own_class, education="college")
    supplement.photo_upload(registration=done, data=jpeg())
    returned = make_registration(exam_round=exam_round, school_class=own_class, education="high")
    supplement.photo_upload(registration=returned, data=jpeg())
    supplement.photo_return(registration=returned, reviewer=counselor, reason="模糊")
    make_registration(exam_round=exam_round, school_class=own_class)
    make_registration(exam_round=exam_round, school_class=own_class, status="cancelled")
    with django_assert_num_queries(1):
        summary = class_summary(school_class=own_class, exam_round=exam_round)
    assert (summary.active, summary.complete, summary.incomplete) == (3, 1, 2)
    assert (summary.no_photo, summary.photo_returned, summary.no_education) == (1, 1, 1)
    client.force_login(counselor)
    content = client.get(reverse("registration:counselor_class", args=[own_class.pk])).content
    content = content.decode()
    assert "补充资料：1/3 人齐全" in content
    assert "照片退回" in content and "缺文化程度" in content


@pytest.mark.django_db
def test_a_new_registration_defaults_to_resident_id_and_new_exams(own_registration):
    assert own_registration.id_type == "resident"
    assert (own_registration.exam_type_theory, own_registration.exam_type_skill) == ("new", "new")


@pytest.mark.django_db
def test_posts_to_one_link_are_rate_limited(own_registration, settings):
    from django.core.cache import caches

    from registration.views import supplement as views

    caches["ratelimit"].clear()
    client = Client()
    url = supplement_url(own_registration)
    data = {**DATA, "id_number": "110101199003070000"}  # a probe: wrong, refused
    for _ in range(views.POST_LIMIT_PER_REGISTRATION):
        assert client.post(url, data).status_code == 400
    response = client.post(url, {**DATA, "id_number": own_registration.id_number}, follow=True)
    assert "提交过于频繁" in response.content.decode()
    own_registration.refresh_from_db()
    assert own_registration.education == ""  # the over-limit post changed nothing


@pytest.mark.django_db
def test_after_the_cut_off_only_a_returned_photo_can_be_replaced(
    exam_round, counselor, own_registration
):
    supplement.photo_upload(registration=own_registration, data=jpeg())
    exam_round.supplement_deadline = timezone.localdate() - dt.timedelta(days=1)
    exam_round.save()
    client = Client()
    url = supplement_url(own_registration)
    page = client.get(url).content.decode()
    assert "supplement-closed" in page and 'id="photo-submit"' not in page
    response = client.post(url, {"action": "photo", "photo": upload(jpeg(color=(9, 9, 9)))})
    assert response.status_code == 200 and "已截止" in response.content.decode()
    response = client.post(url, {**DATA, "id_number": own_registration.id_number})
    own_registration.refresh_from_db()
    assert own_registration.education == ""
    name = own_registration.photo.name

    supplement.photo_return(registration=own_registration, reviewer=counselor, reason="太暗")
    assert 'id="photo-submit"' in client.get(url).content.decode()
    assert client.post(url, {"action": "photo", "photo": upload(jpeg())}).status_code == 302
    own_registration.refresh_from_db()
    assert own_registration.photo.name != name and own_registration.photo_status == "submitted"
    # Once replaced, the photo is closed again; the data stays closed throughout.
    with pytest.raises(SupplementError, match="截止"):
        supplement.photo_upload(registration=own_registration, data=jpeg())
