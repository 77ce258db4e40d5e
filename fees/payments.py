"""Reconciling the finance office's payment list with registrations.

An upload is parsed and checked first (nothing is written but the upload record); the preview
tells, row by row, what applying would do. Applying re-checks every row against the database as
it is at that moment, inside one transaction, so re-importing the same file changes nothing.
"""

import dataclasses
import datetime as dt
import hashlib
import io
import zipfile
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from fees.models import Payment, PaymentImport, PaymentSource
from registration.idcard import normalise_id_number
from registration.models import PaymentStatus, Registration, RegistrationStatus

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20000

NOT_XLSX = _("文件不是有效的 Excel（.xlsx）文件。")
TOO_LARGE = _("文件过大（超过5MB），请拆分后上传。")
TOO_MANY_ROWS = _("文件行数超过%(max)d行，请拆分后上传。")
NO_SHEET = _("文件中没有工作表。")
MISSING_COLUMNS = _("缺少必需的列：%(columns)s。第一行须为表头。")
NO_PERSON_COLUMN = _("须包含“身份证号”或“报名号”列。")
FORMULA_CELL = _("第%(row)d行“%(column)s”列是公式，请将公式转换为数值后再上传。")
BAD_AMOUNT = _("第%(row)d行金额“%(value)s”不是有效的金额。")
BAD_DATE = _("第%(row)d行缴费日期“%(value)s”不是有效日期（如 2022-05-18）。")
EMPTY_FILE = _("文件中没有缴费记录。")
ALREADY_APPLIED = _("该导入已于%(when)s入账，不能重复入账。")
NOTHING_TO_APPLY = _("没有可入账的记录。")

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


OUTCOME_LABELS = {
    Outcome.MATCHED: _("匹配，可入账"),
    Outcome.AMOUNT_MISMATCH: _("金额不符"),
    Outcome.ALREADY_PAID: _("已缴费（不重复入账）"),
    Outcome.UNKNOWN_PERSON: _("查无此人"),
    Outcome.DUPLICATE_ROW: _("文件内重复"),
    Outcome.WRONG_CHARGE_ITEM: _("收费项目不符"),
}


class PaymentFileError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


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
        from registration.privacy import mask_id_number

        return mask_id_number(self.row.person) if len(self.row.person) == 18 else self.row.person


def _amount(value, row: int) -> Decimal:
    if isinstance(value, bool):
        raise PaymentFileError(BAD_AMOUNT % {"row": row, "value": value})
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("元", ""))
    except (InvalidOperation, ValueError):
        raise PaymentFileError(BAD_AMOUNT % {"row": row, "value": value}) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise PaymentFileError(BAD_AMOUNT % {"row": row, "value": value})
    return amount.quantize(Decimal("0.01"))


def _date(value, row: int) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise PaymentFileError(BAD_DATE % {"row": row, "value": value}) from None


def _check_container(content: bytes) -> None:
    if len(content) > MAX_UPLOAD_BYTES:
        raise PaymentFileError(TOO_LARGE)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise PaymentFileError(NOT_XLSX) from None
    if "[Content_Types].xml" not in names or total > MAX_UNCOMPRESSED_BYTES:
        raise PaymentFileError(NOT_XLSX if total <= MAX_UNCOMPRESSED_BYTES else TOO_LARGE)


