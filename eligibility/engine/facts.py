"""What a candidate declares (or what their class implies), and its JSON-safe form."""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from eligibility.engine import vocabulary as v

ZERO = Decimal(0)


@dataclass(frozen=True)
class PriorCertificate:
    """A skill certificate already held: its level, whose occupation, and work since then."""

    level: int
    occupation: str  # v.SAME or v.RELATED
    years_after: Decimal = ZERO
    continuous: bool = False


@dataclass(frozen=True)
class Education:
    """A school diploma (or the final year before it, 应届)."""

    kind: str  # one of v.SCHOOL_KINDS (synonyms are read as their canonical kind)
    major: str  # one of v.MAJOR_RELATIONS
    graduated: bool
    final_year: bool = False


@dataclass(frozen=True)
class Facts:
    candidate_type: str
    # Continuous years in this occupation up to now.
    years_in_occupation: Decimal = ZERO
    # Cumulative years in this occupation; never less than the continuous years.
    cumulative_years_in_occupation: Decimal | None = None
    prior_certificate: PriorCertificate | None = None
    education: Education | None = None
    # Level of a formal training completion certificate (结业证书) of this occupation.
    training_certificate: int | None = None
    # Year of study for in-school students (1 = 大一).
    grade: int | None = None
    # Whether an in-school student's major is 本专业 or 相关专业 for the occupation.
    major_related: bool | None = None

    @property
    def cumulative_years(self) -> Decimal:
        declared = self.cumulative_years_in_occupation
        if declared is None:
            return self.years_in_occupation
        return max(declared, self.years_in_occupation)


def in_school_facts(*, grade: int, major_relation: str, program_years: int) -> Facts:
    """An in-school student of the college (a 职业技术学院, so a 大专 programme) in a given year of
    study; `major_relation` is how the major relates to the occupation (v.SAME/RELATED/UNRELATED).
    Nothing else is asked of students, so nothing else is assumed."""
    if major_relation not in v.MAJOR_RELATIONS:
        raise ValueError(f"unknown major relation {major_relation!r}")
    return Facts(
        candidate_type=v.STUDENT,
        education=Education(
            kind=v.COLLEGE,
            major=major_relation,
            graduated=False,
            final_year=grade >= program_years,
        ),
        grade=grade,
        major_related=major_relation in (v.SAME, v.RELATED),
    )


# ---------------------------------------------------------------------------------------------
# JSON-safe form, and parsing with a Chinese message that names the offending field.

FIELD_LABELS = {
    "candidate_type": "考生类别",
    "years_in_occupation": "本职业连续工作年限",
    "cumulative_years_in_occupation": "本职业累计工作年限",
    "prior_certificate": "已取得的证书",
    "prior_certificate.level": "证书等级",
    "prior_certificate.occupation": "证书职业",
    "prior_certificate.years_after": "取证后工作年限",
    "prior_certificate.continuous": "取证后是否连续工作",
    "education": "学历",
    "education.kind": "学校类型",
    "education.major": "专业关系",
    "education.graduated": "是否已毕业",
    "education.final_year": "是否为应届毕业生",
    "training_certificate": "培训结业证书等级",
    "grade": "年级",
    "major_related": "是否相关专业",
}

MSG_NOT_OBJECT = "请求内容须为 JSON 对象。"
MSG_REQUIRED = "字段 {field}（{label}）为必填项。"
MSG_CHOICE = "字段 {field}（{label}）取值无效，可选：{choices}。"
MSG_YEARS = "字段 {field}（{label}）须为 0 到 {max} 之间的数字。"
MSG_BOOL = "字段 {field}（{label}）须为 true 或 false。"
MSG_OBJECT = "字段 {field}（{label}）须为 JSON 对象或 null。"
MSG_GRADE = "字段 {field}（{label}）须为 1 到 {max} 之间的整数。"
MSG_CUMULATIVE_LESS = "字段 {field}（{label}）不能小于本职业连续工作年限。"


