"""Fees end to end: an admin changes a fee, a student registers and sees it, finance imports
the payment list, and the counselor's roster shows the student as paid."""

import io

import pytest
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from fees.models import FeeItem
from registration.loaders import demo_load
from registration.models import Registration
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "e2e-pass-123"


def sign_in(page, base: str, username: str, *, admin: bool = False) -> None:
    page.goto(f"{base}/admin/login/" if admin else f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form [type=submit]").click()


def payment_list(id_number: str, amount: str, charge_item: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["身份证号", "金额", "缴费日期", "收费项目"])
    sheet.append([id_number, float(amount), timezone.localdate(), charge_item])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_fee_change_registration_payment_import_and_roster(
    live_server, browser, phone_page, screenshot, tmp_path
):
    demo = demo_load(password=PASSWORD)
    base = live_server.url
    sophomores = next(c for c in demo["classes"] if "大二" in c.name and c.major.is_related)
    fee = FeeItem.objects.get(
        round=demo["exam_round"], level__code=3, candidate_type="student", kind="registration"
    )

    admin = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = admin.new_page()
    sign_in(page, base, "admin", admin=True)
    page.goto(f"{base}/admin/fees/feeitem/{fee.pk}/change/")
    page.locator("#id_amount").fill("330.00")
    page.locator("#id_change_reason").fill("物价局核定新标准")
    page.locator("input[name=_save]").click()
    expect(page.get_by_text("已有 0 份报名保留原报价")).to_be_visible()
    screenshot(page, "finance-01-admin-fee")
    admin.close()

    student = phone_page
    id_number = make_id_number(77, male=False)
    student.goto(f"{base}/r/{sophomores.code}/")
    student.get_by_label("姓名").fill("李小红")
    student.get_by_label("身份证号").fill(id_number)
    student.get_by_label("民族").select_option("回族")
    student.get_by_label("手机号").fill("13712345678")
    student.get_by_label("学号").fill("2024020304")
    student.get_by_label("三级/高级工").check()
    student.get_by_label("我同意").check()
    student.get_by_role("button", name="提交报名").click()
    expect(student.locator("#fee-total")).to_have_text("330.00 元")
    screenshot(student, "finance-02-student-new-fee")

    finance = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = finance.new_page()
    sign_in(page, base, "finance")
    page.goto(f"{base}/finance/")
    upload = tmp_path / "缴费名单.xlsx"
    upload.write_bytes(payment_list(id_number, "330.00", fee.charge_item_name))
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("#reconciliation")).to_contain_text("匹配，可入账")
    expect(page.locator("#reconciliation")).not_to_contain_text(id_number)
    screenshot(page, "finance-03-preview")
    page.get_by_role("button", name="确认入账").click()
    expect(page.get_by_text("已入账 1 笔缴费")).to_be_visible()
    finance.close()
    assert Registration.objects.get(id_number=id_number).payment_status == "paid"

    counselor = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = counselor.new_page()
    sign_in(page, base, "counselor")
    page.goto(f"{base}/counselor/classes/{sophomores.pk}/")
    row = page.locator("tr", has_text="李小红")
    expect(row).to_contain_text("已缴费")
    screenshot(page, "finance-04-roster-paid")
    counselor.close()
