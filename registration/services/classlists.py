"""Class lists (班级名单): import from xlsx with a preview, apply once, and match at sign-up.

A counselor uploads their class's list (学号, 姓名, 身份证号); 教务 may upload many classes at once
with a 班级 column. Parsing writes nothing but the upload record; the preview says, row by row,
what applying would do, and gives every refused row its reason. Applying re-checks each row
against the database inside one transaction; entries are created or updated, never deleted, so
importing the same file twice changes nothing the second time.
"""

import dataclasses
import functools
import itertools
import re

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from common.idcard import IdNumberError, id_number_parse
from common.normalize import (
    NameInvalid,
    id_number_normalize,
    name_clean,
    student_number_normalize,
)
from registration.models import ClassListEntry, ClassListImport
from registration.workbook import WorkbookError, cell_text, workbook_rows
from rounds.models import SchoolClass

# What schools' own spreadsheets call each column (their student-information systems export
# 学生姓名, 学籍号, 公民身份号码 and the like); matched after removing white space.
HEADER_ALIASES = {
    "student_number": {"学号", "学籍号", "学生学号"},
    "name": {"姓名", "学生姓名"},
    "id_number": {"身份证号", "身份证号码", "证件号码", "身份证", "公民身份号码", "证件号"},
    "class_name": {"班级", "班级名称", "行政班", "行政班级"},
}
# A title row or two ("2026级电子商务2班名单") above the header is common: the header is the first
# of this many rows that has the required columns.
HEADER_SEARCH_ROWS = 5
COLUMN_LABELS = {"student_number": "学号", "name": "姓名", "id_number": "身份证号"}
STUDENT_NUMBER_RE = re.compile(r"^[A-Z0-9-]{4,30}$")

MISSING_COLUMNS = _(
    "缺少必需的列：%(columns)s。前5行内须有表头行（学号、姓名、身份证号），可下载模板对照。"
)
CLASS_COLUMN_REQUIRED = _("多个班级一起导入时须有“班级”列。")
NO_ROWS = _("文件中没有学生记录。")
ALREADY_APPLIED = _("该名单已于%(when)s导入，不能重复导入。")
NOTHING_TO_APPLY = _("没有可导入的记录。")

ROW_STUDENT_NUMBER = _("学号“%(value)s”无效：只能包含字母、数字和连字符，4至30位。")
ROW_ID_AS_NUMBER = _(
    "身份证号被 Excel 存成了数字，末几位可能已丢失；请把该列设为“文本”格式后重新填写。"
)
ROW_ID_INVALID = _("身份证号无效：%(reason)s")
ROW_NAME_INVALID = _("姓名无效：%(reason)s")
ROW_CLASS_UNKNOWN = _("班级“%(value)s”不存在或不在您的管理范围内。")
ROW_DUPLICATE = _("与第%(row)d行重复（%(field)s相同）。")
ROW_ID_ELSEWHERE = _("该身份证号已在其他班级的名单中，请联系教务核对。")
# What a counselor is told instead: whether an ID number is on another class's list is not theirs
# to know (a list of 20,000 guessed numbers would tell which are students of the college), so
# the answer names no other class. Only 教务, who see every list, get ROW_ID_ELSEWHERE.
ROW_ID_NEEDS_REVIEW = _("该行暂不能导入，请联系教务核对。")
ROW_ID_OTHER_STUDENT = _("该身份证号已登记在本班另一学号（%(number)s）名下，请核对。")


class ClassListError(DomainError, ValueError):
    pass


class Outcome:
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    MERGED = "merged"
    ERROR = "error"


OUTCOME_LABELS = {
    Outcome.NEW: _("新增"),
    Outcome.UPDATE: _("更新姓名或身份证号"),
    Outcome.UNCHANGED: _("已在名单中，无变化"),
    Outcome.MERGED: _("重复行，已合并"),
    Outcome.ERROR: _("有误，不导入"),
}
ROW_MERGED = _("与第%(row)d行完全相同，按一人导入。")


