"""Reconciling the finance office's payment list with registrations.

An upload is parsed and checked first (nothing is written but the upload record); the preview
tells, row by row, what applying would do. Applying re-checks every row against the database as
it is at that moment, inside one transaction, so re-importing the same file changes nothing.
"""

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.cells import RowError, cell_date, cell_person
from common.cells import cell_text as _text
from common.errors import DomainError
from common.workbook import MAX_ROWS, MAX_UPLOAD_BYTES, TOO_LARGE, Formula, WorkbookError
from common.workbook import workbook_rows as _workbook_rows
from fees.pricing import current_charge_item_names
from payments.ledger import registration_payment_refresh
from registration.ledger.models import (
    EntryKind,
    Payment,
    PaymentImport,
    PaymentMethod,
    PaymentSource,
)
from registration.models import Registration, RegistrationStatus

__all__ = ["MAX_ROWS", "MAX_UPLOAD_BYTES", "TOO_LARGE"]

MISSING_COLUMNS = _("缺少必需的列：%(columns)s。第一行须为表头。")
NO_PERSON_COLUMN = _("须包含“身份证号”或“报名号”列。")
FORMULA_CELL = _("“%(column)s”列是公式，请将公式转换为数值后再上传。")
BAD_AMOUNT = _("金额“%(value)s”不是有效的金额（如 320、320.50、¥320）。")
AMOUNT_NOT_POSITIVE = _("金额“%(value)s”须大于 0。")
NO_PERSON = _("身份证号和报名号都为空。")
NO_CHARGE_ITEM = _("收费项目为空。")
EMPTY_FILE = _("文件中没有缴费记录。")
ALREADY_APPLIED = _("该导入已于%(when)s入账，不能重复入账。")
NOTHING_TO_APPLY = _("没有可入账的记录。")
ROW_PROBLEM = _("第%(row)d行：%(message)s")

HEADER_ALIASES = {
    "id_number": {"身份证号", "身份证号码", "证件号码"},
    "number": {"报名号"},
    "amount": {"金额", "缴费金额", "实缴金额", "金额（元）", "金额(元)"},
    "paid_on": {"缴费日期", "日期", "交费日期", "缴费时间"},
    "charge_item": {"收费项目", "收费项目名称", "项目名称"},
}
REQUIRED = {"amount": "金额", "paid_on": "缴费日期", "charge_item": "收费项目"}


class Outcome:
    MATCHED = "matched"
    AMOUNT_MISMATCH = "amount_mismatch"
    ALREADY_PAID = "already_paid"
    UNKNOWN_PERSON = "unknown_person"
    DUPLICATE_ROW = "duplicate_row"
    WRONG_CHARGE_ITEM = "wrong_charge_item"
    CANCELLED = "cancelled"


OUTCOME_LABELS = {
    Outcome.MATCHED: _("匹配，可入账"),
    Outcome.AMOUNT_MISMATCH: _("金额与应缴不符"),
    Outcome.ALREADY_PAID: _("已入账（不重复入账）"),
    Outcome.UNKNOWN_PERSON: _("查无此人"),
    Outcome.DUPLICATE_ROW: _("文件内重复"),
    Outcome.WRONG_CHARGE_ITEM: _("收费项目不符"),
    Outcome.CANCELLED: _("报名已取消：入账后待退费"),
}
# Money the finance office received is booked even for a cancelled registration (it then shows
# as 待退费); an amount other than what is owed is booked only when finance confirms it.
BOOKED_ALWAYS = {Outcome.MATCHED, Outcome.CANCELLED}


class PaymentFileError(DomainError, ValueError):
    pass


