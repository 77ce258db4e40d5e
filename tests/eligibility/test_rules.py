"""The engine against the 2022 announcement, condition by condition. No database."""

import time
from decimal import Decimal

import pytest

from eligibility.engine import (
    Condition,
    Education,
    Facts,
    PriorCertificate,
    evaluate,
    in_school_facts,
)
from eligibility.engine import vocabulary as v
from tests.eligibility.rules_data import CONDITIONS_2022, POLICY_2022, POLICY_OPEN, REFUSAL_2022

D = Decimal


def social(**kwargs) -> Facts:
    return Facts(candidate_type="social", **kwargs)


def cert(level, occupation="same", years_after=0, continuous=True) -> PriorCertificate:
    return PriorCertificate(
        level=level, occupation=occupation, years_after=D(str(years_after)), continuous=continuous
    )


def edu(kind, major, graduated=True, final_year=False) -> Education:
    return Education(kind=kind, major=major, graduated=graduated, final_year=final_year)


def decide(facts, level, policy=POLICY_OPEN, conditions=CONDITIONS_2022):
    return evaluate(facts, level, conditions, policy)


def reason_of(decision, code) -> str:
    found = [r for r in decision.reasons if r.startswith(code + "：")]
    assert len(found) == 1, decision.reasons
    return found[0]


# (code, level, facts that satisfy this condition and no other of the level)
SATISFIED_ALONE = [
    ("L4-1", 4, social(years_in_occupation=D(3))),
    ("L4-2", 4, social(prior_certificate=cert(5, "related", 1, continuous=False))),
    ("L4-2", 4, social(prior_certificate=cert(5, "same", 1))),
    ("L4-3", 4, social(education=edu(v.TECHNICAL_SCHOOL, v.SAME))),
    ("L4-3", 4, social(education=edu(v.VOCATIONAL_INTERMEDIATE, v.RELATED))),
    ("L4-3", 4, social(education=edu(v.VOCATIONAL_ADVANCED, v.RELATED, False, final_year=True))),
    ("L4-4", 4, social(training_certificate=4)),
    ("L3-1", 3, social(years_in_occupation=D(6))),
    ("L3-3", 3, social(prior_certificate=cert(4, "same", 4))),
    ("L3-4", 3, social(prior_certificate=cert(4, "same", 3), training_certificate=3)),
    ("L3-6", 3, social(education=edu(v.COLLEGE, v.RELATED), years_in_occupation=D(1))),
    ("L3-6", 3, social(education=edu(v.COLLEGE, v.UNRELATED), years_in_occupation=D(1))),
    ("L3-7", 3, social(education=edu(v.COLLEGE, v.UNRELATED), training_certificate=3)),
    ("L3-S", 3, in_school_facts(grade=2, major_relation="related", program_years=3)),
]


@pytest.mark.parametrize(("code", "level", "facts"), SATISFIED_ALONE)
def test_evaluate_condition_satisfied_alone_is_eligible(code, level, facts):
    decision = decide(facts, level)

    assert [m.code for m in decision.matched] == [code]
    assert decision.meets_conditions
    assert decision.eligible
    assert not any(r.startswith(code + "：") for r in decision.reasons)


