import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fees.models import FeeItem
from registration.models import Registration, ReviewStatus
from registration.services import submission
from registration.services.submission import RegistrationInput, SubmissionError
from tests.idnumbers import make_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def student_input(serial=1, **overrides) -> RegistrationInput:
    values = {
        "name": "张三",
        "id_number": make_id_number(serial),
        "ethnicity": "汉族",
        "phone": "13800138000",
        "student_number": "2020123456",
        "level_code": 3,
    }
    values.update(overrides)
    return RegistrationInput(**values)


def test_registration_submit_stores_quote_condition_and_facts(
    announcement, sophomore_class, during_round
):
    registration = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input()
    )
    registration.refresh_from_db()
    assert registration.level.code == 3
    assert registration.gender == "M"
    assert registration.birth_date == dt.date(2002, 3, 14)
    assert registration.quoted_registration_fee == Decimal("320.00")
    assert registration.quoted_training_fee == Decimal("0.00")
    assert registration.quoted_total == Decimal("320.00")
    assert registration.training_fee_item.training_option == "free"
    assert registration.quoted_charge_items == [
        {
            "kind": "报名费",
            "name": "电子商务师三级/高级工考试报名费",
            "amount": "320.00",
            "fee_item_id": registration.registration_fee_item_id,
        }
    ]
    assert registration.matched_condition_code == "L3-S"
    assert registration.declared_facts["grade"] == 2
    assert registration.declared_facts["candidate_type"] == "student"
    assert registration.number.startswith("2022") and len(registration.number) == 11
    assert len(registration.token) >= 32
    assert registration.review_status == ReviewStatus.PENDING


def test_registration_submit_senior_may_take_level_four_at_260(
    announcement, senior_class, during_round
):
    registration = submission.registration_submit(
        exam_round=announcement, school_class=senior_class, data=student_input(level_code=4)
    )
    assert registration.quoted_registration_fee == Decimal("260.00")
    assert registration.matched_condition_code == "L4-3"


def test_registration_submit_sophomore_for_level_four_is_conditional(
    announcement, sophomore_class, during_round
):
    # Old reading: refused. The college's reading: 四级 on condition of its 四级 training.
    registration = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input(level_code=4)
    )

    assert registration.pending_requirement == "training"
    assert registration.matched_condition_code == "L4-4"
    assert registration.history.first().pending_requirement == "training"


def test_registration_submit_senior_for_level_four_is_eligible_outright(
    announcement, senior_class, during_round
):
    registration = submission.registration_submit(
        exam_round=announcement, school_class=senior_class, data=student_input(level_code=4)
    )

    assert registration.pending_requirement == ""
    assert registration.matched_condition_code == "L4-3"


def test_registration_update_clears_the_pending_requirement_when_changing_level(
    announcement, sophomore_class, during_round
):
    registration = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input(level_code=4)
    )

    submission.registration_update(registration=registration, data=student_input(level_code=3))

    registration.refresh_from_db()
    assert registration.pending_requirement == ""
    assert registration.matched_condition_code == "L3-S"


def test_registration_submit_refuses_unrelated_major_for_level_three(
    announcement, unrelated_class, during_round
):
    with pytest.raises(SubmissionError) as caught:
        submission.registration_submit(
            exam_round=announcement, school_class=unrelated_class, data=student_input(level_code=3)
        )
    assert caught.value.field == "level"
    assert caught.value.reasons
    assert not Registration.objects.exists()


@pytest.mark.parametrize("fixture", ["freshman_class", "unrelated_class"])
def test_registration_submit_refuses_ineligible_classes(
    request, announcement, during_round, fixture
):
    school_class = request.getfixturevalue(fixture)
    with pytest.raises(SubmissionError):
        submission.registration_submit(
            exam_round=announcement, school_class=school_class, data=student_input()
        )
    assert not Registration.objects.exists()


