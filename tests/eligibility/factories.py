"""Factories for eligibility tests."""

from decimal import Decimal

import factory

from eligibility.models import EligibilityCondition
from tests.factories import ExamRoundFactory, level


class EligibilityConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityCondition

    round = factory.SubFactory(ExamRoundFactory)
    occupation = "电子商务师"
    level = factory.LazyFunction(lambda: level(4))
    code = factory.Sequence(lambda n: f"T4-{n}")
    text = "在本职业连续工作3年以上。"
    candidate_types = factory.LazyFunction(lambda: ["social", "student"])
    min_years = Decimal("3")
    years_basis = "continuous"
    years_scope = "same"
