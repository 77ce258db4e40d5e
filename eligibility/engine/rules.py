"""Conditions, the round's policy, and evaluate(): declared facts in, an explained decision out.

A candidate meets a level's conditions when ANY ONE applicable active condition holds; within a
condition every parameter that is set must hold ("以上" includes the number itself). A higher
certificate or training level than the one a condition names also satisfies it.
"""

from dataclasses import dataclass
from decimal import Decimal

from eligibility.engine import vocabulary as v
from eligibility.engine.facts import Facts


@dataclass(frozen=True)
class Condition:
    """One numbered condition of the announcement, as eligibility.models.EligibilityCondition."""

    code: str
    text: str
    level: int
    candidate_types: tuple[str, ...]
    min_years: Decimal | None = None
    years_basis: str = ""  # v.CONTINUOUS or v.CUMULATIVE
    years_scope: str = ""  # v.SAME or v.SAME_OR_RELATED
    prior_level: int | None = None
    prior_scope: str = ""
    min_years_after_prior: Decimal | None = None
    years_after_prior_basis: str = ""
    school_kinds: tuple[str, ...] = ()
    major_relations: tuple[str, ...] = ()
    allow_final_year: bool = False
    training_level: int | None = None
    grades: tuple[int, ...] = ()
    requires_related_major: bool = False
    order: int = 0
    is_active: bool = True


@dataclass(frozen=True)
class Policy:
    """What the round admits, independent of the conditions."""

    accepted_candidate_types: tuple[str, ...]
    # The round's stated reason for not admitting the candidate's type, if it gave one.
    refusal_reason: str | None = None
    offered_levels: tuple[int, ...] = ()


@dataclass(frozen=True)
class MatchedCondition:
    code: str
    text: str


@dataclass(frozen=True)
class LevelDecision:
    level: int
    eligible: bool
    meets_conditions: bool
    policy_allows: bool
    policy_reason: str | None
    matched: tuple[MatchedCondition, ...]
    # One short Chinese reason per applicable condition that does not hold.
    reasons: tuple[str, ...]


MSG_NO_CONDITIONS = "{level}没有适用于{ctype}的报考条件。"
MSG_TYPE_REFUSED = "本批次不接受{ctype}报名。"
MSG_LEVEL_NOT_OFFERED = "本批次未开考{level}。"


