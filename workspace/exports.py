"""Registration exports: a class roster layout with a 汇总 sheet, and the national-platform layout.

Both read the rows with one query (iterated in chunks; classes and levels come from the summary's
overview) and the summary with one grouped aggregate, so the number of queries does not depend
on the number of registrations.
"""

import datetime as dt
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from common.xlsx import (
    Column,
    SheetNames,
    local_naive_now_zone,
    sheet_add,
    sheet_append,
    sheet_finish,
)
from registration.candidate_data import ExamType
from registration.models import (
    Gender,
    PaymentStatus,
    PendingRequirement,
    Registration,
    ReviewStatus,
)
from registration.training.selectors import needs_training, progress_of
from rounds.models import CandidateType, ExamRound, SchoolClass
from workspace.exchange.candidate_fields import exam_type_text
from workspace.exchange.registry import KIND_CANDIDATES, SheetContext
from workspace.exchange.render import layout_of, sheet_columns
from workspace.selectors import counselor as selectors

__all__ = ["exam_type_text", "national_columns", "registrations_export"]

LAYOUT_ROSTER = "roster"
LAYOUT_NATIONAL = "national"
LAYOUTS = {LAYOUT_ROSTER: "报名名单", LAYOUT_NATIONAL: "国家平台上报"}

UNASSIGNED_SHEET = "未分班"
SUMMARY_SHEET = "汇总"
NATIONAL_SHEET = "报名信息"
CHUNK_SIZE = 1000


class _Counter:
    """序号 that restarts on every sheet."""

    def __init__(self) -> None:
        self.value = 0

    def __call__(self, _registration) -> int:
        self.value += 1
        return self.value


def _training(registration: Registration) -> str:
    item = registration.training_fee_item
    if item is None:
        return ""
    return str(item.get_training_option_display())


def _class_name(registration: Registration) -> str:
    return registration.school_class.name if registration.school_class else ""


def _major_name(registration: Registration) -> str:
    school_class = registration.school_class
    return school_class.major.name if school_class else ""


def _labels(choices) -> dict[str, str]:
    """Choice labels resolved once per export (get_FOO_display costs a lot per cell)."""
    return {value: str(label) for value, label in choices}


def _label_of(field: str, choices):
    labels = _labels(choices)
    return lambda r: labels.get(getattr(r, field), getattr(r, field))


def roster_columns(counter: _Counter) -> list[Column]:
    local_naive = local_naive_now_zone()
    return [
        Column("序号", 6, counter, "int"),
        Column("报名号", 16, lambda r: r.number, "code"),
        Column("姓名", 10, lambda r: r.name),
        Column("性别", 6, _label_of("gender", Gender.choices)),
        Column("身份证号", 21, lambda r: r.id_number, "code"),
        Column("出生日期", 12, lambda r: r.birth_date, "date"),
        Column("民族", 8, lambda r: r.ethnicity),
        Column("手机号", 14, lambda r: r.phone, "code"),
        Column("学号", 14, lambda r: r.student_number, "code"),
        Column("班级", 20, _class_name),
        Column("专业", 14, _major_name),
        Column("申报等级", 14, lambda r: r.level.name),
        Column("考试类型", 14, partial(exam_type_text, labels=_labels(ExamType.choices))),
        Column("考生类别", 10, _label_of("candidate_type", CandidateType.choices)),
        Column("培训方式", 14, _training),
        Column("报名费（元）", 12, lambda r: r.quoted_registration_fee, "money"),
        Column("培训费（元）", 12, lambda r: r.quoted_training_fee, "money"),
        Column("应缴合计（元）", 14, lambda r: r.quoted_total, "money"),
        Column("缴费状态", 10, _label_of("payment_status", PaymentStatus.choices)),
        Column("实缴金额（元）", 14, lambda r: r.paid_amount, "money"),
        Column("缴费日期", 12, lambda r: r.paid_on, "date"),
        Column("审核状态", 10, _label_of("review_status", ReviewStatus.choices)),
        Column("退回原因", 24, lambda r: r.review_reason),
        Column("符合的报考条件", 40, lambda r: r.matched_condition_text),
        Column("条件代码", 10, lambda r: r.matched_condition_code, "code"),
        Column("有条件符合·待完成", 26, _pending),
        Column("辅导员备注", 24, lambda r: r.counselor_note),
        Column("报名时间", 17, lambda r: local_naive(r.created_at), "datetime"),
        *training_columns(),
    ]