@dataclasses.dataclass
class PaymentRow:
    row: int
    person: str  # ID number or registration number as written (normalised)
    amount: Decimal
    paid_on: dt.date
    charge_item: str

    def to_json(self) -> dict:
        return {
            "row": self.row,
            "person": self.person,
            "amount": f"{self.amount:.2f}",
            "paid_on": self.paid_on.isoformat(),
            "charge_item": self.charge_item,
        }

    @classmethod
    def from_json(cls, data: dict) -> "PaymentRow":
        return cls(
            row=data["row"],
            person=data["person"],
            amount=Decimal(data["amount"]),
            paid_on=dt.date.fromisoformat(data["paid_on"]),
            charge_item=data["charge_item"],
        )


@dataclasses.dataclass
class RowProblem:
    row: int
    message: str

    def to_json(self) -> dict:
        return {"row": self.row, "message": self.message}


@dataclasses.dataclass
class ParsedFile:
    rows: list[PaymentRow]
    problems: list[RowProblem]


@dataclasses.dataclass
class RowResult:
    row: PaymentRow
    outcome: str
    registration: Registration | None = None
    expected: Decimal | None = None
    canonical_item: str = ""

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])

    @property
    def person_masked(self) -> str:
        from common.privacy import mask_id_number

        # A registration number is shown as written; any document number (passports and permits
        # are not 18 long) and anything unmatched is masked.
        if self.registration is not None and self.row.person == self.registration.number:
            return self.row.person
        return mask_id_number(self.row.person)


_AMOUNT_TEXT = re.compile(r"^\d+(\.\d{1,2})?$")


def _amount(value) -> Decimal:
    if isinstance(value, bool) or value is None or isinstance(value, dt.date):
        raise RowError(BAD_AMOUNT % {"value": value if value is not None else ""})
    if isinstance(value, int | float):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        rounded = amount.quantize(Decimal("0.01"))
        # A float that Excel computed (82.49999999) is meant as the cent value it shows.
        if not amount.is_finite() or abs(amount - rounded) > Decimal("0.000001"):
            raise RowError(BAD_AMOUNT % {"value": value})
        amount = rounded
    else:
        text = _text(value)
        for mark in ("¥", "￥", "元", "RMB", "CNY", ",", " "):
            text = text.replace(mark, "")
        if not _AMOUNT_TEXT.match(text):
            raise RowError(BAD_AMOUNT % {"value": _text(value)})
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise RowError(BAD_AMOUNT % {"value": _text(value)}) from None
    if amount <= 0:
        raise RowError(AMOUNT_NOT_POSITIVE % {"value": value})
    return amount.quantize(Decimal("0.01"))


PAID_ON_LABEL = _("缴费日期")


def _date(value) -> dt.date:
    return cell_date(value, label=str(PAID_ON_LABEL))


def _person(id_value, number_value) -> str:
    person = cell_person(id_value, number_value)
    if not person:
        raise RowError(NO_PERSON)
    return person


def _header_columns(header: list) -> dict[str, int]:
    """Column index of each known heading; WorkbookError when a required one is missing."""
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        title = _text(value) if value is not None else ""
        for key, aliases in HEADER_ALIASES.items():
            if title in aliases and key not in columns:
                columns[key] = index
    missing = [label for key, label in REQUIRED.items() if key not in columns]
    if missing:
        raise WorkbookError(MISSING_COLUMNS % {"columns": "、".join(missing)})
    if "id_number" not in columns and "number" not in columns:
        raise WorkbookError(NO_PERSON_COLUMN)
    return columns


