"""The 2022 announcement's conditions as engine dataclasses, for tests that need no database."""

from eligibility.engine import Condition, Policy
from registration import announcement_2022 as a2022

REFUSAL_2022 = a2022.SESSION["social_refusal_reason"]


def condition_from_spec(spec: dict) -> Condition:
    params = dict(spec)
    return Condition(
        code=params.pop("code"),
        text=params.pop("text"),
        level=params.pop("level"),
        candidate_types=tuple(params.pop("candidate_types")),
        **{
            key: tuple(value) if isinstance(value, list) else value for key, value in params.items()
        },
    )


CONDITIONS_2022 = tuple(condition_from_spec(spec) for spec in a2022.CONDITIONS)

POLICY_2022 = Policy(
    accepted_candidate_types=("student",),
    refusal_reason=REFUSAL_2022,
    offered_levels=tuple(a2022.OFFERED_LEVELS),
)
# The same conditions in a round that admits everyone: isolates the conditions from the policy.
POLICY_OPEN = Policy(accepted_candidate_types=("student", "social"), offered_levels=(4, 3))