@dataclasses.dataclass
class ListRow:
    row: int
    student_number: str
    name: str
    id_number: str
    class_id: int | None
    class_name: str
    error: str = ""
    outcome: str = ""

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ListRow":
        return cls(**data)

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS.get(self.outcome, ""))

    @property
    def masked_id_number(self) -> str:
        from common.privacy import mask_id_number

        return mask_id_number(self.id_number)


def _columns(header: list) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        title = re.sub(r"\s+", "", cell_text(value))
        for key, aliases in HEADER_ALIASES.items():
            if title in aliases and key not in columns:
                columns[key] = index
    return columns


def _row(
    number: int,
    values: list,
    columns: dict[str, int],
    classes: dict[str, SchoolClass],
    school_class: SchoolClass | None,
) -> ListRow:
    def raw(key):
        index = columns.get(key)
        return values[index] if index is not None and index < len(values) else None

    raw_id = raw("id_number")
    class_name = cell_text(raw("class_name")) if school_class is None else school_class.name
    target = school_class or classes.get(re.sub(r"\s+", "", class_name))
    row = ListRow(
        row=number,
        student_number=student_number_normalize(cell_text(raw("student_number"))),
        name=cell_text(raw("name")),
        id_number=id_number_normalize(cell_text(raw_id)),
        class_id=target.pk if target else None,
        class_name=target.name if target else class_name,
    )
    errors = []
    if target is None:
        errors.append(str(ROW_CLASS_UNKNOWN % {"value": class_name or "—"}))
    if not STUDENT_NUMBER_RE.match(row.student_number):
        errors.append(str(ROW_STUDENT_NUMBER % {"value": row.student_number or "—"}))
    try:
        row.name = name_clean(row.name)
    except NameInvalid as exc:
        errors.append(str(ROW_NAME_INVALID % {"reason": exc.message}))
    if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        errors.append(str(ROW_ID_AS_NUMBER))
    else:
        try:
            row.id_number = id_number_parse(row.id_number, today=timezone.localdate()).number
        except IdNumberError as exc:
            errors.append(str(ROW_ID_INVALID % {"reason": exc.message}))
    row.error = " ".join(errors)
    if row.error:
        row.outcome = Outcome.ERROR
    return row


def _header_columns(rows) -> dict[str, int]:
    """The columns of the first row, among the first few, that names every required column.

    Reads no further than HEADER_SEARCH_ROWS rows when there is none, so a file without a header
    is refused before its body is read."""
    first_columns = None
    for _number, values in itertools.islice(rows, HEADER_SEARCH_ROWS):
        columns = _columns(values)
        if first_columns is None and any(cell_text(v) for v in values):
            first_columns = columns
        if all(key in columns for key in COLUMN_LABELS):
            return columns
    if first_columns is None:
        raise ClassListError(NO_ROWS)
    missing = [label for key, label in COLUMN_LABELS.items() if key not in first_columns]
    raise ClassListError(MISSING_COLUMNS % {"columns": "、".join(missing)})


def class_list_parse(
    content: bytes, *, school_class: SchoolClass | None, classes: list[SchoolClass]
) -> list[ListRow]:
    """Rows of an uploaded list; a file-level problem raises ClassListError.

    `school_class` set: one class's list (a 班级 column, if any, is ignored). None: 教务's list of
    many classes, each row naming its class, which must be among `classes` (the user's scope).
    """
    by_name = {re.sub(r"\s+", "", c.name): c for c in classes}

    def header_check(values: list) -> None:
        # Called on the first non-empty row before the rest of the sheet is read: a header that
        # names some columns but not all is refused at once, however many rows follow. A first
        # row naming none may be a title above the header (searched below, within the cell
        # budget that common.workbook enforces before reading).
        columns = _columns(values)
        missing = [label for key, label in COLUMN_LABELS.items() if key not in columns]
        if columns and missing:
            raise WorkbookError(MISSING_COLUMNS % {"columns": "、".join(missing)})

    try:
        rows = workbook_rows(content, header_check=header_check)
        columns = _header_columns(rows)
        if school_class is None and "class_name" not in columns:
            raise ClassListError(CLASS_COLUMN_REQUIRED)
        parsed = [_row(number, values, columns, by_name, school_class) for number, values in rows]
    except WorkbookError as exc:
        raise ClassListError(exc.message) from None
    if not parsed:
        raise ClassListError(NO_ROWS)
    _mark_duplicates(parsed)
    return parsed


