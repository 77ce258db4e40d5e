"""Declared facts: parsing with field-naming Chinese errors, and the JSON-safe round trip."""

import json
from decimal import Decimal

import pytest

from eligibility.engine import (
    Education,
    Facts,
    FactsError,
    PriorCertificate,
    facts_from_dict,
    facts_to_dict,
    in_school_facts,
)

FULL = {
    "candidate_type": "social",
    "years_in_occupation": 2.5,
    "cumulative_years_in_occupation": 4,
    "prior_certificate": {
        "level": 5,
        "occupation": "related",
        "years_after": 1,
        "continuous": True,
    },
    "education": {"kind": "college", "major": "unrelated", "graduated": True},
    "training_certificate": 3,
}


def test_facts_from_dict_reads_the_api_shape():
    facts = facts_from_dict(FULL)

    assert facts == Facts(
        candidate_type="social",
        years_in_occupation=Decimal("2.5"),
        cumulative_years_in_occupation=Decimal(4),
        prior_certificate=PriorCertificate(
            level=5, occupation="related", years_after=Decimal(1), continuous=True
        ),
        education=Education(kind="college", major="unrelated", graduated=True, final_year=False),
        training_certificate=3,
    )


def test_facts_from_dict_defaults_missing_optional_fields():
    facts = facts_from_dict({"candidate_type": "social"})

    assert facts == Facts(candidate_type="social", years_in_occupation=Decimal(0))


@pytest.mark.parametrize(
    "facts",
    [
        facts_from_dict(FULL),
        Facts(candidate_type="social"),
        in_school_facts(grade=3, major_relation="related", program_years=3),
        in_school_facts(grade=1, major_relation="unrelated", program_years=3),
    ],
)
def test_facts_to_dict_round_trips_through_json(facts):
    stored = json.loads(json.dumps(facts_to_dict(facts)))

    assert facts_from_dict(stored) == facts


# (a change to FULL, the field the error must name)
MALFORMED = [
    ({"candidate_type": None}, "candidate_type"),
    ({"candidate_type": "teacher"}, "candidate_type"),
    ({"years_in_occupation": -1}, "years_in_occupation"),
    ({"years_in_occupation": "3"}, "years_in_occupation"),
    ({"years_in_occupation": True}, "years_in_occupation"),
    ({"years_in_occupation": float("nan")}, "years_in_occupation"),
    ({"years_in_occupation": float("inf")}, "years_in_occupation"),
    ({"years_in_occupation": 61}, "years_in_occupation"),
    ({"years_in_occupation": 10**400}, "years_in_occupation"),
    ({"cumulative_years_in_occupation": 2}, "cumulative_years_in_occupation"),
    ({"prior_certificate": "五级"}, "prior_certificate"),
    ({"prior_certificate": {"occupation": "same"}}, "prior_certificate.level"),
    ({"prior_certificate": {"level": 6, "occupation": "same"}}, "prior_certificate.level"),
    ({"prior_certificate": {"level": 5, "occupation": "other"}}, "prior_certificate.occupation"),
    (
        {"prior_certificate": {"level": 5, "occupation": "same", "years_after": -0.5}},
        "prior_certificate.years_after",
    ),
    (
        {"prior_certificate": {"level": 5, "occupation": "same", "continuous": "yes"}},
        "prior_certificate.continuous",
    ),
    ({"education": []}, "education"),
    ({"education": {"kind": "university", "major": "same", "graduated": True}}, "education.kind"),
    ({"education": {"kind": "college", "major": "close", "graduated": True}}, "education.major"),
    ({"education": {"kind": "college", "major": "same"}}, "education.graduated"),
    ({"education": {"kind": "college", "major": "same", "graduated": 1}}, "education.graduated"),
    ({"training_certificate": 6}, "training_certificate"),
    ({"training_certificate": True}, "training_certificate"),
    ({"training_certificate": "4"}, "training_certificate"),
    ({"grade": 0}, "grade"),
    ({"grade": 2.5}, "grade"),
    ({"major_related": "yes"}, "major_related"),
]


@pytest.mark.parametrize(("change", "field"), MALFORMED)
def test_facts_from_dict_names_the_malformed_field(change, field):
    with pytest.raises(FactsError) as caught:
        facts_from_dict({**FULL, **change})

    assert caught.value.field == field
    assert f"字段 {field}（" in caught.value.message


@pytest.mark.parametrize("data", [None, [], "social", 3])
def test_facts_from_dict_rejects_non_objects(data):
    with pytest.raises(FactsError, match="JSON 对象"):
        facts_from_dict(data)