def _years(value: Decimal | int) -> str:
    """3 -> "3", 2.5 -> "2.5" (never "3.0" or "3E+1")."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _or_list(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return "、".join(labels[:-1]) + "或" + labels[-1]


def _work_phrase(basis: str, scope: str, minimum: Decimal) -> str:
    how = "连续" if basis == v.CONTINUOUS else "累计"
    return f"{v.OCCUPATION_SCOPE_LABELS.get(scope, '本职业')}{how}工作满{_years(minimum)}年"


def _check_years(c: Condition, f: Facts) -> str | None:
    if c.min_years is None:
        return None
    # The facts record years in this occupation; they count toward "this or a related" scope too.
    have = f.years_in_occupation if c.years_basis == v.CONTINUOUS else f.cumulative_years
    if have >= c.min_years:
        return None
    return (
        f"需{_work_phrase(c.years_basis, c.years_scope, c.min_years)}，您填写的是{_years(have)}年"
    )


def _check_prior(c: Condition, f: Facts) -> list[str]:
    if c.prior_level is None:
        return []
    scope = v.OCCUPATION_SCOPE_LABELS.get(c.prior_scope, "本职业")
    wanted = f"{scope}{v.level_name(c.prior_level)}及以上证书"
    cert = f.prior_certificate
    if cert is None:
        return [f"需持有{wanted}，您未填写已取得的证书"]
    problems = []
    if cert.level > c.prior_level:
        problems.append(f"需持有{wanted}，您填写的是{v.level_name(cert.level)}证书")
    if c.prior_scope == v.SAME and cert.occupation != v.SAME:
        problems.append("需持有本职业的证书，您的证书属于相关职业")
    minimum = c.min_years_after_prior
    if minimum is not None:
        phrase = "需取证后" + _work_phrase(c.years_after_prior_basis, c.prior_scope, minimum)
        if cert.years_after < minimum:
            problems.append(f"{phrase}，您填写的是{_years(cert.years_after)}年")
        elif c.years_after_prior_basis == v.CONTINUOUS and not cert.continuous:
            problems.append(f"{phrase}，您填写的取证后工作不是连续的")
    return problems


def _check_education(c: Condition, f: Facts) -> list[str]:
    if not c.school_kinds:
        return []
    kinds = _or_list([v.SCHOOL_KIND_LABELS[k] for k in c.school_kinds])
    relations = _or_list([v.MAJOR_RELATION_LABELS[r] for r in c.major_relations])
    edu = f.education
    if edu is None:
        return [f"需{kinds}的{relations}毕业证书，您未填写学历"]
    problems = []
    if edu.kind not in c.school_kinds:
        problems.append(f"需{kinds}毕业证书，您填写的是{v.SCHOOL_KIND_LABELS[edu.kind]}")
    if c.major_relations and edu.major not in c.major_relations:
        problems.append(f"需{relations}毕业证书，您填写的是{v.MAJOR_RELATION_LABELS[edu.major]}")
    if not edu.graduated:
        if not c.allow_final_year:
            problems.append("需已取得毕业证书，您尚未毕业")
        elif not edu.final_year:
            now = f"您是{v.grade_label(f.grade)}，" if f.grade else "您"
            problems.append(f"需已毕业或为在校应届毕业生，{now}尚不是应届毕业生")
    return problems


def _check_training(c: Condition, f: Facts) -> str | None:
    if c.training_level is None:
        return None
    have = f.training_certificate
    wanted = f"需取得本职业{v.level_name(c.training_level)}正规培训结业证书"
    if have is None:
        return f"{wanted}，您未填写培训结业证书"
    if have > c.training_level:
        return f"{wanted}，您填写的是{v.level_name(have)}培训结业证书"
    return None


def _check_student(c: Condition, f: Facts) -> list[str]:
    problems = []
    if c.grades and f.grade not in c.grades:
        wanted = "、".join(v.grade_label(g) for g in sorted(c.grades))
        now = f"您是{v.grade_label(f.grade)}" if f.grade else "您未填写年级"
        problems.append(f"仅限{wanted}在校生，{now}")
    if c.requires_related_major and f.major_related is not True:
        now = "您的专业不属于相关专业" if f.major_related is False else "您未填写专业"
        problems.append(f"仅限相关专业在校生，{now}")
    return problems


def unmet(condition: Condition, facts: Facts) -> list[str]:
    """Every requirement of the condition that the facts do not satisfy (empty: it holds)."""
    problems: list[str] = []
    if (problem := _check_years(condition, facts)) is not None:
        problems.append(problem)
    problems += _check_prior(condition, facts)
    problems += _check_education(condition, facts)
    if (problem := _check_training(condition, facts)) is not None:
        problems.append(problem)
    problems += _check_student(condition, facts)
    return problems


def _policy_reason(facts: Facts, level: int, policy: Policy) -> str | None:
    if facts.candidate_type not in policy.accepted_candidate_types:
        ctype = v.CANDIDATE_TYPE_LABELS.get(facts.candidate_type, facts.candidate_type)
        return policy.refusal_reason or MSG_TYPE_REFUSED.format(ctype=ctype)
    if level not in policy.offered_levels:
        return MSG_LEVEL_NOT_OFFERED.format(level=v.level_name(level))
    return None


def evaluate(
    facts: Facts, level: int, conditions: tuple[Condition, ...] | list[Condition], policy: Policy
) -> LevelDecision:
    """Decide one level. Conditions of other levels, inactive ones, and ones that do not apply to
    the candidate's type are ignored; the rest are checked in (order, code) order."""
    applicable = sorted(
        (
            c
            for c in conditions
            if c.level == level and c.is_active and facts.candidate_type in c.candidate_types
        ),
        key=lambda c: (c.order, c.code),
    )
    matched: list[MatchedCondition] = []
    reasons: list[str] = []
    for condition in applicable:
        problems = unmet(condition, facts)
        if problems:
            reasons.append(f"{condition.code}：" + "；".join(problems))
        else:
            matched.append(MatchedCondition(code=condition.code, text=condition.text))
    if not applicable:
        ctype = v.CANDIDATE_TYPE_LABELS.get(facts.candidate_type, facts.candidate_type)
        reasons.append(MSG_NO_CONDITIONS.format(level=v.level_name(level), ctype=ctype))
    policy_reason = _policy_reason(facts, level, policy)
    meets = bool(matched)
    allows = policy_reason is None
    return LevelDecision(
        level=level,
        eligible=meets and allows,
        meets_conditions=meets,
        policy_allows=allows,
        policy_reason=policy_reason,
        matched=tuple(matched),
        reasons=tuple(reasons),
    )


def decision_to_dict(decision: LevelDecision) -> dict:
    """The API's response shape."""
    return {
        "eligible": decision.eligible,
        "meets_conditions": decision.meets_conditions,
        "policy_allows": decision.policy_allows,
        "policy_reason": decision.policy_reason,
        "matched": [{"code": m.code, "text": m.text} for m in decision.matched],
        "reasons": list(decision.reasons),
    }