def training_columns() -> list[Column]:
    """培训进度 / 已结业 of conditional registrations, derived from courses (blank otherwise)."""
    today = timezone.localdate()
    last: list = [None, None]  # the row and its four values, worked out once per row

    def values(r: Registration) -> tuple:
        if last[0] is r:
            return last[1]
        if hasattr(r, "training_completed_on") and not needs_training(r):
            # What TrainingProgress gives when no training is needed, without building it.
            row = ("", "", r.training_completed_on, "")
        else:
            p = progress_of(r, today=today)
            if not p.needs_training:
                requirement = ""
            elif p.requirement_met:
                requirement = _("已满足（已结业）")
            else:
                requirement = _("有条件符合：需完成培训并结业")
            row = (requirement, p.label, p.completed_on, _("是") if p.overdue else "")
        last[0], last[1] = r, row
        return row

    return [
        Column("培训要求", 26, lambda r: values(r)[0]),
        Column("培训进度", 22, lambda r: values(r)[1]),
        Column("已结业", 12, lambda r: values(r)[2], "date"),
        Column("培训逾期", 10, lambda r: values(r)[3]),
    ]


def _pending(r: Registration) -> str:
    """Blank when eligible outright; else what the candidate must still do before the exam."""
    if not r.pending_requirement:
        return ""
    return str(PendingRequirement(r.pending_requirement).label)


def national_columns(counter, exam_round: ExamRound, layout=None) -> list[Column]:
    """The candidate sheet (考生信息表) for the national platform, from a stored layout: the
    chosen one, else the default of its kind (shipped: docs/exchange.md).

    文化程度 and 考试类型 come from the candidate's 补充资料 (registration.candidate_data); 文化程度
    stays blank until the candidate gives it, never guessed. `counter` is kept for callers of
    the old signature; the 序号 column counts rows itself.
    """
    if layout is None:
        layout = layout_of(KIND_CANDIDATES)
    return sheet_columns(KIND_CANDIDATES, layout, SheetContext(exam_round=exam_round))


def summary_columns(levels) -> list[Column]:
    def count_of(mapping: str, key):
        return lambda s: getattr(s, mapping).get(key, 0)

    columns = [
        Column("班级", 22, lambda s: s.school_class.name if s.school_class else s.label),
        Column("专业", 14, lambda s: s.school_class.major.name if s.school_class else ""),
        Column("辅导员", 10, _counselor_name),
        Column("班级人数", 10, lambda s: s.headcount, "int"),
        Column("报名人数", 10, lambda s: s.registered, "int"),
    ]
    columns += [Column(level.name, 12, count_of("by_level", level.pk), "int") for level in levels]
    columns += [
        Column(str(label), 10, count_of("by_review", value), "int")
        for value, label in ReviewStatus.choices
    ]
    columns += [
        Column(str(label), 10, count_of("by_payment", value), "int")
        for value, label in PaymentStatus.choices
    ]
    columns += [
        Column("报名费合计（元）", 16, lambda s: s.registration_fees, "money"),
        Column("培训费合计（元）", 16, lambda s: s.training_fees, "money"),
        Column("应缴合计（元）", 16, lambda s: s.quoted_total, "money"),
        Column("实缴合计（元）", 16, lambda s: s.paid_total, "money"),
    ]
    return columns


def _counselor_name(stats) -> str:
    school_class = stats.school_class
    if school_class is None or school_class.counselor is None:
        return ""
    user = school_class.counselor
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class ExportFile:
    file: tempfile.SpooledTemporaryFile
    filename: str
    ascii_filename: str


def _export_scope(major_id: int | None, level_id: int | None) -> str:
    """What a whole-round export holds, for its file name: the filters, or 全部班级."""
    from rounds.models import Major, SkillLevel

    parts = []
    if major_id:
        parts.append(Major.objects.filter(pk=major_id).values_list("name", flat=True).first())
    if level_id:
        parts.append(
            SkillLevel.objects.filter(pk=level_id).values_list("short_name", flat=True).first()
            or SkillLevel.objects.filter(pk=level_id).values_list("name", flat=True).first()
        )
    parts = [part for part in parts if part]
    return "-".join(parts) if parts else str(_("全部班级"))


