"""Importing a sitting's scores from an xlsx list, with a preview, reusing the payment import's
machinery: the guarded reader (common.workbook), forgiving cells, IDs as text, idempotent applying.

The upload is parsed and stored first (nothing else is written); the preview says row by row
what applying would do. Applying re-checks every row against the database inside one
transaction; a row whose score is already the same changes nothing, so importing the same file
twice sets nothing twice.
"""

import dataclasses
import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history
from stdnum.cn import ric

from common.cells import RowError, cell_person, cell_text
from common.idcard import ID_RE
from common.normalize import name_normalize
from common.privacy import mask_id_number
from common.workbook import MAX_ROWS, Formula, WorkbookError, workbook_rows
from exams.models import Seat, Sitting
from results import selectors
from results.models import FINAL_STATES, Outcome, Score, ScoreEntry, ScoreImport, ScoreState
from results.rules import parse_points, points_text
from rounds.guards import round_writable_check

MISSING_COLUMNS = _("缺少必需的列：%(columns)s。第一行须为表头。")
NO_PERSON_COLUMN = _("须包含“准考证号”或“身份证号”列。")
NO_PERSON = _("准考证号和身份证号都为空。")
EMPTY_FILE = _("文件中没有成绩记录。")
FORMULA_CELL = _("“%(column)s”列是公式，请将公式转换为数值后再上传。")
BAD_POINTS = _("成绩“%(value)s”须为 0 到 %(full)s 之间的数字，最多一位小数。")
NO_POINTS = _("成绩为空。")
ALREADY_APPLIED = _("该导入已于%(when)s导入，不能重复导入。")
LOCKED = _("本场次成绩已审核锁定，不能导入。")
WRONG_SITTING = _("该导入不属于本场次。")
INVALID_ID = _("身份证号无效（校验位不正确），请核对后重新上传。")

HEADER_ALIASES = {
    "ticket": {"准考证号", "准考证号码"},
    "id_number": {"身份证号", "身份证号码", "证件号码"},
    "points": {"成绩", "分数", "得分", "考试成绩"},
    "mark": {"备注", "情况", "考试状态"},
    "name": {"姓名", "考生姓名"},
}
VIOLATION_WORDS = {"违纪", "作弊", "违规"}
ABSENT_WORDS = {"缺考", "缺席", "未到"}


class ImportOutcome:
    NEW = "new"
    SAME = "same"
    CONFLICT = "conflict"
    UNKNOWN = "unknown"
    DUPLICATE = "duplicate"
    ABSENT = "absent"
    PRESENT_MARKED_ABSENT = "present_marked_absent"
    NAME_MISMATCH = "name_mismatch"


OUTCOME_LABELS = {
    ImportOutcome.NEW: _("可导入"),
    ImportOutcome.SAME: _("已是该成绩（不重复导入）"),
    ImportOutcome.CONFLICT: _("与已录入的成绩不同：请在录入页或核定处处理"),
    ImportOutcome.UNKNOWN: _("本场次查无此考生"),
    ImportOutcome.DUPLICATE: _("文件内重复"),
    ImportOutcome.ABSENT: _("未签到（缺考以签到记录为准）"),
    ImportOutcome.PRESENT_MARKED_ABSENT: _("文件记为缺考，但签到记录为实到：请核对"),
    ImportOutcome.NAME_MISMATCH: _("文件中的姓名与该考生不符：请核对，不会导入"),
}


class ScoreFileError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclasses.dataclass
class ImportRow:
    row: int
    person: str
    outcome: str
    points: str  # decimal as text, "" without points
    name: str = ""  # the file's 姓名 when it has that column (compared, never written)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def value(self) -> tuple:
        from decimal import Decimal

        return (self.outcome, Decimal(self.points) if self.points else None)


@dataclasses.dataclass
class RowResult:
    row: ImportRow
    outcome: str
    seat: "SeatInfo | None" = None

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])

    @property
    def person_masked(self) -> str:
        # Any document number (passports and permits are not 18 long) or ticket: masked alike.
        return mask_id_number(self.row.person)


