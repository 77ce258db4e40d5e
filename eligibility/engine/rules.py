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
    # The college's reading for its in-school students: the training this condition asks for is
    # the college's own free training, which they may still complete before the exam. When it is
    # all an in-school student lacks, the condition holds on that condition (v.PENDING_TRAINING).
    student_pending_requirement: str = ""


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
    # Non-empty when the condition holds only once this is done (v.PENDING_REQUIREMENTS).
    pending_requirement: str = ""


@dataclass(frozen=True)
class LevelDecision:
    level: int
    eligible: bool
    meets_conditions: bool
    policy_allows: bool
    policy_reason: str | None
    # The conditions that hold outright; when none does, those that hold once their pending
    # requirement is done.
    matched: tuple[MatchedCondition, ...]
    # One short Chinese reason per applicable condition that does not hold, prefixed with its
    # code (for staff and the API).
    reasons: tuple[str, ...]
    # Set when no condition holds outright but one holds once this is done: 有条件符合.
    pending_requirement: str = ""
    pending_text: str = ""
    # The one plain sentence that decides the case (no condition codes): what the candidate may
    # do, what they must still do, or what would make them eligible.
    summary: str = ""
    # The rest for the candidate, without codes: each unmet condition's wording and what is missing.
    details: tuple[str, ...] = ()

    @property
    def conditional(self) -> bool:
        return self.eligible and bool(self.pending_requirement)


@dataclass(frozen=True)
class Unmet:
    """One requirement that does not hold: what is needed, and (if the facts say) what they say."""

    need: str
    have: str = ""
    training: bool = False

    def __str__(self) -> str:
        return f"需{self.need}，{self.have}" if self.have else f"需{self.need}"


MSG_NO_CONDITIONS = "{level}没有适用于{ctype}的报考条件。"
MSG_TYPE_REFUSED = "本批次不接受{ctype}报名。"
MSG_LEVEL_NOT_OFFERED = "本批次未开考{level}。"
MSG_ELIGIBLE = "您可以报考{level}。"
MSG_CONDITIONAL = "您可以报名{level}，但须在考试前{todo}。"
MSG_REFUSED = "要报考{level}，需{needs}。"
MSG_DETAIL = "{text}（未满足：{needs}）"


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


def _check_years(c: Condition, f: Facts) -> list[Unmet]:
    if c.min_years is None:
        return []
    # The facts record years in this occupation; they count toward "this or a related" scope too.
    have = f.years_in_occupation if c.years_basis == v.CONTINUOUS else f.cumulative_years
    if have >= c.min_years:
        return []
    need = _work_phrase(c.years_basis, c.years_scope, c.min_years)
    return [Unmet(need, f"您填写的是{_years(have)}年")]


def _check_prior(c: Condition, f: Facts) -> list[Unmet]:
    if c.prior_level is None:
        return []
    scope = v.OCCUPATION_SCOPE_LABELS.get(c.prior_scope, "本职业")
    wanted = f"持有{scope}{v.level_name(c.prior_level)}及以上证书"
    cert = f.prior_certificate
    if cert is None:
        return [Unmet(wanted, "您未填写已取得的证书")]
    problems = []
    if cert.level > c.prior_level:
        problems.append(Unmet(wanted, f"您填写的是{v.level_name(cert.level)}证书"))
    if c.prior_scope == v.SAME and cert.occupation != v.SAME:
        problems.append(Unmet("持有本职业的证书", "您的证书属于相关职业"))
    minimum = c.min_years_after_prior
    if minimum is not None:
        phrase = "取证后" + _work_phrase(c.years_after_prior_basis, c.prior_scope, minimum)
        if cert.years_after < minimum:
            problems.append(Unmet(phrase, f"您填写的是{_years(cert.years_after)}年"))
        elif c.years_after_prior_basis == v.CONTINUOUS and not cert.continuous:
            problems.append(Unmet(phrase, "您填写的取证后工作不是连续的"))
    return problems


def _check_education(c: Condition, f: Facts) -> list[Unmet]:
    if not c.school_kinds:
        return []
    accepted = list(dict.fromkeys(v.canonical_school_kind(k) for k in c.school_kinds))
    kinds = _or_list([v.SCHOOL_KIND_LABELS[k] for k in accepted])
    relations = _or_list([v.MAJOR_RELATION_LABELS[r] for r in c.major_relations])
    edu = f.education
    if edu is None:
        return [Unmet(f"{kinds}的{relations}毕业证书", "您未填写学历")]
    problems = []
    kind = v.canonical_school_kind(edu.kind)
    if kind not in accepted:
        problems.append(Unmet(f"{kinds}毕业证书", f"您填写的是{v.SCHOOL_KIND_LABELS[kind]}"))
    if c.major_relations and edu.major not in c.major_relations:
        if f.candidate_type == v.STUDENT:
            have = f"您的专业属于{v.MAJOR_RELATION_LABELS[edu.major]}"
        else:
            have = f"您填写的是{v.MAJOR_RELATION_LABELS[edu.major]}"
        problems.append(Unmet(f"{relations}毕业证书", have))
    if not edu.graduated:
        if not c.allow_final_year:
            problems.append(Unmet("已取得毕业证书", "您尚未毕业"))
        elif not edu.final_year:
            now = f"您是{v.grade_label(f.grade)}，" if f.grade else "您"
            problems.append(Unmet("已毕业或为在校应届毕业生", f"{now}尚不是应届毕业生"))
    return problems


