"""Review at scale: many registrations confirmed or returned in one step, named exceptions,
"next pending", and 教务's queue of registrations no counselor owns."""

import threading

import pytest
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from registration.models import PhotoStatus, Registration, RegistrationStatus, ReviewStatus
from tests.factories import SchoolClassFactory
from tests.workspace.conftest import registration_make
from workspace.services import review

pytestmark = pytest.mark.django_db

BULK = reverse("registration:counselor_bulk_review")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _class_of_42(exam_round, own_class):
    """40 valid pending registrations and two that cannot be confirmed."""
    valid = [
        registration_make(
            exam_round=exam_round, school_class=own_class, student_number=f"20210{i:02d}"
        )
        for i in range(40)
    ]
    returned = registration_make(
        exam_round=exam_round,
        school_class=own_class,
        name="退回生",
        student_number="2021900",
        review_status=ReviewStatus.RETURNED,
        review_reason="照片不清",
    )
    photo = registration_make(
        exam_round=exam_round,
        school_class=own_class,
        name="照片生",
        student_number="2021901",
        photo_status=PhotoStatus.RETURNED,
    )
    return valid, returned, photo


def test_counselor_confirms_forty_valid_registrations_in_one_action(
    counselor, exam_round, own_class
):
    valid, returned, photo = _class_of_42(exam_round, own_class)
    client = _client(counselor)
    roster = client.get(reverse("registration:counselor_class", args=[own_class.pk])).content
    assert roster.decode().count('name="registration"') == 42

    screen = client.post(
        BULK, {"action": "confirm", "school_class": own_class.pk, "all_matching": "1"}
    )
    html = screen.content.decode()
    assert screen.status_code == 200
    assert "确认 40 人的报名？" in html
    assert "以下 2 人不能确认" in html
    assert "退回生" in html and "已退回，待考生修改后再审核" in html
    assert "照片生" in html and "证件照已退回，待考生重新上传" in html
    assert not Registration.objects.filter(review_status=ReviewStatus.CONFIRMED).exists()

    ready = [r.pk for r in valid]
    done = client.post(
        BULK,
        {
            "apply": "1",
            "action": "confirm",
            "school_class": own_class.pk,
            "registration": ready,
        },
    )
    assert done.status_code == 302
    assert set(
        Registration.objects.filter(review_status=ReviewStatus.CONFIRMED).values_list(
            "pk", flat=True
        )
    ) == set(ready)
    returned.refresh_from_db()
    photo.refresh_from_db()
    assert returned.review_status == ReviewStatus.RETURNED
    assert photo.review_status == ReviewStatus.PENDING
    confirmed = Registration.objects.get(pk=ready[0])
    assert confirmed.reviewed_by == counselor
    assert confirmed.history.first().review_status == ReviewStatus.CONFIRMED


def test_bulk_return_needs_a_reason_and_reaches_only_ticked_rows(counselor, exam_round, own_class):
    first, second, third = (
        registration_make(exam_round=exam_round, school_class=own_class) for _ in range(3)
    )
    client = _client(counselor)
    screen = client.post(
        BULK,
        {"action": "return", "school_class": own_class.pk, "registration": [first.pk, second.pk]},
    )
    assert "退回 2 人的报名？" in screen.content.decode()
    payload = {
        "apply": "1",
        "action": "return",
        "school_class": own_class.pk,
        "registration": [first.pk, second.pk],
    }
    client.post(BULK, {**payload, "reason": "   "})
    assert not Registration.objects.filter(review_status=ReviewStatus.RETURNED).exists()
    client.post(BULK, {**payload, "reason": "身份证号请核对"})
    assert set(
        Registration.objects.filter(review_status=ReviewStatus.RETURNED).values_list(
            "review_reason", flat=True
        )
    ) == {"身份证号请核对"}
    third.refresh_from_db()
    assert third.review_status == ReviewStatus.PENDING


def test_bulk_review_never_touches_or_names_another_counselors_registrations(
    counselor, exam_round, own_class, other_class
):
    theirs = registration_make(exam_round=exam_round, school_class=other_class, name="别班生")
    mine = registration_make(exam_round=exam_round, school_class=own_class)
    client = _client(counselor)
    # Their class as the page: 404. Their ids smuggled into our class's selection: ignored.
    assert (
        client.post(
            BULK, {"action": "confirm", "school_class": other_class.pk, "all_matching": "1"}
        ).status_code
        == 404
    )
    screen = client.post(
        BULK,
        {"action": "confirm", "school_class": own_class.pk, "registration": [theirs.pk, mine.pk]},
    )
    assert "别班生" not in screen.content.decode()
    result = client.post(
        BULK,
        {
            "apply": "1",
            "action": "confirm",
            "school_class": own_class.pk,
            "registration": [theirs.pk, mine.pk],
        },
    )
    assert result.status_code == 302
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.review_status == ReviewStatus.PENDING
    assert mine.review_status == ReviewStatus.CONFIRMED


def test_bulk_apply_reports_a_registration_cancelled_after_the_screen(
    counselor, exam_round, own_class
):
    one, two = (registration_make(exam_round=exam_round, school_class=own_class) for _ in range(2))
    Registration.objects.filter(pk=two.pk).update(status=RegistrationStatus.CANCELLED)
    response = _client(counselor).post(
        BULK,
        {
            "apply": "1",
            "action": "confirm",
            "school_class": own_class.pk,
            "registration": [one.pk, two.pk],
        },
    )
    assert response.status_code == 200  # the result names who was left
    assert "以下 1 人未处理" in response.content.decode()
    two.refresh_from_db()
    assert two.review_status == ReviewStatus.PENDING