def payment_file_read(content: bytes) -> ParsedFile:
    """Read the finance office's xlsx: good rows, and bad rows with a reason each.

    Whole-file problems (not a workbook, a zip bomb, missing columns) raise PaymentFileError.
    """
    try:
        # The header is checked as soon as it is read: a file without the columns is refused
        # before the rest of the sheet is parsed.
        sheet = _workbook_rows(content, max_rows=MAX_ROWS, header_check=_header_columns)
    except WorkbookError as error:
        raise PaymentFileError(error.message) from None
    if not sheet:
        raise PaymentFileError(EMPTY_FILE)
    header = sheet[0]
    columns = _header_columns(header)
    titles = {index: _text(header[index]) for index in columns.values()}
    parsed: list[PaymentRow] = []
    problems: list[RowProblem] = []
    for row_number, cells in enumerate(sheet[1:], start=2):
        values = {
            key: cells[index] if index < len(cells) else None for key, index in columns.items()
        }
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        try:
            for key, value in values.items():
                if isinstance(value, Formula):
                    raise RowError(FORMULA_CELL % {"column": titles[columns[key]]})
            person = _person(values.get("id_number"), values.get("number"))
            amount = _amount(values["amount"])
            paid_on = _date(values["paid_on"])
            charge_item = _text(values["charge_item"] or "")
            if not charge_item:
                raise RowError(NO_CHARGE_ITEM)
        except RowError as error:
            problems.append(RowProblem(row_number, str(error)))
            continue
        parsed.append(PaymentRow(row_number, person, amount, paid_on, charge_item))
    if not parsed and not problems:
        raise PaymentFileError(EMPTY_FILE)
    return ParsedFile(parsed, problems)


def payment_file_parse(content: bytes) -> list[PaymentRow]:
    """Strict reading: the first bad row refuses the file (kept for callers that need all rows)."""
    parsed = payment_file_read(content)
    if parsed.problems:
        first = parsed.problems[0]
        raise PaymentFileError(ROW_PROBLEM % {"row": first.row, "message": first.message})
    return parsed.rows