# (code, level, facts just short of the condition, the reason the candidate reads)
JUST_MISSED = [
    ("L4-1", 4, social(years_in_occupation=D(2)), "L4-1：需本职业连续工作满3年，您填写的是2年"),
    (
        "L4-1",
        4,
        social(years_in_occupation=D("2.9")),
        "L4-1：需本职业连续工作满3年，您填写的是2.9年",
    ),
    (
        "L4-2",
        4,
        social(prior_certificate=cert(5, "related", "0.9")),
        "L4-2：需取证后本职业或相关职业累计工作满1年，您填写的是0.9年",
    ),
    (
        "L4-2",
        4,
        social(years_in_occupation=D(2)),
        "L4-2：需持有本职业或相关职业五级/初级工及以上证书，您未填写已取得的证书",
    ),
    (
        "L4-3",
        4,
        social(education=edu(v.TECHNICAL_SCHOOL, v.UNRELATED)),
        "L4-3：需本专业或相关专业毕业证书，您填写的是非相关专业",
    ),
    (
        "L4-3",
        4,
        social(education=edu(v.TECHNICAL_SCHOOL, v.SAME, graduated=False)),
        "L4-3：需已毕业或为在校应届毕业生，您尚不是应届毕业生",
    ),
    (
        "L4-4",
        4,
        social(),
        "L4-4：需取得本职业四级/中级工正规培训结业证书，您未填写培训结业证书",
    ),
    (
        "L4-4",
        4,
        social(training_certificate=5),
        "L4-4：需取得本职业四级/中级工正规培训结业证书，您填写的是五级/初级工培训结业证书",
    ),
    ("L3-1", 3, social(years_in_occupation=D(5)), "L3-1：需本职业连续工作满6年，您填写的是5年"),
    (
        "L3-2",
        3,
        social(education=edu(v.VOCATIONAL_ADVANCED, v.RELATED)),
        "L3-2：需本专业毕业证书，您填写的是相关专业",
    ),
    (
        "L3-2",
        3,
        social(education=edu(v.VOCATIONAL_ADVANCED, v.SAME, graduated=False, final_year=True)),
        "L3-2：需已取得毕业证书，您尚未毕业",
    ),
    (
        "L3-3",
        3,
        social(prior_certificate=cert(4, "same", 3)),
        "L3-3：需取证后本职业连续工作满4年，您填写的是3年",
    ),
    (
        "L3-3",
        3,
        social(prior_certificate=cert(4, "same", 4, continuous=False)),
        "L3-3：需取证后本职业连续工作满4年，您填写的取证后工作不是连续的",
    ),
    (
        "L3-3",
        3,
        social(prior_certificate=cert(4, "related", 4)),
        "L3-3：需持有本职业的证书，您的证书属于相关职业",
    ),
    (
        "L3-3",
        3,
        social(prior_certificate=cert(5, "same", 4)),
        "L3-3：需持有本职业四级/中级工及以上证书，您填写的是五级/初级工证书",
    ),
    (
        "L3-4",
        3,
        social(prior_certificate=cert(4, "same", 2), training_certificate=3),
        "L3-4：需取证后本职业连续工作满3年，您填写的是2年",
    ),
    (
        "L3-4",
        3,
        social(prior_certificate=cert(4, "same", 3), training_certificate=4),
        "L3-4：需取得本职业三级/高级工正规培训结业证书，您填写的是四级/中级工培训结业证书",
    ),
    (
        "L3-5",
        3,
        social(education=edu(v.COLLEGE, v.RELATED)),
        "L3-5：需本专业毕业证书，您填写的是相关专业",
    ),
    (
        "L3-6",
        3,
        social(education=edu(v.COLLEGE, v.UNRELATED), years_in_occupation=D("0.9")),
        "L3-6：需本职业连续工作满1年，您填写的是0.9年",
    ),
    (
        "L3-7",
        3,
        social(education=edu(v.COLLEGE, v.UNRELATED), training_certificate=4),
        "L3-7：需取得本职业三级/高级工正规培训结业证书，您填写的是四级/中级工培训结业证书",
    ),
    (
        "L3-S",
        3,
        in_school_facts(grade=1, major_relation="related", program_years=3),
        "L3-S：需是大二或大三在校生，您是大一",
    ),
    (
        "L3-S",
        3,
        in_school_facts(grade=4, major_relation="related", program_years=5),
        "L3-S：需是大二或大三在校生，您是大四",
    ),
    (
        "L3-S",
        3,
        in_school_facts(grade=2, major_relation="unrelated", program_years=3),
        "L3-S：需是本专业或相关专业的在校生，您的专业不属于相关专业",
    ),
]


@pytest.mark.parametrize(("code", "level", "facts", "reason"), JUST_MISSED)
def test_evaluate_condition_just_missed_explains_why(code, level, facts, reason):
    decision = decide(facts, level)

    assert decision.matched == ()
    assert not decision.meets_conditions
    assert not decision.eligible
    assert reason_of(decision, code) == reason


# The college's reading (issue 11): every in-school student may register for 四级, conditionally
# on completing the college's 四级 training (L4-4), unless they meet L4-3 outright as a final-year
# (应届) student of a 本专业/相关专业 major; 三级 only through 破格 (L3-S). The old table refused
# every 大一, 大二 and unrelated-major student 四级.
# (grade, major relation, level, eligible, matched codes, pending requirement)
IN_SCHOOL_2022 = [
    (1, "same", 4, True, ["L4-4"], "training"),
    (1, "related", 4, True, ["L4-4"], "training"),
    (1, "unrelated", 4, True, ["L4-4"], "training"),
    (1, "related", 3, False, [], ""),
    (2, "same", 4, True, ["L4-4"], "training"),
    (2, "same", 3, True, ["L3-S"], ""),
    (2, "related", 3, True, ["L3-S"], ""),
    (2, "unrelated", 4, True, ["L4-4"], "training"),
    (2, "unrelated", 3, False, [], ""),
    (3, "same", 4, True, ["L4-3"], ""),
    (3, "related", 4, True, ["L4-3"], ""),
    (3, "related", 3, True, ["L3-S"], ""),
    (3, "unrelated", 4, True, ["L4-4"], "training"),
    (3, "unrelated", 3, False, [], ""),
]


