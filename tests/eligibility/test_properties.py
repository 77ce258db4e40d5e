"""Property tests: more facts never hurt, the round trip holds, no input crashes the API."""

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from eligibility.engine import (
    Education,
    Facts,
    PriorCertificate,
    evaluate,
    facts_from_dict,
    facts_to_dict,
)
from eligibility.engine import vocabulary as v
from tests.eligibility.rules_data import CONDITIONS_2022, POLICY_2022, POLICY_OPEN

# The announcement's thresholds and the values just below them come up often.
THRESHOLDS = [Decimal(x) for x in ("0", "0.9", "1", "2.9", "3", "3.9", "4", "5.9", "6")]
years = st.sampled_from(THRESHOLDS) | st.decimals(min_value=0, max_value=40, places=1)
extra_years = st.sampled_from([Decimal("0"), Decimal("0.1"), Decimal("1")]) | st.decimals(
    min_value=0, max_value=20, places=1
)

certificates = st.builds(
    PriorCertificate,
    level=st.sampled_from(v.PRIOR_CERTIFICATE_LEVELS),
    occupation=st.sampled_from(v.CERTIFICATE_OCCUPATIONS),
    years_after=years,
    continuous=st.booleans(),
)
educations = st.builds(
    Education,
    kind=st.sampled_from(v.SCHOOL_KINDS),
    major=st.sampled_from(v.MAJOR_RELATIONS),
    graduated=st.booleans(),
    final_year=st.booleans(),
)


@st.composite
def facts(draw) -> Facts:
    continuous = draw(years)
    cumulative = draw(st.none() | extra_years.map(lambda extra: continuous + extra))
    candidate_type = draw(st.sampled_from(v.CANDIDATE_TYPES))
    student = candidate_type == v.STUDENT
    return Facts(
        candidate_type=candidate_type,
        years_in_occupation=continuous,
        cumulative_years_in_occupation=cumulative,
        prior_certificate=draw(st.none() | certificates),
        education=draw(st.none() | educations),
        training_certificate=draw(st.none() | st.sampled_from(v.TRAINING_LEVELS)),
        grade=draw(st.integers(1, 5)) if student else draw(st.none()),
        major_related=draw(st.booleans()) if student else draw(st.none()),
    )


@st.composite
def more_of(draw, base: Facts) -> Facts:
    """The same candidate with more declared: more years, and a certificate, a diploma or a
    training certificate where there was none (or a stronger version of the one declared)."""
    more_years = base.years_in_occupation + draw(extra_years)
    cumulative = base.cumulative_years_in_occupation
    if cumulative is not None or draw(st.booleans()):
        cumulative = max(cumulative or Decimal(0), more_years) + draw(extra_years)

    prior = base.prior_certificate
    if prior is None:
        prior = draw(st.none() | certificates)
    else:
        prior = replace(
            prior,
            years_after=prior.years_after + draw(extra_years),
            continuous=prior.continuous or draw(st.booleans()),
        )

    education = base.education
    if education is None:
        education = draw(st.none() | educations)
    else:
        education = replace(
            education,
            graduated=education.graduated or draw(st.booleans()),
            final_year=education.final_year or draw(st.booleans()),
        )

    training = base.training_certificate
    if training is None:
        training = draw(st.none() | st.sampled_from(v.TRAINING_LEVELS))

    return replace(
        base,
        years_in_occupation=more_years,
        cumulative_years_in_occupation=cumulative,
        prior_certificate=prior,
        education=education,
        training_certificate=training,
    )


@st.composite
def base_and_more(draw):
    base = draw(facts())
    return base, draw(more_of(base))


@settings(max_examples=400, deadline=None)
@given(pair=base_and_more(), level=st.sampled_from([4, 3]))
def test_more_facts_never_turn_an_eligible_candidate_ineligible(pair, level):
    base, more = pair
    for policy in (POLICY_OPEN, POLICY_2022):
        before = evaluate(base, level, CONDITIONS_2022, policy)
        after = evaluate(more, level, CONDITIONS_2022, policy)

        assert not before.eligible or after.eligible
        assert not before.meets_conditions or after.meets_conditions
        # A condition that held outright still does; one that held on a pending requirement
        # still holds, outright or pending (the training certificate may now be declared).
        if before.pending_requirement:
            assert after.meets_conditions
        elif before.matched:
            assert not after.pending_requirement
            assert {m.code for m in before.matched} <= {m.code for m in after.matched}