def test_registration_submit_refuses_social_candidates_with_the_stated_reason(
    announcement, during_round
):
    data = student_input(candidate_type="social", student_number="", work_unit="某公司")
    with pytest.raises(SubmissionError) as caught:
        submission.registration_submit(exam_round=announcement, school_class=None, data=data)
    assert "疫情" in str(caught.value.message)
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [
        (dt.datetime(2022, 5, 20, 0, 0, 0, tzinfo=SHANGHAI), True),
        (dt.datetime(2022, 5, 20, 23, 59, 59, tzinfo=SHANGHAI), True),
        (dt.datetime(2022, 5, 21, 0, 0, 0, tzinfo=SHANGHAI), False),
        # 2022-05-20 16:00 UTC is already 2022-05-21 00:00 in Shanghai.
        (dt.datetime(2022, 5, 20, 16, 0, 0, tzinfo=dt.UTC), False),
        (dt.datetime(2022, 5, 20, 15, 59, 59, tzinfo=dt.UTC), True),
    ],
)
def test_registration_submit_deadline_day_counts_whole_in_shanghai(
    announcement, sophomore_class, moment, accepted
):
    with time_machine.travel(moment, tick=False):
        if accepted:
            submission.registration_submit(
                exam_round=announcement, school_class=sophomore_class, data=student_input()
            )
        else:
            with pytest.raises(SubmissionError) as caught:
                submission.registration_submit(
                    exam_round=announcement, school_class=sophomore_class, data=student_input()
                )
            assert "2022年5月20日" in str(caught.value.message)
    assert Registration.objects.count() == (1 if accepted else 0)


def test_registration_submit_refuses_a_second_active_registration(
    announcement, sophomore_class, during_round
):
    submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input()
    )
    with pytest.raises(submission.AlreadyRegistered) as caught:
        submission.registration_submit(
            exam_round=announcement,
            school_class=sophomore_class,
            data=student_input(name="李四", phone="13900139000"),
        )
    assert caught.value.field == "id_number"
    assert Registration.objects.count() == 1


def test_registration_submit_after_cancel_creates_a_new_active_one(
    announcement, sophomore_class, during_round
):
    first = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input()
    )
    submission.registration_cancel(registration=first)
    second = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input()
    )
    assert second.pk != first.pk
    assert Registration.objects.active().get() == second


def test_fee_change_after_submit_keeps_the_quote(announcement, sophomore_class, during_round):
    registration = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input()
    )
    FeeItem.objects.filter(round=announcement, kind="registration", level__code=3).update(
        amount=Decimal("350.00")
    )
    registration.refresh_from_db()
    assert registration.quoted_registration_fee == Decimal("320.00")
    # An edit that keeps level and training option keeps the quote too.
    updated = submission.registration_update(
        registration=registration, data=student_input(name="张三丰")
    )
    assert updated.quoted_registration_fee == Decimal("320.00")
    # A new registration is quoted the new amount.
    other = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input(serial=7)
    )
    assert other.quoted_registration_fee == Decimal("350.00")


def test_registration_update_changing_level_requotes_and_resets_review(
    announcement, senior_class, during_round
):
    registration = submission.registration_submit(
        exam_round=announcement, school_class=senior_class, data=student_input(level_code=3)
    )
    Registration.objects.filter(pk=registration.pk).update(
        review_status=ReviewStatus.RETURNED, review_reason="学号有误"
    )
    updated = submission.registration_update(
        registration=registration, data=student_input(level_code=4, student_number="2019000001")
    )
    updated.refresh_from_db()
    assert updated.level.code == 4
    assert updated.quoted_registration_fee == Decimal("260.00")
    assert updated.review_status == ReviewStatus.PENDING
    assert updated.student_number == "2019000001"


def test_registration_update_to_an_id_already_registered_is_refused(
    announcement, sophomore_class, during_round
):
    submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input(serial=1)
    )
    second = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input(serial=2)
    )
    with pytest.raises(submission.AlreadyRegistered):
        submission.registration_update(registration=second, data=student_input(serial=1))
    second.refresh_from_db()
    assert second.id_number == make_id_number(2)