def score_file_read(content: bytes, *, rule) -> tuple[list[ImportRow], list[dict]]:
    """Good rows and bad rows (with a reason each); whole-file problems raise ScoreFileError."""
    try:
        sheet = workbook_rows(content, max_rows=MAX_ROWS)
    except WorkbookError as error:
        raise ScoreFileError(error.message) from None
    if not sheet:
        raise ScoreFileError(EMPTY_FILE)
    columns: dict[str, int] = {}
    for index, value in enumerate(sheet[0]):
        title = cell_text(value) if value is not None else ""
        for key, aliases in HEADER_ALIASES.items():
            if title in aliases and key not in columns:
                columns[key] = index
    if "points" not in columns:
        raise ScoreFileError(MISSING_COLUMNS % {"columns": _("成绩")})
    if "ticket" not in columns and "id_number" not in columns:
        raise ScoreFileError(NO_PERSON_COLUMN)
    titles = {index: cell_text(sheet[0][index]) for index in columns.values()}
    rows, problems = [], []
    for number, cells in enumerate(sheet[1:], start=2):
        values = {key: cells[i] if i < len(cells) else None for key, i in columns.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        try:
            for key, value in values.items():
                if isinstance(value, Formula):
                    raise RowError(FORMULA_CELL % {"column": titles[columns[key]]})
            person = cell_person(values.get("id_number"), values.get("ticket"))
            if not person:
                raise RowError(NO_PERSON)
            if values.get("id_number") is not None and not id_number_checks(person):
                raise RowError(INVALID_ID)
            mark = cell_text(values.get("mark") or "")
            raw = values["points"]
            raw_text = cell_text(raw) if raw is not None else ""
            if mark in VIOLATION_WORDS or raw_text in VIOLATION_WORDS:
                outcome, points = Outcome.VIOLATION, ""
            elif mark in ABSENT_WORDS or raw_text in ABSENT_WORDS:
                outcome, points = Outcome.ABSENT, ""
            elif raw_text == "":
                raise RowError(NO_POINTS)
            else:
                try:
                    value = parse_points(
                        raw if isinstance(raw, int | float) else raw_text, rule=rule
                    )
                except ValueError:
                    raise RowError(
                        BAD_POINTS % {"value": raw_text, "full": points_text(rule.full_marks)}
                    ) from None
                outcome, points = Outcome.SCORED, str(value)
        except RowError as error:
            problems.append({"row": number, "message": str(error)})
            continue
        name = cell_text(values.get("name") or "")
        rows.append(ImportRow(number, person, outcome, points, name))
    if not rows and not problems:
        raise ScoreFileError(EMPTY_FILE)
    return rows, problems


def id_number_checks(person: str) -> bool:
    """False for what is meant as a resident ID number (18 characters, 17 digits first) whose check
    character is wrong: "身份证号无效", not "查无此考生". Other documents and tickets pass."""
    if len(person) != 18 or not person[:17].isdigit():
        return True
    return bool(ID_RE.match(person)) and person[-1] == ric.calc_check_digit(person)


@dataclasses.dataclass(frozen=True)
class SeatInfo:
    """A seat as the import needs it, read as plain values (10,000 rows stay fast)."""

    pk: int
    name: str
    present: bool
    score_pk: int | None
    score_state: str | None
    score_value: tuple
    has_entries: bool

    @property
    def score_final(self) -> bool:
        return self.score_state in FINAL_STATES


def _seats_for(sitting: Sitting) -> dict[str, SeatInfo]:
    """Every seat of the sitting by ID number and by ticket number (two queries)."""
    entered = set(
        ScoreEntry.objects.filter(seat__sitting=sitting).values_list("seat_id", flat=True)
    )
    rows = Seat.objects.filter(sitting=sitting).values_list(
        "pk",
        "registration__name",
        "registration__id_number",
        "registration__admission_ticket__number",
        "check_in__id",
        "score__id",
        "score__state",
        "score__outcome",
        "score__points",
    )
    found = {}
    for pk, name, id_number, ticket, check_in, score_pk, state, outcome, points in rows:
        info = SeatInfo(
            pk, name, check_in is not None, score_pk, state, (outcome, points), pk in entered
        )
        found[id_number] = info
        if ticket:
            found[ticket] = info
    return found


def reconcile(sitting: Sitting, rows: list[ImportRow]) -> list[RowResult]:
    seats = _seats_for(sitting)
    seen: set[int] = set()
    results = []
    for row in rows:
        seat = seats.get(row.person)
        if seat is None:
            results.append(RowResult(row, ImportOutcome.UNKNOWN))
            continue
        if seat.pk in seen:
            results.append(RowResult(row, ImportOutcome.DUPLICATE, seat))
            continue
        seen.add(seat.pk)
        if row.name and name_normalize(row.name) != name_normalize(seat.name or ""):
            results.append(RowResult(row, ImportOutcome.NAME_MISMATCH, seat))
            continue
        if row.outcome == Outcome.ABSENT:
            outcome = (
                ImportOutcome.ABSENT if not seat.present else ImportOutcome.PRESENT_MARKED_ABSENT
            )
            results.append(RowResult(row, outcome, seat))
            continue
        if not seat.present:
            results.append(RowResult(row, ImportOutcome.ABSENT, seat))
            continue
        if seat.score_final and seat.score_value == row.value:
            outcome = ImportOutcome.SAME
        elif seat.score_final or seat.has_entries:
            outcome = ImportOutcome.CONFLICT
        else:
            outcome = ImportOutcome.NEW
        results.append(RowResult(row, outcome, seat))
    return results


@transaction.atomic
def score_import_preview(*, sitting: Sitting, file_name: str, content: bytes, user) -> ScoreImport:
    rule = selectors.rule_for(level=sitting.level, subject=sitting.subject)
    rows, problems = score_file_read(content, rule=rule)
    score_import = ScoreImport(
        sitting=sitting,
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
        rows=[row.to_json() for row in rows],
        problems=problems,
        uploaded_by=user,
    )
    score_import.full_clean()
    score_import.save()
    return score_import


def import_rows(score_import: ScoreImport) -> list[ImportRow]:
    return [ImportRow(**data) for data in score_import.rows]


@transaction.atomic
def score_import_apply(*, score_import: ScoreImport, user) -> int:
    """Set every NEW row's score (state 导入), once; the rest are left as the preview said."""
    score_import = ScoreImport.objects.select_for_update().get(pk=score_import.pk)
    if score_import.applied_at is not None:
        when = timezone.localtime(score_import.applied_at)
        raise ScoreFileError(ALREADY_APPLIED % {"when": f"{when:%Y-%m-%d %H:%M}"})
    sitting = Sitting.objects.select_for_update().get(pk=score_import.sitting_id)
    round_writable_check(sitting.round, error=ScoreFileError)
    if selectors.is_reviewed(sitting):
        raise ScoreFileError(LOCKED)
    reason = f"import {score_import.file_name}"[:100]
    created, count = [], 0
    # The sitting row is locked (above): score entry (services.scores_enter) and review take
    # the same lock, so nothing changes between this reconciliation and the writes.
    for result in reconcile(sitting, import_rows(score_import)):
        if result.outcome != ImportOutcome.NEW:
            continue
        outcome, points = result.row.value
        count += 1
        if result.seat.score_pk is None:  # the usual case: one INSERT per 500 rows + history
            created.append(
                Score(
                    seat_id=result.seat.pk,
                    state=ScoreState.IMPORTED,
                    outcome=outcome,
                    points=points,
                    resolved_by=user,
                )
            )
            continue
        score = Score.objects.get(pk=result.seat.score_pk)
        score.state, score.outcome, score.points = ScoreState.IMPORTED, outcome, points
        score.resolved_by = user
        score._history_user = user
        score._change_reason = reason
        score.save()
    bulk_create_with_history(
        created, Score, batch_size=500, default_user=user, default_change_reason=reason
    )
    score_import.applied_at = timezone.now()
    score_import.applied_count = count
    score_import.save(update_fields=["applied_at", "applied_count"])
    return count