@pytest.mark.parametrize(
    ("grade", "relation", "level", "eligible", "codes", "pending"), IN_SCHOOL_2022
)
def test_evaluate_in_school_students_of_2022(grade, relation, level, eligible, codes, pending):
    facts = in_school_facts(grade=grade, major_relation=relation, program_years=3)

    decision = decide(facts, level, policy=POLICY_2022)

    assert decision.eligible is eligible
    assert decision.meets_conditions is eligible
    assert decision.policy_allows
    assert decision.policy_reason is None
    assert [m.code for m in decision.matched] == codes
    assert decision.pending_requirement == pending
    assert decision.conditional is bool(pending)


def test_evaluate_conditional_verdict_says_what_is_still_to_do():
    facts = in_school_facts(grade=1, major_relation="unrelated", program_years=3)

    decision = decide(facts, 4, policy=POLICY_2022)

    assert decision.pending_text == "需完成本校四级培训并取得结业证书"
    assert decision.summary == (
        "您可以报名四级/中级工，但须在考试前完成本校四级培训并取得结业证书。"
    )
    assert decision.matched[0].pending_requirement == "training"


def test_evaluate_student_with_the_training_certificate_meets_l4_4_outright():
    facts = in_school_facts(grade=1, major_relation="unrelated", program_years=3)
    trained = Facts(**{**facts.__dict__, "training_certificate": 4})

    decision = decide(trained, 4, policy=POLICY_2022)

    assert [m.code for m in decision.matched] == ["L4-4"]
    assert not decision.conditional
    assert decision.summary == "您可以报考四级/中级工。"


def test_evaluate_social_candidate_never_gets_the_students_pending_route():
    decision = decide(social(), 4, policy=POLICY_OPEN)

    assert not decision.eligible
    assert decision.pending_requirement == ""


def test_evaluate_students_are_not_told_about_facts_they_were_not_asked():
    for grade in (1, 2, 3):
        for relation in ("same", "related", "unrelated"):
            facts = in_school_facts(grade=grade, major_relation=relation, program_years=3)
            for level in (4, 3):
                decision = decide(facts, level, policy=POLICY_2022)
                told = " ".join([decision.summary, *decision.details, *decision.reasons])
                for unasked in ("您填写的是", "工作满", "证书，您未填写", "职业技术学院"):
                    assert unasked not in told, (grade, relation, level, told)


def test_evaluate_refusal_summary_says_what_would_make_them_eligible():
    facts = in_school_facts(grade=3, major_relation="unrelated", program_years=3)

    decision = decide(facts, 3, policy=POLICY_2022)

    assert decision.summary == (
        "要报考三级/高级工，需是本专业或相关专业的在校生（您的专业不属于相关专业）。"
    )
    assert "L3-S" not in decision.summary
    assert all("L3-" not in detail for detail in decision.details)


def test_evaluate_social_refusal_gives_the_announcements_reason_first():
    decision = decide(social(years_in_occupation=D(6)), 4, policy=POLICY_2022)

    assert not decision.eligible
    assert decision.summary == REFUSAL_2022


@pytest.mark.parametrize("kind", [v.VOCATIONAL_ADVANCED, v.COLLEGE])
def test_evaluate_a_higher_vocational_diploma_is_a_college_diploma(kind):
    """高职 (职业技术学院) and 大学专科 are one answer: the same verdict either way."""
    same = social(education=edu(kind, v.SAME))
    other = social(education=edu(kind, v.UNRELATED), years_in_occupation=D(1))
    final_year = social(education=edu(kind, v.RELATED, graduated=False, final_year=True))

    assert [m.code for m in decide(same, 3).matched] == ["L3-2", "L3-5"]
    assert [m.code for m in decide(other, 3).matched] == ["L3-6"]
    assert [m.code for m in decide(final_year, 4).matched] == ["L4-3"]


def test_evaluate_second_year_student_is_conditional_for_level_4_and_told_why_not_outright():
    # Old reading: refused, told "L4-1：…您填写的是0年" about work years a student is never asked.
    facts = in_school_facts(grade=2, major_relation="related", program_years=3)

    decision = decide(facts, 4, policy=POLICY_2022)

    assert decision.conditional
    assert (
        reason_of(decision, "L4-3")
        == "L4-3：需已毕业或为在校应届毕业生，您是大二，尚不是应届毕业生"
    )
    assert not any(r.startswith("L4-1") for r in decision.reasons)


def test_evaluate_unrelated_major_student_gets_a_major_reason_for_level_3():
    facts = in_school_facts(grade=3, major_relation="unrelated", program_years=3)

    decision = decide(facts, 3, policy=POLICY_2022)

    assert not decision.eligible
    assert any("相关专业" in reason for reason in decision.reasons)


