import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from payments import imports as payments
from payments import ledger
from payments.imports import Outcome, PaymentFileError
from registration.ledger.models import Payment, PaymentImport
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

ITEM3 = "电子商务师三级/高级工考试报名费"
HEADER = ["身份证号", "金额", "缴费日期", "收费项目"]


def xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def registration(**kwargs):
    values = {"quoted_charge_items": [{"kind": "报名费", "name": ITEM3, "amount": "320.00"}]}
    values.update(kwargs)
    return RegistrationFactory(**values)


@pytest.fixture
def finance():
    return UserFactory(username="finance")


def test_reconcile_reports_every_outcome(finance):
    paid = registration()
    ledger.payment_record(
        registration=paid,
        charge_item_name=ITEM3,
        amount=Decimal("320.00"),
        paid_on=dt.date(2022, 5, 19),
        note="现场缴费",
        user=finance,
    )
    matched, mismatch, wrong_item, dup = (registration() for _ in range(4))
    day = dt.date(2022, 5, 19)
    content = xlsx(
        [
            [matched.id_number, 320, day, ITEM3],
            [mismatch.id_number, 300, day, ITEM3],
            [paid.id_number, 320, day, ITEM3],
            ["11010519491231002X", 320, day, ITEM3],
            [dup.number, "320.00", "2022-05-19", ITEM3],
            [dup.id_number.lower(), 320, day, ITEM3],
            [wrong_item.id_number, 320, day, "电子商务师四级/中级工考试报名费"],
        ]
    )
    results = payments.reconcile(payments.payment_file_parse(content))
    assert [r.outcome for r in results] == [
        Outcome.MATCHED,
        Outcome.AMOUNT_MISMATCH,
        Outcome.ALREADY_PAID,
        Outcome.UNKNOWN_PERSON,
        Outcome.MATCHED,
        Outcome.DUPLICATE_ROW,
        Outcome.WRONG_CHARGE_ITEM,
    ]
    assert results[1].expected == Decimal("320.00")
    assert results[0].person_masked.startswith("4201") and "*" in results[0].person_masked


def test_preview_writes_nothing_and_apply_is_idempotent(finance):
    first, second = registration(), registration()
    content = xlsx(
        [
            [first.id_number, 320, dt.date(2022, 5, 19), ITEM3],
            [second.id_number, 300, dt.date(2022, 5, 19), ITEM3],
        ]
    )
    preview = payments.payment_import_preview(file_name="缴费.xlsx", content=content, user=finance)
    assert not Payment.objects.exists()
    first.refresh_from_db()
    assert first.payment_status == "unpaid"

    assert payments.payment_import_apply(payment_import=preview, user=finance) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.payment_status == "paid"
    assert first.paid_amount == Decimal("320.00")
    assert first.paid_on == dt.date(2022, 5, 19)
    assert second.payment_status == "unpaid"

    with pytest.raises(PaymentFileError, match="不能重复入账"):
        payments.payment_import_apply(payment_import=preview, user=finance)

    again = payments.payment_import_preview(file_name="缴费.xlsx", content=content, user=finance)
    outcomes = [
        r.outcome
        for r in payments.reconcile([payments.PaymentRow.from_json(row) for row in again.rows])
    ]
    assert outcomes == [Outcome.ALREADY_PAID, Outcome.AMOUNT_MISMATCH]
    with pytest.raises(PaymentFileError, match="没有可入账"):
        payments.payment_import_apply(payment_import=again, user=finance)
    assert Payment.objects.count() == 1


def test_apply_books_money_for_a_registration_cancelled_since_the_preview_as_refund_due(finance):
    target = registration()
    content = xlsx([[target.id_number, 320, dt.date(2022, 5, 19), ITEM3]])
    preview = payments.payment_import_preview(file_name="a.xlsx", content=content, user=finance)
    target.status = "cancelled"
    target.save()
    [result] = payments.reconcile([payments.PaymentRow.from_json(r) for r in preview.rows])
    assert result.outcome == Outcome.CANCELLED
    assert result.label == "报名已取消：入账后待退费"
    assert payments.payment_import_apply(payment_import=preview, user=finance) == 1
    target.refresh_from_db()
    assert target.payment_status == "refund_due"
    assert target.get_payment_status_display() == "待退费"


def _formula_file() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["11010519491231002X", "=300+20", "2022-05-19", ITEM3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a spreadsheet at all", "不是有效的 Excel"),
        (b"PK\x03\x04garbage", "不是有效的 Excel"),
        (xlsx([["1", 320, "2022-05-19"]], header=["身份证号", "金额", "缴费日期"]), "收费项目"),
        (xlsx([[320, "2022-05-19", ITEM3]], header=["金额", "缴费日期", "收费项目"]), "身份证号"),
        (xlsx([["11010519491231002X", "三百", "2022-05-19", ITEM3]]), "不是有效的金额"),
        (xlsx([["11010519491231002X", -5, "2022-05-19", ITEM3]]), "须大于 0"),
        (xlsx([["11010519491231002X", 320.001, "2022-05-19", ITEM3]]), "不是有效的金额"),
        (xlsx([["11010519491231002X", 320, "下周一", ITEM3]]), "不是有效日期"),
        (xlsx([]), "没有缴费记录"),
        (_formula_file(), "是公式"),
        (b"x" * (payments.MAX_UPLOAD_BYTES + 1), "文件过大"),
    ],
)
def test_malformed_files_are_rejected_and_nothing_is_written(finance, content, message):
    with pytest.raises(PaymentFileError, match=message):
        payments.payment_file_parse(content)
    try:
        payments.payment_import_preview(file_name="bad.xlsx", content=content, user=finance)
    except PaymentFileError:
        pass
    else:  # a file with only bad rows is kept with its problems listed, nothing booked
        assert PaymentImport.objects.get().problems[0]["message"]
    assert not Payment.objects.exists()