def _registrations_for(rows: list[PaymentRow], *, lock: bool = False) -> dict[str, Registration]:
    """Each person's registration: an active one if any, else their latest cancelled one."""
    people = {row.person for row in rows}
    queryset = Registration.objects.filter(Q(id_number__in=people) | Q(number__in=people))
    if lock:
        queryset = queryset.select_for_update()
    active_first = Case(
        When(status=RegistrationStatus.ACTIVE, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    found: dict[str, Registration] = {}
    ordered = queryset.prefetch_related("payments").order_by(active_first, "-created_at")
    for registration in ordered:
        found.setdefault(registration.id_number, registration)
        found.setdefault(registration.number, registration)
    return found


def quoted_items(registration: Registration, current_names: dict[int, str]) -> dict[str, tuple]:
    """Every name a payment for this registration may carry -> (quoted name, amount).

    The quoted name is the canonical one payments are stored under; the fee item's current name
    (if finance renamed it after the student registered) is accepted as well.
    """
    names: dict[str, tuple] = {}
    for item in registration.quoted_charge_items:
        canonical = (item["name"], Decimal(item["amount"]))
        names[item["name"]] = canonical
        current = current_names.get(item.get("fee_item_id"))
        if current:
            names.setdefault(current, canonical)
    return names


def reconcile(rows: list[PaymentRow], *, lock: bool = False) -> list[RowResult]:
    """What applying each row would do, given the ledger as it is now."""
    registrations = _registrations_for(rows, lock=lock)
    current_names = current_charge_item_names(set(registrations.values()))
    occurrences: dict[tuple, int] = {}
    planned: dict[tuple[int, str], Decimal] = {}
    results = []
    for row in rows:
        registration = registrations.get(row.person)
        if registration is None:
            results.append(RowResult(row, Outcome.UNKNOWN_PERSON))
            continue
        quoted = quoted_items(registration, current_names)
        if row.charge_item not in quoted:
            results.append(RowResult(row, Outcome.WRONG_CHARGE_ITEM, registration))
            continue
        canonical, quoted_amount = quoted[row.charge_item]
        key = (registration.pk, canonical, row.amount, row.paid_on)
        occurrence = occurrences[key] = occurrences.get(key, 0) + 1
        ledger = [
            p
            for p in registration.payments.all()
            if p.kind == EntryKind.PAYMENT and p.charge_item_name == canonical
        ]
        # Identical payments are counted, not collapsed: the n-th identical row of a list is
        # "already booked" only when the ledger holds at least n such payments. A further identical
        # row is shown as a duplicate for finance to decide on, never hidden as booked.
        in_ledger = sum(1 for p in ledger if p.amount == row.amount and p.paid_on == row.paid_on)
        if occurrence > in_ledger and occurrence > 1:
            results.append(
                RowResult(row, Outcome.DUPLICATE_ROW, registration, quoted_amount, canonical)
            )
            continue
        paid = sum((p.amount for p in ledger), Decimal("0.00"))
        due = max(quoted_amount - paid - planned.get((registration.pk, canonical), 0), 0)
        result = RowResult(row, Outcome.MATCHED, registration, due, canonical)
        if occurrence <= in_ledger:
            # This payment is in the ledger already (an earlier list, or booked by hand).
            result.outcome = Outcome.ALREADY_PAID
        elif registration.status == RegistrationStatus.CANCELLED:
            result.outcome = Outcome.CANCELLED
        elif row.amount != due:
            result.outcome = Outcome.AMOUNT_MISMATCH
        if result.outcome in (Outcome.MATCHED, Outcome.CANCELLED, Outcome.AMOUNT_MISMATCH):
            planned[(registration.pk, canonical)] = (
                planned.get((registration.pk, canonical), 0) + row.amount
            )
        results.append(result)
    return results


def bookable(outcome: str, *, include_mismatched: bool, include_duplicates: bool = False) -> bool:
    return (
        outcome in BOOKED_ALWAYS
        or (include_mismatched and outcome == Outcome.AMOUNT_MISMATCH)
        or (include_duplicates and outcome == Outcome.DUPLICATE_ROW)
    )


@transaction.atomic
def payment_import_preview(*, file_name: str, content: bytes, user) -> PaymentImport:
    parsed = payment_file_read(content)
    payment_import = PaymentImport(
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
        rows=[row.to_json() for row in parsed.rows],
        problems=[problem.to_json() for problem in parsed.problems],
        uploaded_by=user,
    )
    payment_import.full_clean()
    payment_import.save()
    return payment_import


def already_applied_message(payment_import: PaymentImport) -> str:
    when = timezone.localtime(payment_import.applied_at)
    return ALREADY_APPLIED % {"when": f"{when:%Y-%m-%d %H:%M}"}


@transaction.atomic
def payment_import_apply(
    *,
    payment_import: PaymentImport,
    user,
    include_mismatched: bool = False,
    include_duplicates: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Book every bookable row once; the import can be applied only once, and a row already
    in the ledger (same person, item, amount and date, counted) is never booked twice.

    A row repeating an earlier identical row of the same list is booked only when finance says
    it is a second real payment (`include_duplicates`).

    Runs on the task queue (payments.tasks); `progress(done, total)` is told every 100 rows."""
    payment_import = PaymentImport.objects.select_for_update().get(pk=payment_import.pk)
    if payment_import.applied_at is not None:
        raise PaymentFileError(already_applied_message(payment_import))
    rows = [PaymentRow.from_json(data) for data in payment_import.rows]
    results = reconcile(rows, lock=True)
    touched = {}
    count = 0
    for index, result in enumerate(results, start=1):
        if progress is not None and (index % 100 == 0 or index == len(results)):
            progress(index, len(results))
        if not bookable(
            result.outcome,
            include_mismatched=include_mismatched,
            include_duplicates=include_duplicates,
        ):
            continue
        payment = Payment(
            registration=result.registration,
            kind=EntryKind.PAYMENT,
            charge_item_name=result.canonical_item,
            amount=result.row.amount,
            paid_on=result.row.paid_on,
            method=PaymentMethod.PLATFORM,
            source=PaymentSource.IMPORT,
            payment_import=payment_import,
            recorded_by=user,
        )
        payment.full_clean()
        payment.save()
        count += 1
        touched[result.registration.pk] = result.registration
    if not count:
        raise PaymentFileError(NOTHING_TO_APPLY)
    for registration in touched.values():
        registration_payment_refresh(registration)
    payment_import.applied_at = timezone.now()
    payment_import.applied_count = count
    payment_import.save(update_fields=["applied_at", "applied_count"])
    return count
