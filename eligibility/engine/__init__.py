"""The eligibility engine: plain Python, no Django (a ruff TID251 rule in this folder keeps it so).

Declared facts and the round's conditions and policy go in; an explained LevelDecision comes out.
"""

from eligibility.engine.facts import (
    Education,
    Facts,
    FactsError,
    PriorCertificate,
    facts_from_dict,
    facts_to_dict,
    in_school_facts,
)
from eligibility.engine.rules import (
    Condition,
    LevelDecision,
    MatchedCondition,
    Policy,
    Unmet,
    decision_to_dict,
    evaluate,
    unmet,
    unmet_requirements,
)

__all__ = [
    "Condition",
    "Education",
    "Facts",
    "FactsError",
    "LevelDecision",
    "MatchedCondition",
    "Policy",
    "PriorCertificate",
    "Unmet",
    "decision_to_dict",
    "evaluate",
    "facts_from_dict",
    "facts_to_dict",
    "in_school_facts",
    "unmet",
    "unmet_requirements",
]