def test_too_many_rows_is_rejected(finance, monkeypatch):
    monkeypatch.setattr(payments, "MAX_ROWS", 3)
    rows = [["11010519491231002X", 320, "2022-05-19", ITEM3]] * 4
    with pytest.raises(PaymentFileError, match="超过3行"):
        payments.payment_file_parse(xlsx(rows))


def test_manual_payment_needs_a_known_item(finance):
    target = registration()
    with pytest.raises(ledger.LedgerError, match="没有名为"):
        ledger.payment_record(
            registration=target,
            charge_item_name="别的项目",
            amount=Decimal("320"),
            paid_on=dt.date(2022, 5, 19),
            note="现金",
            user=finance,
        )
    assert not Payment.objects.exists()


def test_a_renamed_charge_item_still_matches_and_cannot_be_paid_twice(finance):
    from fees.models import FeeItem
    from tests.factories import FeeItemFactory

    item = FeeItemFactory(charge_item_name=ITEM3, amount=Decimal("320.00"))
    target = registration(
        quoted_charge_items=[
            {"kind": "报名费", "name": ITEM3, "amount": "320.00", "fee_item_id": item.pk}
        ]
    )
    FeeItem.objects.filter(pk=item.pk).update(charge_item_name="2022电子商务师三级报名费")
    renamed = xlsx([[target.id_number, 320, dt.date(2022, 5, 19), "2022电子商务师三级报名费"]])
    preview = payments.payment_import_preview(file_name="a.xlsx", content=renamed, user=finance)
    assert payments.payment_import_apply(payment_import=preview, user=finance) == 1
    assert Payment.objects.get().charge_item_name == ITEM3  # stored under the quoted name

    old_name = xlsx([[target.id_number, 320, dt.date(2022, 5, 19), ITEM3]])
    [result] = payments.reconcile(payments.payment_file_parse(old_name))
    assert result.outcome == Outcome.ALREADY_PAID
    another_day = xlsx([[target.id_number, 320, dt.date(2022, 5, 20), ITEM3]])
    [result] = payments.reconcile(payments.payment_file_parse(another_day))
    assert result.outcome == Outcome.AMOUNT_MISMATCH  # a second 320 would be an overpayment
    assert result.expected == Decimal("0.00")


def _reconciled(payment_import):
    rows = [payments.PaymentRow.from_json(row) for row in payment_import.rows]
    return [result.outcome for result in payments.reconcile(rows)]


def test_identical_payments_are_counted_not_collapsed(finance):
    """Two real payments of the same amount on the same day stay two: the second is never shown as
    already booked because the first is, and finance may book it as a real second payment."""
    target = registration()
    day = dt.date(2022, 5, 19)
    first_list = xlsx([[target.id_number, 160, day, ITEM3]])
    first = payments.payment_import_preview(file_name="a.xlsx", content=first_list, user=finance)
    assert (
        payments.payment_import_apply(payment_import=first, user=finance, include_mismatched=True)
        == 1
    )

    # A later list holds that payment and a second, identical one.
    later_list = xlsx([[target.id_number, 160, day, ITEM3], [target.id_number, 160, day, ITEM3]])
    later = payments.payment_import_preview(file_name="b.xlsx", content=later_list, user=finance)
    assert _reconciled(later) == [Outcome.ALREADY_PAID, Outcome.DUPLICATE_ROW]
    # Without finance's say-so the duplicate is not booked.
    with pytest.raises(PaymentFileError, match="没有可入账"):
        payments.payment_import_apply(payment_import=later, user=finance)
    assert Payment.objects.filter(registration=target).count() == 1

    later = payments.payment_import_preview(file_name="b.xlsx", content=later_list, user=finance)
    assert (
        payments.payment_import_apply(payment_import=later, user=finance, include_duplicates=True)
        == 1
    )
    target.refresh_from_db()
    assert target.paid_amount == Decimal("320.00")
    assert target.payment_status == "paid"

    # Both identical payments are now in the ledger: the same list again books nothing.
    again = payments.payment_import_preview(file_name="b.xlsx", content=later_list, user=finance)
    assert _reconciled(again) == [Outcome.ALREADY_PAID, Outcome.ALREADY_PAID]
    assert Payment.objects.filter(registration=target).count() == 2


def test_a_passport_number_in_a_payment_list_is_masked(finance):
    target = registration(id_type="passport", id_number="E12345678")
    content = xlsx(
        [
            ["E12345678", 320, dt.date(2022, 5, 19), ITEM3],
            [target.number, 320, dt.date(2022, 5, 20), ITEM3],
        ]
    )
    results = payments.reconcile(payments.payment_file_parse(content))
    assert results[0].person_masked == "E123*5678"
    assert results[1].person_masked == target.number
