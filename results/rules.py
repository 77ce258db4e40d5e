"""The pass rule (pure: no database), so it is tested on every edge."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from results.models import DEFAULT_FULL_MARKS, DEFAULT_PASS_MARK, Outcome


@dataclass(frozen=True)
class Rule:
    full_marks: Decimal = DEFAULT_FULL_MARKS
    pass_mark: Decimal = DEFAULT_PASS_MARK


DEFAULT_RULE = Rule()


def subject_passed(*, outcome: str, points: Decimal | None, rule: Rule) -> bool:
    """A subject is passed when the candidate sat it, broke no rule and reached the pass line."""
    if outcome != Outcome.SCORED or points is None:
        return False
    return points >= rule.pass_mark


def candidate_passed(subject_results: dict[str, bool], subjects: tuple[str, ...]) -> bool:
    """Overall pass: every subject of the level passed (a missing subject is a fail)."""
    return all(subject_results.get(subject, False) for subject in subjects)


def parse_points(raw, *, rule: Rule) -> Decimal:
    """A score typed or read from a cell: a number from 0 to full marks, at most one decimal.

    Raises ValueError with no message; the caller words it for the user.
    """
    if isinstance(raw, bool):
        raise ValueError
    text = str(raw).strip().replace("，", ".").replace("。", ".")
    text = text.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or value < 0 or value > rule.full_marks:
        raise ValueError
    if value != value.quantize(Decimal("0.1")):
        raise ValueError
    return value.quantize(Decimal("0.1"))


def points_text(points: Decimal | None) -> str:
    """85.0 -> "85", 72.5 -> "72.5", None -> "" (never "1E+2")."""
    if points is None:
        return ""
    return format(points.normalize(), "f")