def _check_training(c: Condition, f: Facts) -> list[Unmet]:
    if c.training_level is None:
        return []
    have = f.training_certificate
    wanted = f"取得本职业{v.level_name(c.training_level)}正规培训结业证书"
    if have is None:
        return [Unmet(wanted, "您未填写培训结业证书", training=True)]
    if have > c.training_level:
        return [Unmet(wanted, f"您填写的是{v.level_name(have)}培训结业证书", training=True)]
    return []


def _check_student(c: Condition, f: Facts) -> list[Unmet]:
    problems = []
    if c.grades and f.grade not in c.grades:
        wanted = _or_list([v.grade_label(g) for g in sorted(c.grades)])
        now = f"您是{v.grade_label(f.grade)}" if f.grade else "您未填写年级"
        problems.append(Unmet(f"是{wanted}在校生", now))
    if c.requires_related_major and f.major_related is not True:
        now = "您的专业不属于相关专业" if f.major_related is False else "您未填写专业"
        problems.append(Unmet("是本专业或相关专业的在校生", now))
    return problems


def unmet_requirements(condition: Condition, facts: Facts) -> list[Unmet]:
    """Every requirement of the condition that the facts do not satisfy (empty: it holds)."""
    return [
        *_check_years(condition, facts),
        *_check_prior(condition, facts),
        *_check_education(condition, facts),
        *_check_training(condition, facts),
        *_check_student(condition, facts),
    ]


def unmet(condition: Condition, facts: Facts) -> list[str]:
    """Every unmet requirement as a short Chinese sentence (empty: the condition holds)."""
    return [str(problem) for problem in unmet_requirements(condition, facts)]


def _pending(condition: Condition, facts: Facts, problems: list[Unmet]) -> str:
    """The requirement left open when all an in-school student lacks is the college's training."""
    requirement = condition.student_pending_requirement
    if not requirement or facts.candidate_type != v.STUDENT or not problems:
        return ""
    if requirement == v.PENDING_TRAINING and all(p.training for p in problems):
        return requirement
    return ""


def _policy_reason(facts: Facts, level: int, policy: Policy) -> str | None:
    if facts.candidate_type not in policy.accepted_candidate_types:
        ctype = v.CANDIDATE_TYPE_LABELS.get(facts.candidate_type, facts.candidate_type)
        return policy.refusal_reason or MSG_TYPE_REFUSED.format(ctype=ctype)
    if level not in policy.offered_levels:
        return MSG_LEVEL_NOT_OFFERED.format(level=v.level_name(level))
    return None


def _needs(problems: list[Unmet]) -> str:
    return "；".join(f"{p.need}（{p.have}）" if p.have else p.need for p in problems)


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
    outright: list[MatchedCondition] = []
    pending: list[tuple[Condition, MatchedCondition]] = []
    reasons: list[str] = []
    details: list[str] = []
    closest: list[Unmet] | None = None
    for condition in applicable:
        problems = unmet_requirements(condition, facts)
        if not problems:
            outright.append(MatchedCondition(code=condition.code, text=condition.text))
            continue
        if requirement := _pending(condition, facts, problems):
            matched = MatchedCondition(condition.code, condition.text, requirement)
            pending.append((condition, matched))
            continue
        reasons.append(f"{condition.code}：" + "；".join(str(p) for p in problems))
        details.append(MSG_DETAIL.format(text=condition.text, needs=_needs(problems)))
        if closest is None or len(problems) < len(closest):
            closest = problems
    level_name = v.level_name(level)
    if not applicable:
        ctype = v.CANDIDATE_TYPE_LABELS.get(facts.candidate_type, facts.candidate_type)
        reasons.append(MSG_NO_CONDITIONS.format(level=level_name, ctype=ctype))
        details.append(reasons[-1])
    policy_reason = _policy_reason(facts, level, policy)
    meets = bool(outright or pending)
    allows = policy_reason is None
    pending_requirement = pending_text = ""
    if not outright and pending:
        condition, first = pending[0]
        pending_requirement = first.pending_requirement
        pending_text = v.pending_text(pending_requirement, condition.training_level)
    if not allows:
        summary = policy_reason or ""
    elif pending_requirement:
        summary = MSG_CONDITIONAL.format(level=level_name, todo=pending_text.removeprefix("需"))
    elif meets:
        summary = MSG_ELIGIBLE.format(level=level_name)
    elif closest is not None:
        summary = MSG_REFUSED.format(level=level_name, needs=_needs(closest))
    else:
        summary = reasons[-1]
    return LevelDecision(
        level=level,
        eligible=meets and allows,
        meets_conditions=meets,
        policy_allows=allows,
        policy_reason=policy_reason,
        matched=tuple(outright) if outright else tuple(m for _, m in pending),
        reasons=tuple(reasons),
        pending_requirement=pending_requirement,
        pending_text=pending_text,
        summary=summary,
        details=tuple(details),
    )


def decision_to_dict(decision: LevelDecision) -> dict:
    """The API's response shape."""
    return {
        "eligible": decision.eligible,
        "meets_conditions": decision.meets_conditions,
        "policy_allows": decision.policy_allows,
        "policy_reason": decision.policy_reason,
        "pending_requirement": decision.pending_requirement or None,
        "pending_text": decision.pending_text or None,
        "summary": decision.summary,
        "matched": [
            {
                "code": m.code,
                "text": m.text,
                "pending_requirement": m.pending_requirement or None,
            }
            for m in decision.matched
        ],
        "reasons": list(decision.reasons),
        "details": list(decision.details),
    }