def _mark_duplicates(rows: list[ListRow]) -> None:
    """A row repeated exactly (same class, 学号, 姓名, 身份证号) is merged into its first copy;
    two different rows sharing a 学号 or an ID number are an error the counselor must resolve."""
    seen_numbers: dict[tuple, int] = {}
    seen_ids: dict[str, int] = {}
    seen_rows: dict[tuple, int] = {}
    for row in rows:
        if row.outcome == Outcome.ERROR:
            continue
        identical = seen_rows.get((row.class_id, row.student_number, row.name, row.id_number))
        if identical is not None:
            row.error = str(ROW_MERGED % {"row": identical})
            row.outcome = Outcome.MERGED
            continue
        seen_rows[(row.class_id, row.student_number, row.name, row.id_number)] = row.row
        first = seen_numbers.get((row.class_id, row.student_number))
        field = "学号"
        if first is None:
            first, field = seen_ids.get(row.id_number), "身份证号"
        if first is not None:
            row.error = str(ROW_DUPLICATE % {"row": first, "field": field})
            row.outcome = Outcome.ERROR
            continue
        seen_numbers[(row.class_id, row.student_number)] = row.row
        seen_ids[row.id_number] = row.row


def reconcile(rows: list[ListRow], *, sees_other_classes: bool = False) -> list[ListRow]:
    """Set each valid row's outcome from the database as it is now (2 queries).

    `sees_other_classes` (教务) names a match on another class's list; anyone else gets the
    neutral ROW_ID_NEEDS_REVIEW for it."""
    valid = [row for row in rows if row.outcome not in (Outcome.ERROR, Outcome.MERGED)]
    class_ids = {row.class_id for row in valid}
    ids = {row.id_number for row in valid}
    by_number = {
        (entry.school_class_id, entry.student_number): entry
        for entry in ClassListEntry.objects.active().filter(school_class_id__in=class_ids)
    }
    by_id = {
        entry.id_number: entry
        for entry in ClassListEntry.objects.active().filter(id_number__in=ids)
    }
    for row in valid:
        existing = by_number.get((row.class_id, row.student_number))
        holder = by_id.get(row.id_number)
        if holder is not None and holder != existing:
            if holder.school_class_id != row.class_id:
                row.error = str(ROW_ID_ELSEWHERE if sees_other_classes else ROW_ID_NEEDS_REVIEW)
            else:
                row.error = str(ROW_ID_OTHER_STUDENT % {"number": holder.student_number})
            row.outcome = Outcome.ERROR
        elif existing is None:
            row.outcome = Outcome.NEW
        elif (existing.name, existing.id_number) == (row.name, row.id_number):
            row.outcome = Outcome.UNCHANGED
        else:
            row.outcome = Outcome.UPDATE
    return rows


@transaction.atomic
def class_list_import_preview(
    *, file_name: str, content: bytes, user, school_class: SchoolClass | None, classes
) -> ClassListImport:
    # Only the parse result is stored: what applying would do is computed again on every view.
    rows = class_list_parse(content, school_class=school_class, classes=list(classes))
    record = ClassListImport(
        school_class=school_class,
        file_name=file_name[:200],
        rows=[row.to_json() for row in rows],
        uploaded_by=user,
    )
    record.full_clean()
    record.save()
    return record


def import_rows(record: ClassListImport, *, sees_other_classes: bool = False) -> list[ListRow]:
    """The stored rows (parse errors kept) with outcomes computed against the database now."""
    rows = [ListRow.from_json(data) for data in record.rows]
    return reconcile(rows, sees_other_classes=sees_other_classes)