@settings(max_examples=300, deadline=None)
@given(f=facts())
def test_facts_survive_the_json_round_trip(f):
    assert facts_from_dict(json.loads(json.dumps(facts_to_dict(f)))) == f


@settings(max_examples=300, deadline=None)
@given(f=facts(), level=st.sampled_from(v.LEVEL_CODES))
def test_evaluate_always_explains_a_refusal(f, level):
    decision = evaluate(f, level, CONDITIONS_2022, POLICY_2022)

    assert decision.eligible == (decision.meets_conditions and decision.policy_allows)
    assert decision.meets_conditions == bool(decision.matched)
    assert decision.summary
    if not decision.meets_conditions:
        assert decision.reasons
        assert decision.details
    if decision.pending_requirement:
        assert f.candidate_type == v.STUDENT
        assert all(m.pending_requirement for m in decision.matched)
    # No condition code ever reaches the candidate-facing sentences.
    for text in (decision.summary, *decision.details):
        assert not any(c.code in text for c in CONDITIONS_2022)
    if not decision.policy_allows:
        assert decision.policy_reason


# --- The API never answers 500 -----------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
KEYS = [
    "level",
    "candidate_type",
    "session",
    "major",
    "grade",
    "years_in_occupation",
    "cumulative_years_in_occupation",
    "prior_certificate",
    "education",
    "training_certificate",
]
plausible_values = {
    "level": st.sampled_from([3, 4, 5, 0, -1, "4", 4.5, True, None]),
    "candidate_type": st.sampled_from(["student", "social", "", "x", 1, None]),
    "session": st.sampled_from([None, "dzsws-2022-1", "nope", "", "a\x00", 3, "../x"]),
    "major": st.sampled_from([None, "电子商务", "汽车", "", "\x00", 5, ["电子商务"]]),
    "grade": st.sampled_from([None, 1, 2, 3, 0, 9, -1, 2.0, "2", True]),
    "prior_certificate": st.fixed_dictionaries(
        {},
        optional={
            "level": json_scalars,
            "occupation": st.sampled_from(["same", "related", "x"]) | json_scalars,
            "years_after": json_scalars,
            "continuous": json_scalars,
        },
    )
    | json_values,
    "education": st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(v.SCHOOL_KINDS) | json_scalars,
            "major": st.sampled_from(v.MAJOR_RELATIONS) | json_scalars,
            "graduated": json_scalars,
            "final_year": json_scalars,
        },
    )
    | json_values,
}
requests = st.fixed_dictionaries(
    {},
    optional={key: plausible_values.get(key, json_scalars) | json_values for key in KEYS},
)


@st.composite
def valid_requests(draw) -> dict:
    body = facts_to_dict(draw(facts()))
    body["level"] = draw(st.sampled_from([4, 3, 5]))
    if body["candidate_type"] == v.STUDENT:
        body["major"] = draw(st.sampled_from(["电子商务", "跨境电商", "市场营销", "酒店管理"]))
    if draw(st.booleans()):
        body["session"] = "dzsws-2022-1"
    # One field at a time may be replaced by anything at all.
    if draw(st.booleans()):
        body[draw(st.sampled_from(KEYS))] = draw(json_values)
    return body


bodies = (
    valid_requests().map(json.dumps)
    | requests.map(json.dumps)
    | json_values.map(json.dumps)
    | st.binary(max_size=64)
)


@pytest.mark.django_db
@override_settings(ELIGIBILITY_API_RATE_LIMIT=10**9)
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
def test_api_never_answers_500(client, announcement, body):
    response = client.post("/eligibility/api/evaluate", data=body, content_type="application/json")

    assert response.status_code in (200, 400), response.content
    event(f"HTTP {response.status_code}")
    payload = response.json()
    if response.status_code == 200:
        assert set(payload) == {
            "eligible",
            "meets_conditions",
            "policy_allows",
            "policy_reason",
            "pending_requirement",
            "pending_text",
            "summary",
            "matched",
            "reasons",
            "details",
        }
    else:
        assert payload["error"]