class FactsError(ValueError):
    """Malformed facts; `field` is the dotted JSON key, `message` a Chinese sentence naming it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _error(template: str, field: str, **extra: Any) -> FactsError:
    return FactsError(
        field, template.format(field=field, label=FIELD_LABELS.get(field, ""), **extra)
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _years(value: Any, field: str) -> Decimal:
    if not _is_number(value):
        raise _error(MSG_YEARS, field, max=v.MAX_YEARS)
    if isinstance(value, float) and not math.isfinite(value):
        raise _error(MSG_YEARS, field, max=v.MAX_YEARS)
    try:
        years = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise _error(MSG_YEARS, field, max=v.MAX_YEARS) from exc
    if not years.is_finite() or not ZERO <= years <= v.MAX_YEARS:
        raise _error(MSG_YEARS, field, max=v.MAX_YEARS)
    return years


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _error(MSG_BOOL, field)
    return value


def _choice(value: Any, field: str, choices: tuple) -> Any:
    # bool is an int subclass: True must not pass for level 1.
    if isinstance(value, bool) or value not in choices:
        raise _error(MSG_CHOICE, field, choices="、".join(str(c) for c in choices))
    return value


def _required(data: Mapping, key: str, prefix: str = "") -> Any:
    if data.get(key) is None:
        raise _error(MSG_REQUIRED, prefix + key)
    return data[key]


def _prior(value: Any) -> PriorCertificate | None:
    field = "prior_certificate"
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _error(MSG_OBJECT, field)
    prefix = field + "."
    years_after = value.get("years_after")
    continuous = value.get("continuous")
    return PriorCertificate(
        level=_choice(
            _required(value, "level", prefix), prefix + "level", v.PRIOR_CERTIFICATE_LEVELS
        ),
        occupation=_choice(
            _required(value, "occupation", prefix),
            prefix + "occupation",
            v.CERTIFICATE_OCCUPATIONS,
        ),
        years_after=ZERO if years_after is None else _years(years_after, prefix + "years_after"),
        continuous=False if continuous is None else _bool(continuous, prefix + "continuous"),
    )


def _education(value: Any) -> Education | None:
    field = "education"
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _error(MSG_OBJECT, field)
    prefix = field + "."
    final_year = value.get("final_year")
    return Education(
        kind=v.canonical_school_kind(
            _choice(
                _required(value, "kind", prefix),
                prefix + "kind",
                v.SCHOOL_KINDS + tuple(v.SCHOOL_KIND_SYNONYMS),
            )
        ),
        major=_choice(_required(value, "major", prefix), prefix + "major", v.MAJOR_RELATIONS),
        graduated=_bool(_required(value, "graduated", prefix), prefix + "graduated"),
        final_year=False if final_year is None else _bool(final_year, prefix + "final_year"),
    )


def _grade(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= v.MAX_GRADE:
        raise _error(MSG_GRADE, "grade", max=v.MAX_GRADE)
    return value


def facts_from_dict(data: Any) -> Facts:
    """Parse declared facts (the API's request body or a stored copy); raise FactsError."""
    if not isinstance(data, Mapping):
        raise FactsError("", MSG_NOT_OBJECT)
    candidate_type = _choice(_required(data, "candidate_type"), "candidate_type", v.CANDIDATE_TYPES)
    raw_years = data.get("years_in_occupation")
    years = ZERO if raw_years is None else _years(raw_years, "years_in_occupation")
    raw_cumulative = data.get("cumulative_years_in_occupation")
    cumulative = None
    if raw_cumulative is not None:
        cumulative = _years(raw_cumulative, "cumulative_years_in_occupation")
        if cumulative < years:
            raise _error(MSG_CUMULATIVE_LESS, "cumulative_years_in_occupation")
    training = data.get("training_certificate")
    if training is not None:
        training = _choice(training, "training_certificate", v.TRAINING_LEVELS)
    major_related = data.get("major_related")
    if major_related is not None:
        major_related = _bool(major_related, "major_related")
    return Facts(
        candidate_type=candidate_type,
        years_in_occupation=years,
        cumulative_years_in_occupation=cumulative,
        prior_certificate=_prior(data.get("prior_certificate")),
        education=_education(data.get("education")),
        training_certificate=training,
        grade=_grade(data.get("grade")),
        major_related=major_related,
    )


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def facts_to_dict(facts: Facts) -> dict[str, Any]:
    """A JSON-safe dict that facts_from_dict turns back into equal Facts."""
    prior = facts.prior_certificate
    education = facts.education
    cumulative = facts.cumulative_years_in_occupation
    return {
        "candidate_type": facts.candidate_type,
        "years_in_occupation": _number(facts.years_in_occupation),
        "cumulative_years_in_occupation": None if cumulative is None else _number(cumulative),
        "prior_certificate": None
        if prior is None
        else {
            "level": prior.level,
            "occupation": prior.occupation,
            "years_after": _number(prior.years_after),
            "continuous": prior.continuous,
        },
        "education": None
        if education is None
        else {
            "kind": education.kind,
            "major": education.major,
            "graduated": education.graduated,
            "final_year": education.final_year,
        },
        "training_certificate": facts.training_certificate,
        "grade": facts.grade,
        "major_related": facts.major_related,
    }