def test_registration_update_and_cancel_refused_after_the_deadline(announcement, sophomore_class):
    with time_machine.travel(dt.datetime(2022, 5, 20, 23, 0, tzinfo=SHANGHAI), tick=False):
        registration = submission.registration_submit(
            exam_round=announcement, school_class=sophomore_class, data=student_input()
        )
    with time_machine.travel(dt.datetime(2022, 5, 21, 0, 0, tzinfo=SHANGHAI), tick=False):
        with pytest.raises(SubmissionError, match="截止"):
            submission.registration_update(
                registration=registration, data=student_input(name="王五")
            )
        with pytest.raises(SubmissionError, match="截止"):
            submission.registration_cancel(registration=registration)
    registration.refresh_from_db()
    assert registration.name == "张三"
    assert registration.status == "active"


def test_registration_cancel_twice_is_refused(announcement, sophomore_class, during_round):
    registration = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input()
    )
    submission.registration_cancel(registration=registration)
    with pytest.raises(SubmissionError, match="已取消"):
        submission.registration_cancel(registration=registration)


def test_registration_submit_without_a_registration_fee_item_saves_nothing(
    announcement, sophomore_class, during_round
):
    FeeItem.objects.filter(round=announcement, kind="registration", level__code=3).update(
        is_active=False
    )
    with pytest.raises(SubmissionError, match="报名费尚未设置"):
        submission.registration_submit(
            exam_round=announcement, school_class=sophomore_class, data=student_input()
        )
    assert not Registration.objects.exists()


def test_registration_submit_refuses_an_inactive_class(announcement, sophomore_class, during_round):
    sophomore_class.is_active = False
    sophomore_class.save()
    with pytest.raises(SubmissionError, match="停用"):
        submission.registration_submit(
            exam_round=announcement, school_class=sophomore_class, data=student_input()
        )


def test_paid_registration_keeps_level_and_cannot_be_cancelled(
    announcement, senior_class, during_round
):
    from registration.ledger.models import Payment
    from tests.factories import UserFactory

    registration = submission.registration_submit(
        exam_round=announcement, school_class=senior_class, data=student_input(level_code=4)
    )
    Payment.objects.create(
        registration=registration,
        charge_item_name=registration.quoted_charge_items[0]["name"],
        amount=Decimal("260.00"),
        paid_on=dt.date(2022, 5, 11),
        source="manual",
        recorded_by=UserFactory(username="cashier"),
    )
    with pytest.raises(SubmissionError, match="您已缴费"):
        submission.registration_update(registration=registration, data=student_input(level_code=3))
    with pytest.raises(SubmissionError, match="您已缴费"):
        submission.registration_cancel(registration=registration)
    # Details that do not change what is owed may still be corrected.
    updated = submission.registration_update(
        registration=registration, data=student_input(level_code=4, name="张叁")
    )
    assert updated.name == "张叁"
    registration.refresh_from_db()
    assert registration.level.code == 4
    assert registration.status == "active"


def test_registration_submit_enrolls_a_conditional_student_in_the_levels_training_class(
    announcement, sophomore_class, during_round
):
    """The in-school route end to end: 有条件符合 at sign-up puts the student in a training class,
    and after a change to a level they meet outright no training is asked of them."""
    from courses.models import TrainingClass
    from registration.training.models import TrainingEnrollment
    from registration.training.selectors import registration_progress
    from tests.factories import level

    four = TrainingClass.objects.create(
        round=announcement, level=level(4), name="四级培训1班", required_hours=40
    )

    registration = submission.registration_submit(
        exam_round=announcement, school_class=sophomore_class, data=student_input(level_code=4)
    )

    enrollment = TrainingEnrollment.objects.get(registration=registration)
    assert enrollment.training_class == four

    submission.registration_update(registration=registration, data=student_input(level_code=3))

    registration.refresh_from_db()
    assert registration.pending_requirement == ""
    assert registration_progress(registration=registration).needs_training is False