def payment_file_parse(content: bytes) -> list[PaymentRow]:
    """Parse the finance office's xlsx; raise PaymentFileError with a Chinese message."""
    _check_container(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for broken files
        raise PaymentFileError(NOT_XLSX) from None
    try:
        if not workbook.worksheets:
            raise PaymentFileError(NO_SHEET)
        rows = workbook.worksheets[0].iter_rows()
        header = next(rows, None)
        if header is None:
            raise PaymentFileError(EMPTY_FILE)
        columns: dict[str, int] = {}
        for index, cell in enumerate(header):
            title = str(cell.value or "").strip()
            for key, aliases in HEADER_ALIASES.items():
                if title in aliases and key not in columns:
                    columns[key] = index
        missing = [label for key, label in REQUIRED.items() if key not in columns]
        if missing:
            raise PaymentFileError(MISSING_COLUMNS % {"columns": "、".join(missing)})
        if "id_number" not in columns and "number" not in columns:
            raise PaymentFileError(NO_PERSON_COLUMN)
        titles = {index: str(header[index].value).strip() for index in columns.values()}
        parsed: list[PaymentRow] = []
        for row_number, cells in enumerate(rows, start=2):
            if row_number - 1 > MAX_ROWS:
                raise PaymentFileError(TOO_MANY_ROWS % {"max": MAX_ROWS})
            values = {}
            for key, index in columns.items():
                cell = cells[index] if index < len(cells) else None
                if cell is not None and cell.data_type == "f":
                    raise PaymentFileError(
                        FORMULA_CELL % {"row": row_number, "column": titles[index]}
                    )
                values[key] = None if cell is None else cell.value
            if all(v in (None, "") for v in values.values()):
                continue
            person = normalise_id_number(str(values.get("id_number") or ""))
            if not person:
                person = str(values.get("number") or "").strip()
            parsed.append(
                PaymentRow(
                    row=row_number,
                    person=person,
                    amount=_amount(values["amount"], row_number),
                    paid_on=_date(values["paid_on"], row_number),
                    charge_item=str(values["charge_item"] or "").strip(),
                )
            )
    finally:
        workbook.close()
    if not parsed:
        raise PaymentFileError(EMPTY_FILE)
    return parsed


def _registrations_for(rows: list[PaymentRow], *, lock: bool = False) -> dict[str, Registration]:
    people = {row.person for row in rows}
    queryset = Registration.objects.filter(status=RegistrationStatus.ACTIVE).filter(
        Q(id_number__in=people) | Q(number__in=people)
    )
    if lock:
        queryset = queryset.select_for_update()
    found: dict[str, Registration] = {}
    for registration in queryset.prefetch_related("payments").order_by("-created_at"):
        found.setdefault(registration.id_number, registration)
        found.setdefault(registration.number, registration)
    return found


def current_charge_item_names(registrations) -> dict[int, str]:
    """Current charge-item names of the fee items the quotes point at (one query)."""
    from fees.models import FeeItem

    ids = {
        item["fee_item_id"]
        for registration in registrations
        for item in registration.quoted_charge_items
        if item.get("fee_item_id")
    }
    return dict(FeeItem.objects.filter(pk__in=ids).values_list("pk", "charge_item_name"))


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
    """What applying each row would do, given the database as it is now."""
    registrations = _registrations_for(rows, lock=lock)
    current_names = current_charge_item_names(set(registrations.values()))
    seen: set[tuple[str, str]] = set()
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
        canonical, expected = quoted[row.charge_item]
        key = (registration.number, canonical)
        if key in seen:
            results.append(RowResult(row, Outcome.DUPLICATE_ROW, registration, expected))
            continue
        seen.add(key)
        result = RowResult(row, Outcome.MATCHED, registration, expected)
        result.canonical_item = canonical
        if any(p.charge_item_name == canonical for p in registration.payments.all()):
            result.outcome = Outcome.ALREADY_PAID
        elif row.amount != expected:
            result.outcome = Outcome.AMOUNT_MISMATCH
        results.append(result)
    return results


@transaction.atomic
def payment_import_preview(*, file_name: str, content: bytes, user) -> PaymentImport:
    rows = payment_file_parse(content)
    payment_import = PaymentImport(
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
        rows=[row.to_json() for row in rows],
        uploaded_by=user,
    )
    payment_import.full_clean()
    payment_import.save()
    return payment_import


def payment_status_refresh(registration: Registration) -> None:
    """Paid once every quoted charge item has a payment; refunds are set by hand only."""
    if registration.payment_status == PaymentStatus.REFUNDED:
        return
    payments = list(Payment.objects.filter(registration=registration))
    paid_items = {p.charge_item_name for p in payments}
    due = {item["name"] for item in registration.quoted_charge_items}
    registration.paid_amount = sum((p.amount for p in payments), Decimal("0.00")) or None
    registration.paid_on = max((p.paid_on for p in payments), default=None)
    registration.payment_status = (
        PaymentStatus.PAID if due and due <= paid_items else PaymentStatus.UNPAID
    )
    registration.save(update_fields=["payment_status", "paid_amount", "paid_on", "updated_at"])


@transaction.atomic
def payment_import_apply(*, payment_import: PaymentImport, user) -> int:
    payment_import = PaymentImport.objects.select_for_update().get(pk=payment_import.pk)
    if payment_import.applied_at is not None:
        when = timezone.localtime(payment_import.applied_at)
        raise PaymentFileError(ALREADY_APPLIED % {"when": f"{when:%Y-%m-%d %H:%M}"})
    rows = [PaymentRow.from_json(data) for data in payment_import.rows]
    results = reconcile(rows, lock=True)
    touched = {}
    for result in results:
        if result.outcome != Outcome.MATCHED:
            continue
        payment = Payment(
            registration=result.registration,
            charge_item_name=result.canonical_item,
            amount=result.row.amount,
            paid_on=result.row.paid_on,
            source=PaymentSource.IMPORT,
            payment_import=payment_import,
            recorded_by=user,
        )
        payment.full_clean()
        payment.save()
        touched[result.registration.pk] = result.registration
    for registration in touched.values():
        payment_status_refresh(registration)
    payment_import.applied_at = timezone.now()
    payment_import.applied_count = sum(1 for r in results if r.outcome == Outcome.MATCHED)
    payment_import.save(update_fields=["applied_at", "applied_count"])
    return payment_import.applied_count


PAYMENT_ITEM_UNKNOWN = _("该报名没有名为“%(item)s”的收费项目。")
PAYMENT_EXISTS = _("该收费项目已有缴费记录。")
NOTE_REQUIRED = _("请填写备注说明。")


@transaction.atomic
def payment_record_manual(
    *,
    registration: Registration,
    charge_item_name: str,
    amount: Decimal,
    paid_on: dt.date,
    note: str,
    user,
) -> Payment:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not note.strip():
        raise PaymentFileError(NOTE_REQUIRED)
    quoted = quoted_items(registration, current_charge_item_names([registration]))
    if charge_item_name not in quoted:
        raise PaymentFileError(PAYMENT_ITEM_UNKNOWN % {"item": charge_item_name})
    charge_item_name = quoted[charge_item_name][0]
    if registration.payments.filter(charge_item_name=charge_item_name).exists():
        raise PaymentFileError(PAYMENT_EXISTS)
    payment = Payment(
        registration=registration,
        charge_item_name=charge_item_name,
        amount=amount,
        paid_on=paid_on,
        source=PaymentSource.MANUAL,
        note=note.strip(),
        recorded_by=user,
    )
    payment.full_clean()
    payment.save()
    registration.payment_note = note.strip()[:200]
    payment_status_refresh(registration)
    registration.save(update_fields=["payment_note"])
    return payment


@transaction.atomic
def registration_refund(*, registration: Registration, note: str, user) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not note.strip():
        raise PaymentFileError(NOTE_REQUIRED)
    registration.payment_status = PaymentStatus.REFUNDED
    registration.payment_note = note.strip()[:200]
    registration.save(update_fields=["payment_status", "payment_note", "updated_at"])
    return registration
