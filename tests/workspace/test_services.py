import pytest
from django.utils import timezone

from registration.models import Registration
from workspace.services import review
from workspace.services.review import ReviewError


@pytest.mark.django_db
def test_registration_confirm_sets_reviewer_and_time(counselor, own_registration):
    own_registration.review_reason = "旧原因"
    own_registration.save()
    review.registration_confirm(registration=own_registration, reviewer=counselor)
    own_registration.refresh_from_db()
    assert own_registration.review_status == "confirmed"
    assert own_registration.reviewed_by == counselor
    assert own_registration.reviewed_at is not None
    assert own_registration.review_reason == ""


@pytest.mark.django_db
def test_registration_confirm_twice_keeps_the_first_confirmation(
    counselor, academic, own_registration
):
    review.registration_confirm(registration=own_registration, reviewer=counselor)
    first = Registration.objects.get(pk=own_registration.pk).reviewed_at
    review.registration_confirm(registration=own_registration, reviewer=academic)
    own_registration.refresh_from_db()
    assert own_registration.reviewed_by == counselor
    assert own_registration.reviewed_at == first


@pytest.mark.django_db
def test_registration_confirm_refuses_a_cancelled_registration(counselor, own_registration):
    Registration.objects.filter(pk=own_registration.pk).update(
        status="cancelled", cancelled_at=timezone.now()
    )
    with pytest.raises(ReviewError) as info:
        review.registration_confirm(registration=own_registration, reviewer=counselor)
    assert info.value.message == review.REVIEW_CANCELLED
    assert Registration.objects.get(pk=own_registration.pk).review_status == "pending"


@pytest.mark.django_db
def test_registration_confirm_refuses_another_counselors_registration(
    counselor, other_registration
):
    with pytest.raises(ReviewError) as info:
        review.registration_confirm(registration=other_registration, reviewer=counselor)
    assert info.value.message == review.REVIEW_NOT_ALLOWED


@pytest.mark.django_db
def test_registration_confirm_by_academic_affairs_on_any_class(academic, other_registration):
    review.registration_confirm(registration=other_registration, reviewer=academic)
    assert Registration.objects.get(pk=other_registration.pk).review_status == "confirmed"


@pytest.mark.django_db
def test_registration_return_stores_the_reason(counselor, own_registration):
    review.registration_return(
        registration=own_registration, reviewer=counselor, reason="  学号填错了，\n请改正。 "
    )
    own_registration.refresh_from_db()
    assert own_registration.review_status == "returned"
    assert own_registration.review_reason == "学号填错了， 请改正。"
    assert own_registration.reviewed_by == counselor


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
@pytest.mark.django_db
def test_registration_return_requires_a_reason(counselor, own_registration, reason):
    with pytest.raises(ReviewError) as info:
        review.registration_return(registration=own_registration, reviewer=counselor, reason=reason)
    assert info.value.message == review.REASON_REQUIRED
    assert Registration.objects.get(pk=own_registration.pk).review_status == "pending"


@pytest.mark.django_db
def test_registration_return_reason_length_boundary(counselor, own_registration):
    review.registration_return(
        registration=own_registration, reviewer=counselor, reason="改" * review.REASON_MAX_LENGTH
    )
    with pytest.raises(ReviewError) as info:
        review.registration_return(
            registration=own_registration,
            reviewer=counselor,
            reason="改" * (review.REASON_MAX_LENGTH + 1),
        )
    assert info.value.message == review.REASON_TOO_LONG


@pytest.mark.django_db
def test_registration_return_refuses_a_cancelled_registration(counselor, own_registration):
    Registration.objects.filter(pk=own_registration.pk).update(status="cancelled")
    with pytest.raises(ReviewError) as info:
        review.registration_return(registration=own_registration, reviewer=counselor, reason="x")
    assert info.value.message == review.REVIEW_CANCELLED


@pytest.mark.django_db
def test_registration_note_set_saves_and_allows_cancelled(counselor, own_registration):
    Registration.objects.filter(pk=own_registration.pk).update(status="cancelled")
    review.registration_note_set(
        registration=own_registration, author=counselor, note=" 已电话联系 "
    )
    assert Registration.objects.get(pk=own_registration.pk).counselor_note == "已电话联系"


@pytest.mark.django_db
def test_registration_note_set_length_boundary(counselor, own_registration):
    review.registration_note_set(
        registration=own_registration, author=counselor, note="注" * review.NOTE_MAX_LENGTH
    )
    with pytest.raises(ReviewError) as info:
        review.registration_note_set(
            registration=own_registration,
            author=counselor,
            note="注" * (review.NOTE_MAX_LENGTH + 1),
        )
    assert info.value.message == review.NOTE_TOO_LONG


@pytest.mark.django_db
def test_registration_note_set_refuses_another_counselor(counselor, other_registration):
    with pytest.raises(ReviewError):
        review.registration_note_set(registration=other_registration, author=counselor, note="x")
    assert Registration.objects.get(pk=other_registration.pk).counselor_note == ""