@transaction.atomic
def class_list_import_apply(*, record: ClassListImport, user) -> int:
    """Create or update the entries of every valid row; return how many changed."""
    record = ClassListImport.objects.select_for_update().get(pk=record.pk)
    if record.applied_at is not None:
        when = timezone.localtime(record.applied_at).strftime("%Y-%m-%d %H:%M")
        raise ClassListError(ALREADY_APPLIED % {"when": when})
    rows = import_rows(record)
    changed = 0
    for row in rows:
        if row.outcome == Outcome.NEW:
            entry = ClassListEntry(
                school_class_id=row.class_id,
                student_number=row.student_number,
                name=row.name,
                id_number=row.id_number,
            )
        elif row.outcome == Outcome.UPDATE:
            entry = ClassListEntry.objects.select_for_update().get(
                school_class_id=row.class_id, student_number=row.student_number, is_active=True
            )
            entry.name, entry.id_number = row.name, row.id_number
        else:
            continue
        entry.full_clean()
        entry.save()
        changed += 1
    if not any(row.outcome in (Outcome.NEW, Outcome.UPDATE, Outcome.UNCHANGED) for row in rows):
        raise ClassListError(NOTHING_TO_APPLY)
    record.applied_at = timezone.now()
    record.applied_count = changed
    record.save(update_fields=["applied_at", "applied_count"])
    return changed


# --- Matching at sign-up -------------------------------------------------------------------------

LIST_NUMBER_UNKNOWN = _(
    "本班名单中没有学号“%(number)s”。请核对学号；如确认无误，请联系本班辅导员核对班级名单。"
)
LIST_NAME_MISMATCH = _(
    "姓名与班级名单中该学号的姓名不一致。请核对姓名（须与身份证一致）；"
    "如确认无误，请联系本班辅导员核对班级名单。"
)
LIST_ID_MISMATCH = _(
    "身份证号与班级名单中该学号登记的不一致。请逐位核对身份证号；"
    "如确认无误，请联系本班辅导员核对班级名单。"
)


class ListMismatch(ValueError):
    def __init__(self, message, *, field: str):
        super().__init__(str(message))
        self.message = message
        self.field = field


def class_has_list(school_class: SchoolClass) -> bool:
    return ClassListEntry.objects.active().filter(school_class=school_class).exists()


@functools.cache
def _entry_sql(vendor: str) -> str:
    """The sign-up's one class-list query, written out once (per database engine).

    The same query through the ORM (filter, order by Case/When, first()) spends about ten times
    longer building its SQL than the database spends answering it (measured: ~0.4 ms against
    ~0.04 ms of CPU per call, the largest single cost of a sign-up POST). Names come from the
    model, so a renamed field or table cannot leave it behind; tests check it against the ORM.
    """
    opts = ClassListEntry._meta

    def column(name: str) -> str:
        return connection.ops.quote_name(opts.get_field(name).column)

    number = column("student_number")
    return (
        f"SELECT {number}, {column('name')}, {column('id_number')} "
        f"FROM {connection.ops.quote_name(opts.db_table)} "
        f"WHERE {column('school_class')} = %s AND {column('is_active')} "
        # The entry with this student number if there is one, else any entry (the class has a
        # list, so the number is not on it), else nothing (no list).
        f"ORDER BY ({number} = %s) DESC, {column('id')} LIMIT 1"
    )


def class_list_match(
    *, school_class: SchoolClass, student_number: str, name: str, id_number: str
) -> None:
    """Raise ListMismatch naming the field to check unless the class's list has this student.

    A class without a list accepts anyone who has its link (today's behaviour); the counselor's
    dashboard warns about such classes. One query: sign-ups are the hot path.
    """
    with connection.cursor() as cursor:
        cursor.execute(_entry_sql(connection.vendor), [school_class.pk, student_number])
        entry = cursor.fetchone()
    if entry is None:
        return
    entry_number, entry_name, entry_id_number = entry
    if entry_number != student_number:
        raise ListMismatch(LIST_NUMBER_UNKNOWN % {"number": student_number}, field="student_number")
    if entry_name != name:
        raise ListMismatch(LIST_NAME_MISMATCH, field="name")
    if entry_id_number != id_number:
        raise ListMismatch(LIST_ID_MISMATCH, field="id_number")
