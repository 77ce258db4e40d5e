"""Read side of eligibility: load a round's rules from the database and ask the engine.

The public functions here are what the registration form calls: student_facts,
facts_from_dict / facts_to_dict, decision_for and decisions_for, and round_conditions for a
caller that keeps a round's rules (the sign-up service's cached snapshot).
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from eligibility.engine import Condition, Facts, LevelDecision, Policy, evaluate, in_school_facts
from eligibility.engine import facts_from_dict as _facts_from_dict
from eligibility.engine import facts_to_dict as _facts_to_dict
from eligibility.models import EligibilityCondition
from rounds.models import ExamRound, Major, SchoolClass


def student_facts(*, exam_round: ExamRound, school_class: SchoolClass) -> Facts:
    """An in-school student of a class: year of study as on the round's registration deadline."""
    return major_student_facts(
        major=school_class.major, grade=school_class.grade_on(exam_round.registration_deadline)
    )


def major_student_facts(*, major: Major, grade: int) -> Facts:
    """An in-school student of a major in a year of study (the self-check and the API ask these
    two facts when no class is given; the sign-up reads them from the class)."""
    return in_school_facts(
        grade=grade, major_relation=major.relation, program_years=major.program_years
    )


def facts_from_dict(data: dict) -> Facts:
    """Parse declared facts; raise eligibility.engine.FactsError (a ValueError) naming the field."""
    return _facts_from_dict(data)


def facts_to_dict(facts: Facts) -> dict[str, Any]:
    """JSON-safe form of facts (what a registration stores as declared_facts)."""
    return _facts_to_dict(facts)


def _condition(row: EligibilityCondition) -> Condition:
    return Condition(
        code=row.code,
        text=row.text,
        level=row.level.code,
        candidate_types=tuple(row.candidate_types),
        min_years=row.min_years,
        years_basis=row.years_basis,
        years_scope=row.years_scope,
        prior_level=row.prior_level.code if row.prior_level else None,
        prior_scope=row.prior_scope,
        min_years_after_prior=row.min_years_after_prior,
        years_after_prior_basis=row.years_after_prior_basis,
        school_kinds=tuple(row.school_kinds),
        major_relations=tuple(row.major_relations),
        allow_final_year=row.allow_final_year,
        training_level=row.training_level.code if row.training_level else None,
        grades=tuple(row.grades),
        requires_related_major=row.requires_related_major,
        order=row.order,
        is_active=row.is_active,
        student_pending_requirement=row.student_pending_requirement,
    )


def condition_rows(
    exam_round: ExamRound, *, levels: Iterable[Any] | None = None, level_codes: Iterable[int] = ()
) -> list[EligibilityCondition]:
    """The one query for "the conditions of a round": its active conditions plus the
    occupation-wide ones (round empty) of its occupation, where a round's own condition
    replaces an occupation-wide one with the same level and code. Ordered by level (四级 first),
    order and code. Pass `levels` (SkillLevel rows) or `level_codes`. One query."""
    rows = EligibilityCondition.objects.filter(
        Q(round=exam_round) | Q(round__isnull=True, occupation=exam_round.occupation),
        is_active=True,
    )
    if levels is not None:
        rows = rows.filter(level__in=list(levels))
    else:
        rows = rows.filter(level__code__in=list(level_codes))
    rows = rows.select_related("level", "prior_level", "training_level").order_by(
        "-level__code", "order", "code"
    )
    by_key: dict[tuple[int, str], EligibilityCondition] = {}
    for row in rows:
        key = (row.level.code, row.code)
        if key not in by_key or row.round_id is not None:
            by_key[key] = row
    return sorted(by_key.values(), key=lambda row: (-row.level.code, row.order, row.code))


def _conditions(exam_round: ExamRound, level_codes: Iterable[int]) -> list[Condition]:
    return [_condition(row) for row in condition_rows(exam_round, level_codes=level_codes)]


def _offered_levels(exam_round: ExamRound) -> tuple[int, ...]:
    # .all() so that a prefetch_related("levels") on the round is reused.
    return tuple(sorted((level.code for level in exam_round.levels.all()), reverse=True))


def _policy(exam_round: ExamRound, facts: Facts, offered: tuple[int, ...]) -> Policy:
    accepted = tuple(exam_round.accepted_candidate_types())
    reason = None
    if facts.candidate_type == "social" and not exam_round.accepts_social:
        reason = exam_round.social_refusal_reason or None
    return Policy(accepted_candidate_types=accepted, refusal_reason=reason, offered_levels=offered)


def round_conditions(exam_round: ExamRound) -> tuple[Condition, ...]:
    """Every active condition of the levels a round offers, as the engine's plain values (they
    pickle, so a caller may keep them in a cache). One query, none for the levels if prefetched."""
    return tuple(_conditions(exam_round, _offered_levels(exam_round)))


def decision_for(
    *,
    exam_round: ExamRound,
    level_code: int,
    facts: Facts,
    conditions: Iterable[Condition] | None = None,
) -> LevelDecision:
    """The verdict for one level of a round (a level the round does not offer is refused).

    `conditions`: the round's conditions as round_conditions() gave them, when the caller has
    them already; otherwise they are read (one query)."""
    offered = _offered_levels(exam_round)
    if conditions is None:
        conditions = _conditions(exam_round, [level_code])
    return evaluate(facts, level_code, tuple(conditions), _policy(exam_round, facts, offered))


def decisions_for(
    *, exam_round: ExamRound, facts: Facts, conditions: Iterable[Condition] | None = None
) -> dict[int, LevelDecision]:
    """The verdict for every level the round offers, highest code (lowest level) first.
    Two queries at most: the offered levels (none if prefetched) and the conditions (none when
    the caller passes them, as round_conditions() gave them)."""
    offered = _offered_levels(exam_round)
    conditions = _conditions(exam_round, offered) if conditions is None else tuple(conditions)
    policy = _policy(exam_round, facts, offered)
    return {code: evaluate(facts, code, conditions, policy) for code in offered}