def test_bulk_limit_bounds_one_request():
    with pytest.raises(review.ReviewError):
        review.registrations_review_bulk(
            registration_ids=list(range(1, review.BULK_LIMIT + 2)),
            reviewer=None,
            action=review.CONFIRM,
        )


def test_next_pending_walks_the_class_in_roster_order(counselor, exam_round, own_class):
    a = registration_make(exam_round=exam_round, school_class=own_class, student_number="2021001")
    b = registration_make(exam_round=exam_round, school_class=own_class, student_number="2021002")
    c = registration_make(
        exam_round=exam_round,
        school_class=own_class,
        student_number="2021003",
        review_status=ReviewStatus.CONFIRMED,
    )
    client = _client(counselor)
    page = client.get(reverse("registration:counselor_registration", args=[a.pk])).content
    assert reverse("registration:counselor_registration", args=[b.pk]) in page.decode()
    client.post(reverse("registration:counselor_registration_confirm", args=[b.pk]))
    page = client.get(reverse("registration:counselor_registration", args=[b.pk])).content.decode()
    # b's next: c is confirmed, so it wraps to a.
    assert 'id="next-pending"' in page
    assert reverse("registration:counselor_registration", args=[a.pk]) in page
    client.post(reverse("registration:counselor_registration_confirm", args=[a.pk]))
    page = client.get(reverse("registration:counselor_registration", args=[c.pk])).content.decode()
    assert "本班已无待审核的报名" in page


def test_academic_queue_holds_registrations_no_counselor_owns(
    academic, counselor, exam_round, own_class
):
    orphan_class = SchoolClassFactory(name="无辅导员班", counselor=None)
    social = registration_make(
        exam_round=exam_round, school_class=None, name="社会考生甲", candidate_type="social"
    )
    orphan = registration_make(exam_round=exam_round, school_class=orphan_class, name="孤班生")
    registration_make(exam_round=exam_round, school_class=own_class, name="有主生")
    assert social.review_label == "待教务审核" and orphan.review_label == "待教务审核"

    url = reverse("registration:counselor_unowned")
    assert _client(counselor).get(url).status_code == 403
    client = _client(academic)
    dashboard = client.get(reverse("registration:counselor_dashboard")).content.decode()
    assert 'id="unowned-queue"' in dashboard
    page = client.get(url).content.decode()
    assert "社会考生甲" in page and "孤班生" in page and "有主生" not in page
    assert "距截止还有" in page and "报名已截止" not in page  # the round's own deadline
    response = client.post(
        BULK, {"action": "confirm", "school_class": "unowned", "all_matching": "1"}
    )
    assert "确认 2 人的报名？" in response.content.decode()
    client.post(
        BULK,
        {
            "apply": "1",
            "action": "confirm",
            "school_class": "unowned",
            "registration": [social.pk, orphan.pk],
        },
    )
    social.refresh_from_db()
    assert social.review_status == ReviewStatus.CONFIRMED
    assert social.review_label == "教务已确认"
    # A counselor cannot reach the queue through the bulk form either.
    assert (
        _client(counselor)
        .post(BULK, {"action": "confirm", "school_class": "unowned", "all_matching": "1"})
        .status_code
        == 403
    )


def test_student_page_names_who_reviews(client, exam_round, own_class):
    mine = registration_make(exam_round=exam_round, school_class=own_class)
    social = registration_make(exam_round=exam_round, school_class=None, candidate_type="social")
    for registration, label in ((mine, "待辅导员审核"), (social, "待教务审核")):
        url = reverse(
            "registration:registration_detail", args=[registration.pk, registration.token]
        )
        assert f'id="review-label">{label}<' in client.get(url).content.decode()


@pytest.mark.postgres  # real simultaneity needs real connections (SQLite's memory DB locks)
@pytest.mark.django_db(transaction=True)
def test_two_counselors_bulk_reviewing_at_once_each_touch_only_their_class(
    counselor, other_counselor, exam_round, own_class, other_class
):
    mine = [registration_make(exam_round=exam_round, school_class=own_class) for _ in range(5)]
    theirs = [registration_make(exam_round=exam_round, school_class=other_class) for _ in range(5)]
    errors = []

    def confirm(user, school_class, rows):
        try:
            client = _client(user)
            response = client.post(
                BULK,
                {
                    "apply": "1",
                    "action": "confirm",
                    "school_class": school_class.pk,
                    "registration": [r.pk for r in rows],
                },
            )
            assert response.status_code == 302
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=confirm, args=(counselor, own_class, mine)),
        threading.Thread(target=confirm, args=(other_counselor, other_class, theirs)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    reviewers = dict(Registration.objects.values_list("pk", "reviewed_by_id"))
    assert {reviewers[r.pk] for r in mine} == {counselor.pk}
    assert {reviewers[r.pk] for r in theirs} == {other_counselor.pk}


def test_bulk_review_tells_each_candidate_once_like_a_single_review(
    counselor, exam_round, own_class, django_capture_on_commit_callbacks
):
    from messaging.models import Event, Message

    rows = [registration_make(exam_round=exam_round, school_class=own_class) for _ in range(3)]
    payload = {
        "apply": "1",
        "action": "return",
        "school_class": own_class.pk,
        "registration": [r.pk for r in rows],
        "reason": "照片背景请用白色",
    }
    client = _client(counselor)
    for _ in range(2):  # a second click: nothing new to do, nothing written twice
        with django_capture_on_commit_callbacks(execute=True):
            client.post(BULK, payload)
    returned = Message.objects.filter(event=Event.REGISTRATION_RETURNED)
    inbox = returned.filter(channel="inbox")
    assert sorted(inbox.values_list("recipient_ref", flat=True)) == sorted(r.pk for r in rows)
    assert all("照片背景请用白色" in body for body in inbox.values_list("body", flat=True))
