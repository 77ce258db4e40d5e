from decimal import Decimal

import pytest

from results.models import Outcome
from results.rules import DEFAULT_RULE, Rule, candidate_passed, parse_points, subject_passed


@pytest.mark.parametrize(
    ("outcome", "points", "passed"),
    [
        (Outcome.SCORED, Decimal("60"), True),
        (Outcome.SCORED, Decimal("59.9"), False),
        (Outcome.SCORED, Decimal("100"), True),
        (Outcome.SCORED, Decimal("0"), False),
        (Outcome.SCORED, None, False),
        (Outcome.ABSENT, None, False),
        (Outcome.VIOLATION, Decimal("95"), False),
    ],
)
def test_pass_rule_default_100_60(outcome, points, passed):
    assert subject_passed(outcome=outcome, points=points, rule=DEFAULT_RULE) is passed


def test_pass_line_is_data():
    rule = Rule(full_marks=Decimal("150"), pass_mark=Decimal("90"))
    assert not subject_passed(outcome=Outcome.SCORED, points=Decimal("89.5"), rule=rule)
    assert subject_passed(outcome=Outcome.SCORED, points=Decimal("90"), rule=rule)
    assert parse_points("150", rule=rule) == Decimal("150")
    with pytest.raises(ValueError):
        parse_points("150.5", rule=rule)


def test_both_subjects_needed():
    subjects = ("theory", "skill")
    assert candidate_passed({"theory": True, "skill": True}, subjects)
    assert not candidate_passed({"theory": True, "skill": False}, subjects)
    assert not candidate_passed({"theory": True}, subjects)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("85", "85.0"), (" 72.5 ", "72.5"), ("８８", "88.0"), ("60。5", "60.5"), (90, "90.0")],
)
def test_parse_points_forgiving(raw, expected):
    assert parse_points(raw, rule=DEFAULT_RULE) == Decimal(expected)


@pytest.mark.parametrize("raw", ["", "abc", "-1", "100.5", "72.55", "NaN", "Infinity", True])
def test_parse_points_refuses(raw):
    with pytest.raises(ValueError):
        parse_points(raw, rule=DEFAULT_RULE)
