"""Loading a round's rules from the database and deciding with them."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from eligibility import selectors
from eligibility.engine import Facts, PriorCertificate
from eligibility.models import EligibilityCondition
from rounds.models import ExamRound
from tests.eligibility.factories import EligibilityConditionFactory
from tests.factories import MajorFactory, SchoolClassFactory, level

REFUSAL = "由于疫情原因,上半年暂不组织社会人员的考试"


def klass(*, enrolled: int, related: bool = True, program_years: int = 3):
    major = MajorFactory(is_related=related, program_years=program_years)
    return SchoolClassFactory(major=major, enrolment_year=enrolled)


def verdicts(decisions) -> dict[int, bool]:
    return {code: decision.eligible for code, decision in decisions.items()}


# 2022-05-20 deadline: enrolled 2021 is 大一, 2020 大二, 2019 大三. The college's reading
# (issue 11): every in-school student may register for 四级 (conditionally on the college's
# training); the old table refused 四级 to every 大一, 大二 and unrelated-major student.
@pytest.mark.parametrize(
    ("enrolled", "related", "expected"),
    [
        (2021, True, {4: True, 3: False}),
        (2020, True, {4: True, 3: True}),
        (2019, True, {4: True, 3: True}),
        (2021, False, {4: True, 3: False}),
        (2020, False, {4: True, 3: False}),
        (2019, False, {4: True, 3: False}),
    ],
)
def test_decisions_for_students_of_the_2022_round(announcement, enrolled, related, expected):
    facts = selectors.student_facts(
        exam_round=announcement, school_class=klass(enrolled=enrolled, related=related)
    )

    decisions = selectors.decisions_for(exam_round=announcement, facts=facts)

    assert verdicts(decisions) == expected
    assert list(decisions) == [4, 3]


def test_student_facts_grade_is_taken_on_the_registration_deadline(announcement):
    school_class = klass(enrolled=2020)

    facts = selectors.student_facts(exam_round=announcement, school_class=school_class)

    assert facts.grade == 2
    assert facts.candidate_type == "student"
    assert facts.major_related is True
    assert facts.education.kind == "college"
    assert facts.education.major == "related"
    assert facts.education.final_year is False
    announcement.registration_deadline = dt.date(2022, 9, 1)
    assert selectors.student_facts(exam_round=announcement, school_class=school_class).grade == 3


def test_decisions_for_third_year_names_the_matched_conditions(announcement):
    facts = selectors.student_facts(exam_round=announcement, school_class=klass(enrolled=2019))

    decisions = selectors.decisions_for(exam_round=announcement, facts=facts)

    assert [m.code for m in decisions[4].matched] == ["L4-3"]
    assert [m.code for m in decisions[3].matched] == ["L3-S"]
    assert decisions[3].matched[0].text.startswith("武汉交通职业学院校相关专业")


def test_decisions_for_unrelated_major_gives_a_reason(announcement):
    facts = selectors.student_facts(
        exam_round=announcement, school_class=klass(enrolled=2020, related=False)
    )

    decision = selectors.decisions_for(exam_round=announcement, facts=facts)[3]

    assert "L3-S：需是本专业或相关专业的在校生，您的专业不属于相关专业" in decision.reasons


def test_decisions_for_social_candidates_are_refused_with_the_stated_reason(announcement):
    facts = Facts(candidate_type="social", years_in_occupation=Decimal(3))

    decision = selectors.decisions_for(exam_round=announcement, facts=facts)[4]

    assert [m.code for m in decision.matched] == ["L4-1"]
    assert decision.meets_conditions
    assert not decision.policy_allows
    assert decision.policy_reason == REFUSAL
    assert not decision.eligible


def test_decisions_for_social_candidates_when_the_round_accepts_them(announcement):
    announcement.accepts_social = True
    announcement.save()
    facts = Facts(candidate_type="social", years_in_occupation=Decimal(3))

    decisions = selectors.decisions_for(exam_round=announcement, facts=facts)

    assert decisions[4].eligible
    assert decisions[4].policy_reason is None
    assert not decisions[3].eligible


def test_decision_for_reads_one_level(announcement):
    facts = Facts(
        candidate_type="social",
        prior_certificate=PriorCertificate(
            level=4, occupation="same", years_after=Decimal(4), continuous=True
        ),
    )

    decision = selectors.decision_for(exam_round=announcement, level_code=3, facts=facts)

    assert decision.level == 3
    assert [m.code for m in decision.matched] == ["L3-3"]


def test_decision_for_level_the_round_does_not_offer(announcement):
    facts = Facts(candidate_type="student", grade=3, major_related=True)

    decision = selectors.decision_for(exam_round=announcement, level_code=2, facts=facts)

    assert not decision.eligible
    assert decision.policy_reason == "本批次未开考二级/技师。"


def test_decisions_for_skips_inactive_conditions(announcement):
    facts = selectors.student_facts(exam_round=announcement, school_class=klass(enrolled=2020))
    assert selectors.decisions_for(exam_round=announcement, facts=facts)[3].eligible

    EligibilityCondition.objects.filter(round=announcement, code="L3-S").update(is_active=False)

    assert not selectors.decisions_for(exam_round=announcement, facts=facts)[3].eligible


def test_decisions_for_includes_occupation_wide_conditions(announcement):
    facts = Facts(candidate_type="student", grade=1, major_related=True)
    EligibilityConditionFactory(
        round=None,
        occupation="电子商务师",
        level=level(4),
        code="O4-1",
        candidate_types=["student"],
        min_years=None,
        years_basis="",
        years_scope="",
        grades=[1],
    )
    EligibilityConditionFactory(
        round=None,
        occupation="汽车维修工",
        level=level(3),
        code="O3-1",
        candidate_types=["student"],
        min_years=None,
        years_basis="",
        years_scope="",
        grades=[1],
    )

    decisions = selectors.decisions_for(exam_round=announcement, facts=facts)

    assert [m.code for m in decisions[4].matched] == ["O4-1"]
    assert decisions[3].matched == ()


def test_session_condition_replaces_occupation_wide_one_with_the_same_code(announcement):
    EligibilityConditionFactory(
        round=None, occupation="电子商务师", level=level(4), code="L4-1", min_years=Decimal(1)
    )
    facts = Facts(candidate_type="social", years_in_occupation=Decimal(2))

    decision = selectors.decision_for(exam_round=announcement, level_code=4, facts=facts)

    assert decision.matched == ()
    assert "L4-1：需本职业连续工作满3年，您填写的是2年" in decision.reasons


def test_decisions_for_uses_a_constant_number_of_queries(announcement, django_assert_num_queries):
    for n in range(10):
        EligibilityConditionFactory(
            round=announcement,
            level=level(3 + n % 2),
            code=f"X-{n}",
            prior_level=level(5),
            prior_scope="same",
            training_level=level(4),
        )
    exam_round = ExamRound.objects.get(pk=announcement.pk)
    facts = Facts(candidate_type="student", grade=2, major_related=True)

    with django_assert_num_queries(2):
        decisions = selectors.decisions_for(exam_round=exam_round, facts=facts)

    assert verdicts(decisions) == {4: True, 3: True}
    assert decisions[4].conditional
    prefetched = ExamRound.objects.prefetch_related("levels").get(pk=announcement.pk)
    with django_assert_num_queries(1):
        selectors.decisions_for(exam_round=prefetched, facts=facts)


def test_facts_dict_round_trip_through_a_json_field(announcement):
    facts = selectors.student_facts(exam_round=announcement, school_class=klass(enrolled=2019))

    stored = json.loads(json.dumps(selectors.facts_to_dict(facts)))

    assert selectors.facts_from_dict(stored) == facts


def test_condition_rows_is_one_query_and_lets_a_round_rule_replace_the_occupation_rule(
    announcement, django_assert_num_queries
):
    EligibilityConditionFactory(
        round=None,
        occupation="电子商务师",
        level=level(4),
        code="L4-1",
        text="在本职业连续工作5年以上。",
        min_years=Decimal(5),
    )
    levels = list(announcement.levels.all())

    with django_assert_num_queries(1):
        rows = selectors.condition_rows(announcement, levels=levels)

    codes = [(row.level.code, row.code) for row in rows]
    assert len(codes) == len(set(codes)) == 12
    assert next(r for r in rows if r.code == "L4-1").round_id == announcement.pk