def test_in_school_facts_final_year_follows_programme_length():
    assert in_school_facts(grade=3, major_relation="related", program_years=3).education.final_year
    assert not in_school_facts(
        grade=2, major_relation="related", program_years=3
    ).education.final_year
    assert not in_school_facts(
        grade=3, major_relation="related", program_years=4
    ).education.final_year
    four_year = in_school_facts(grade=4, major_relation="related", program_years=4)
    assert decide(four_year, 4, policy=POLICY_2022).eligible


def test_evaluate_policy_refuses_social_but_reports_matched_conditions():
    facts = social(years_in_occupation=D(6), training_certificate=4)

    level4 = decide(facts, 4, policy=POLICY_2022)
    level3 = decide(facts, 3, policy=POLICY_2022)

    assert [m.code for m in level4.matched] == ["L4-1", "L4-4"]
    assert level4.matched[0].text == "在本职业连续工作3年以上。"
    assert level4.meets_conditions
    assert not level4.policy_allows
    assert level4.policy_reason == REFUSAL_2022 == "由于疫情原因,上半年暂不组织社会人员的考试"
    assert not level4.eligible
    assert [m.code for m in level3.matched] == ["L3-1"]
    assert not level3.eligible


def test_evaluate_policy_refusal_without_stated_reason_uses_a_generic_one():
    policy = POLICY_2022.__class__(accepted_candidate_types=("social",), offered_levels=(4, 3))

    decision = decide(
        in_school_facts(grade=3, major_relation="related", program_years=3), 4, policy
    )

    assert decision.meets_conditions
    assert not decision.eligible
    assert decision.policy_reason == "本批次不接受在校生报名。"


def test_evaluate_level_not_offered_is_refused_by_policy():
    decision = decide(social(years_in_occupation=D(10)), 5, policy=POLICY_OPEN)

    assert not decision.policy_allows
    assert decision.policy_reason == "本批次未开考五级/初级工。"
    assert decision.reasons == ("五级/初级工没有适用于社会人员的报考条件。",)


def test_evaluate_any_one_condition_suffices():
    facts = social(years_in_occupation=D(3), education=edu(v.TECHNICAL_SCHOOL, v.UNRELATED))

    decision = decide(facts, 4)

    assert decision.eligible
    assert [m.code for m in decision.matched] == ["L4-1"]
    assert reason_of(decision, "L4-3").startswith("L4-3：需本专业或相关专业")


def test_evaluate_condition_lists_every_unmet_requirement():
    decision = decide(social(), 3)

    assert reason_of(decision, "L3-4") == (
        "L3-4：需持有本职业四级/中级工及以上证书，您未填写已取得的证书；"
        "需取得本职业三级/高级工正规培训结业证书，您未填写培训结业证书"
    )


def test_evaluate_ignores_inactive_other_level_and_other_type_conditions():
    only = Condition(
        code="X-1", text="t", level=4, candidate_types=("social",), min_years=D(1), is_active=False
    )
    student_only = Condition(
        code="X-2", text="t", level=4, candidate_types=("student",), min_years=D(0)
    )
    level3 = Condition(code="X-3", text="t", level=3, candidate_types=("social",), min_years=D(0))

    decision = decide(social(years_in_occupation=D(5)), 4, conditions=(only, student_only, level3))

    assert decision.matched == ()
    assert decision.reasons == ("四级/中级工没有适用于社会人员的报考条件。",)


def test_evaluate_cumulative_years_fall_back_to_continuous_ones():
    cumulative = Condition(
        code="C-1",
        text="t",
        level=4,
        candidate_types=("social",),
        min_years=D(2),
        years_basis=v.CUMULATIVE,
        years_scope=v.SAME,
    )

    assert decide(social(years_in_occupation=D(2)), 4, conditions=(cumulative,)).eligible
    short = social(years_in_occupation=D(1), cumulative_years_in_occupation=D("1.9"))
    decision = decide(short, 4, conditions=(cumulative,))
    assert decision.reasons == ("C-1：需本职业累计工作满2年，您填写的是1.9年",)
    assert decide(
        social(years_in_occupation=D(1), cumulative_years_in_occupation=D(2)),
        4,
        conditions=(cumulative,),
    ).eligible


def test_evaluate_higher_certificate_and_training_satisfy_lower_requirements():
    assert [m.code for m in decide(social(training_certificate=3), 4).matched] == ["L4-4"]
    assert "L4-2" in [
        m.code for m in decide(social(prior_certificate=cert(4, "same", 1)), 4).matched
    ]


def test_evaluate_is_deterministic_and_fast():
    facts = social(years_in_occupation=D(2), education=edu(v.COLLEGE, v.UNRELATED))
    first = decide(facts, 3)

    started = time.perf_counter()
    for _ in range(2000):
        assert decide(facts, 3) == first
    assert time.perf_counter() - started < 2.0
