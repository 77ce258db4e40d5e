import datetime as dt
from decimal import Decimal

import pytest

from courses.models import TrainingTopic
from eligibility.models import EligibilityCondition
from fees.models import FeeItem
from registration.services.rounds import round_clone
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def clone(source, slug="dzsws-2022-2"):
    return round_clone(
        source=source,
        slug=slug,
        title="2022年下半年电子商务师职业技能等级认定",
        registration_opens=dt.date(2022, 9, 1),
        registration_deadline=dt.date(2022, 10, 20),
        exam_period="2022年11月下旬",
    )


def test_session_clone_copies_everything_but_registrations(announcement):
    RegistrationFactory(round=announcement)
    copy = clone(announcement)
    assert copy.is_published is False
    assert copy.registration_deadline == dt.date(2022, 10, 20)
    assert copy.intro_text == announcement.intro_text
    assert "截止2022年10月20日" in copy.how_to_register_text
    assert "2022年5月20日" not in copy.how_to_register_text
    assert copy.social_refusal_reason == announcement.social_refusal_reason
    assert sorted(copy.levels.values_list("code", flat=True)) == [3, 4]
    assert copy.eligibility_conditions.count() == 12
    assert copy.fee_items.count() == 9
    assert copy.training_modules.count() == 10
    assert TrainingTopic.objects.filter(module__round=copy).count() == 23
    assert copy.registrations.count() == 0
    l33 = copy.eligibility_conditions.get(code="L3-3")
    assert l33.prior_level.code == 4 and l33.min_years_after_prior == Decimal("4.0")


def test_session_clone_is_independent_of_its_source(announcement):
    copy = clone(announcement)
    FeeItem.objects.filter(round=copy, kind="registration", level__code=4).update(
        amount=Decimal("280.00")
    )
    EligibilityCondition.objects.filter(round=copy, code="L4-1").update(min_years=2)
    copy.training_modules.filter(number=1).delete()
    assert FeeItem.objects.get(
        round=announcement, kind="registration", level__code=4, candidate_type="student"
    ).amount == Decimal("260.00")
    assert EligibilityCondition.objects.get(round=announcement, code="L4-1").min_years == 3
    assert announcement.training_modules.count() == 10


def test_session_clone_refuses_a_taken_slug_and_writes_nothing(announcement):
    from django.core.exceptions import ValidationError

    from rounds.models import ExamRound

    with pytest.raises(ValidationError):
        clone(announcement, slug=announcement.slug)
    assert ExamRound.objects.count() == 1