def _filename(exam_round: ExamRound, scope: str, layout: str, today: dt.date) -> tuple[str, str]:
    stamp = today.strftime("%Y%m%d")
    chinese = f"{exam_round.title}-{scope}-{LAYOUTS[layout]}-{stamp}.xlsx"
    ascii_name = f"kaowutong-{exam_round.slug}-{layout}-{stamp}.xlsx"
    return chinese, ascii_name


def registrations_export(
    *,
    user,
    exam_round: ExamRound,
    layout: str,
    school_class: SchoolClass | None = None,
    major_id: int | None = None,
    level_id: int | None = None,
    exchange_layout_id: int | None = None,
) -> ExportFile:
    """Write the export into a temporary file and return it rewound, ready to stream.

    `school_class` None exports every class in the user's scope (for 教务 the whole round,
    including registrations without a class). `exchange_layout_id` picks the candidate-sheet
    layout of the national layout (default: the default layout).
    """
    if layout not in LAYOUTS:
        raise ValueError(layout)
    overview = selectors.round_overview(
        user=user,
        exam_round=exam_round,
        major_id=major_id,
        level_id=level_id,
        class_ids=[school_class.pk] if school_class else None,
        with_days=False,
    )
    include_unassigned = school_class is None and any(
        row.school_class is None for row in overview.rows
    )
    registrations = selectors.export_registrations(
        user=user,
        exam_round=exam_round,
        class_ids=[school_class.pk] if school_class else None,
        include_unassigned=include_unassigned,
        major_id=major_id,
        level_id=level_id,
    )
    rows = selectors.export_rows(registrations, overview=overview, chunk_size=CHUNK_SIZE)
    wb = Workbook(write_only=True)
    if layout == LAYOUT_NATIONAL:
        _national_write(wb, exam_round, rows, layout_of(KIND_CANDIDATES, exchange_layout_id))
    else:
        _roster_write(wb, overview, rows)
    output = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
    wb.save(output)
    output.seek(0)
    scope = school_class.name if school_class else _export_scope(major_id, level_id)
    chinese, ascii_name = _filename(exam_round, scope, layout, timezone.localdate())
    return ExportFile(file=output, filename=chinese, ascii_filename=ascii_name)


class _Sheets:
    """One roster sheet per class, in the order of the 汇总 sheet, each with its own 序号."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.names = SheetNames()
        self.names.make(SUMMARY_SHEET)
        self.by_class: dict[int | None, tuple] = {}

    def add(self, key: int | None, title: str) -> tuple:
        counter = _Counter()
        columns = roster_columns(counter)
        entry = (sheet_add(self.wb, self.names.make(title), columns), columns, counter)
        self.by_class[key] = entry
        return entry

    def for_registration(self, registration: Registration) -> tuple:
        entry = self.by_class.get(registration.school_class_id)
        if entry is None:  # not in the overview (cannot happen with the same filters); still export
            entry = self.add(registration.school_class_id, _class_name(registration))
        return entry


def _roster_write(wb: Workbook, overview, registrations: Iterable[Registration]) -> None:
    summary = summary_columns(overview.levels)
    summary_ws = sheet_add(wb, SUMMARY_SHEET, summary)
    sheets = _Sheets(wb)
    for stats in overview.rows:
        key = stats.school_class.pk if stats.school_class else None
        sheets.add(key, stats.school_class.name if stats.school_class else UNASSIGNED_SHEET)
        sheet_append(summary_ws, summary, stats)
    sheet_append(summary_ws, summary, overview.total)
    sheet_finish(summary_ws, summary, len(overview.rows) + 1)

    for registration in registrations:
        ws, columns, _counter = sheets.for_registration(registration)
        sheet_append(ws, columns, registration)
    for ws, columns, counter in sheets.by_class.values():
        sheet_finish(ws, columns, counter.value)


def _national_write(
    wb: Workbook, exam_round: ExamRound, registrations: Iterable[Registration], layout
) -> None:
    columns = national_columns(None, exam_round, layout)
    ws = sheet_add(wb, NATIONAL_SHEET, columns)
    rows = 0
    for registration in registrations:
        sheet_append(ws, columns, registration)
        rows += 1
    sheet_finish(ws, columns, rows)
