"""results' part of the national-platform exchange: the score sheet's fields (registered into
the workspace registry from `ResultsConfig.ready`, so `workspace` never imports `results`), the
certificate list's mapping keys, and the score sheet export of a round.
"""

import dataclasses
import tempfile

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from common.errors import DomainError
from common.xlsx import sheet_add, sheet_append, sheet_finish
from exams.models import Subject
from registration.candidate_data import ExamType
from results import selectors
from results.models import Outcome, Registration
from workspace.exchange.registry import (
    KIND_CERTIFICATES,
    KIND_SCORES,
    ExchangeField,
    SheetContext,
    register,
    sequence_field,
)
from workspace.exchange.render import layout_of, sheet_columns

NO_RESULTS = gettext_lazy("本批次成绩公示发布后才能导出成绩表。")
SCORE_SHEET = "成绩"


@dataclasses.dataclass
class ScoreRow:
    registration: Registration
    result: selectors.CandidateResult


def _points(subject: str):
    def get(row: ScoreRow, _ctx):
        found = row.result.subject(subject)
        if found is None or found.outcome != Outcome.SCORED:
            return None
        return found.points

    return get


def _mark(subject: str):
    """缺考 or 违纪; blank for a normal sitting (and for a subject the level does not have)."""

    def get(row: ScoreRow, _ctx):
        found = row.result.subject(subject)
        if found is None or found.outcome == Outcome.SCORED:
            return ""
        return str(Outcome(found.outcome).label)

    return get


def _result(row: ScoreRow, _ctx) -> str:
    if not row.result.complete:
        return _("成绩不全")
    return _("合格") if row.result.passed else _("不合格")


def _subject_result(subject: str):
    def get(row: ScoreRow, _ctx):
        found = row.result.subject(subject)
        if found is None:
            return ""
        return _("合格") if found.passed else _("不合格")

    return get


def _retake(row: ScoreRow, _ctx) -> str:
    """The subject(s) sat as a retake (补考), blank for a first sitting."""
    registration = row.registration
    return "、".join(
        str(label)
        for label, exam_type in (
            (Subject.THEORY.label, registration.exam_type_theory),
            (Subject.SKILL.label, registration.exam_type_skill),
        )
        if exam_type == ExamType.RETAKE
    )


SCORE_FIELDS = [
    sequence_field(),
    ExchangeField(
        "id_type", "证件类型", "text", 12, lambda r, c: r.registration.get_id_type_display()
    ),
    ExchangeField("id_number", "证件号码", "code", 21, lambda r, c: r.registration.id_number),
    ExchangeField("name", "姓名", "text", 10, lambda r, c: r.registration.name),
    ExchangeField("occupation", "职业（工种）", "text", 14, lambda r, c: c.exam_round.occupation),
    ExchangeField("level", "等级", "text", 14, lambda r, c: r.registration.level.name),
    ExchangeField("ticket", "准考证号", "code", 16, lambda r, c: r.result.registration.ticket),
    ExchangeField("student_number", "学号", "code", 14, lambda r, c: r.registration.student_number),
    ExchangeField("theory_points", "理论知识成绩", "number", 12, _points(Subject.THEORY)),
    ExchangeField("theory_mark", "理论知识缺考/违纪", "text", 12, _mark(Subject.THEORY)),
    ExchangeField("theory_result", "理论知识是否合格", "text", 12, _subject_result(Subject.THEORY)),
    ExchangeField("skill_points", "操作技能成绩", "number", 12, _points(Subject.SKILL)),
    ExchangeField("skill_mark", "操作技能缺考/违纪", "text", 12, _mark(Subject.SKILL)),
    ExchangeField("skill_result", "操作技能是否合格", "text", 12, _subject_result(Subject.SKILL)),
    ExchangeField(
        "exam_type_theory",
        "理论知识考试类型",
        "text",
        12,
        lambda r, c: r.registration.get_exam_type_theory_display(),
    ),
    ExchangeField(
        "exam_type_skill",
        "操作技能考试类型",
        "text",
        12,
        lambda r, c: r.registration.get_exam_type_skill_display(),
    ),
    ExchangeField("retake", "补考", "text", 12, _retake),
    ExchangeField("result", "结果", "text", 10, _result),
]

# The certificate list is read, not written: these keys say which header holds what.
CERTIFICATE_FIELDS = [
    ExchangeField("id_number", "证件号码（必需）", "code", 21),
    ExchangeField("number", "证书编号（必需）", "code", 24),
    ExchangeField("name", "姓名（核对用）", "text", 10),
    ExchangeField("issued_on", "发证日期", "date", 12),
]


def register_fields() -> None:
    for field in SCORE_FIELDS:
        register(KIND_SCORES, field)
    for field in CERTIFICATE_FIELDS:
        register(KIND_CERTIFICATES, field)


class ExchangeError(DomainError):
    pass


def score_rows(*, round) -> list[ScoreRow]:
    """Every candidate with published results, ordered as the results are (two queries more)."""
    results = selectors.round_results(round=round)
    people = Registration.objects.select_related("level").in_bulk(
        [r.registration.pk for r in results]
    )
    return [ScoreRow(people[r.registration.pk], r) for r in results if r.registration.pk in people]


def score_sheet_export(*, round, layout_id=None) -> tuple[tempfile.SpooledTemporaryFile, int]:
    """The score sheet (成绩表) of a round in the chosen or default layout; (file, rows).

    Only after the 公示 is published: before it, scores may still change.
    """
    if selectors.notice_of(round) is None:
        raise ExchangeError(NO_RESULTS)
    layout = layout_of(KIND_SCORES, layout_id)
    columns = sheet_columns(KIND_SCORES, layout, SheetContext(exam_round=round))
    workbook = Workbook(write_only=True)
    sheet = sheet_add(workbook, SCORE_SHEET, columns)
    rows = score_rows(round=round)
    for row in rows:
        sheet_append(sheet, columns, row)
    sheet_finish(sheet, columns, len(rows))
    output = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output, len(rows)
