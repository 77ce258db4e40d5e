"""Fields of the candidate sheet (考生信息表): what one registration gives to the platform.

Registered on import (from `WorkspaceConfig.ready`). Value functions take the registration and
the export's `SheetContext` (the round, the row counter).
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from registration.candidate_data import ExamType, candidate_source_label
from registration.models import Gender, PhotoStatus, Registration
from registration.photos import photo_file_name
from rounds.models import CandidateType
from workspace.exchange.registry import (
    KIND_CANDIDATES,
    ExchangeField,
    SheetContext,
    register,
    sequence_field,
)


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _gender(r: Registration, ctx: SheetContext) -> str:
    labels = ctx.cache.setdefault("gender", _labels(Gender.choices))
    return labels.get(r.gender, r.gender)


def _unit(r: Registration, ctx: SheetContext) -> str:
    if r.work_unit:
        return r.work_unit
    # An in-school student's unit is the college that runs the round.
    return ctx.exam_round.organizer if r.candidate_type == CandidateType.STUDENT else ""


def exam_type_text(r: Registration, labels: Mapping[str, str] | None = None) -> str:
    """新考 or 补考 when both subjects agree; otherwise each subject's type.

    `labels`: ExamType's labels, resolved once by a caller writing many rows (get_FOO_display
    rebuilds the choices mapping on every call).
    """
    if labels is None:
        labels = _labels(ExamType.choices)
    theory = labels.get(r.exam_type_theory, r.exam_type_theory)
    if r.exam_type_theory == r.exam_type_skill:
        return theory
    return _("理论知识%(theory)s，操作技能%(skill)s") % {
        "theory": theory,
        "skill": labels.get(r.exam_type_skill, r.exam_type_skill),
    }


def _exam_type(r: Registration, ctx: SheetContext) -> str:
    labels = ctx.cache.get("exam_type")
    if labels is None:
        labels = ctx.cache["exam_type"] = _labels(ExamType.choices)
    return exam_type_text(r, labels)


def photo_in_zip(r: Registration) -> bool:
    """The photo zip holds a photo that was uploaded and not returned (exams.photo_export)."""
    return bool(r.photo) and r.photo_status != PhotoStatus.RETURNED


def _photo(r: Registration, _ctx) -> str:
    return photo_file_name(r) if photo_in_zip(r) else ""


def _major(r: Registration, _ctx) -> str:
    return r.school_class.major.name if r.school_class else ""


def _class(r: Registration, _ctx) -> str:
    return r.school_class.name if r.school_class else ""


FIELDS = [
    sequence_field(),
    ExchangeField(
        "occupation", "职业（工种）", "text", 14, lambda r, ctx: ctx.exam_round.occupation
    ),
    ExchangeField("level", "等级", "text", 14, lambda r, ctx: r.level.name),
    ExchangeField("condition", "申报条件", "text", 40, lambda r, ctx: r.matched_condition_text),
    ExchangeField("id_type", "证件类型", "text", 12, lambda r, ctx: r.get_id_type_display()),
    ExchangeField("id_number", "证件号码", "code", 21, lambda r, ctx: r.id_number),
    ExchangeField("name", "姓名", "text", 10, lambda r, ctx: r.name),
    ExchangeField("gender", "性别", "text", 6, _gender),
    ExchangeField("birth_date", "出生日期", "date", 12, lambda r, ctx: r.birth_date),
    ExchangeField("phone", "手机号码", "code", 14, lambda r, ctx: r.phone),
    ExchangeField(
        "education",
        "文化程度",
        "text",
        10,
        lambda r, ctx: r.get_education_display() if r.education else "",
    ),
    ExchangeField(
        "source", "考生来源", "text", 10, lambda r, ctx: candidate_source_label(r.candidate_type)
    ),
    ExchangeField("unit", "所在单位", "text", 24, _unit),
    ExchangeField("major", "专业", "text", 14, _major),
    ExchangeField("school_class", "班级", "text", 20, _class),
    ExchangeField("student_number", "学号", "code", 14, lambda r, ctx: r.student_number),
    ExchangeField("registration_number", "报名号", "code", 16, lambda r, ctx: r.number),
    ExchangeField("exam_type", "考试类型（合并）", "text", 10, _exam_type),
    ExchangeField(
        "exam_type_theory",
        "考试类型（理论知识）",
        "text",
        12,
        lambda r, ctx: r.get_exam_type_theory_display(),
    ),
    ExchangeField(
        "exam_type_skill",
        "考试类型（操作技能）",
        "text",
        12,
        lambda r, ctx: r.get_exam_type_skill_display(),
    ),
    ExchangeField("ethnicity", "民族", "text", 8, lambda r, ctx: r.ethnicity),
    ExchangeField("photo", "照片文件名", "code", 24, _photo),
]

for _field in FIELDS:
    register(KIND_CANDIDATES, _field)
