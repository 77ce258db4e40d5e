"""A student on a phone: class link → form → confirmation → lookup → edit → cancel."""

import pytest
from playwright.sync_api import expect

from registration.loaders import demo_load
from registration.models import Registration
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db(transaction=True)


def test_student_registers_looks_up_edits_and_cancels_on_a_phone(
    live_server, phone_page, screenshot
):
    demo = demo_load()
    sophomores = next(c for c in demo["classes"] if "大二" in c.name and c.major.is_related)
    page = phone_page
    id_number = make_id_number(31)

    page.goto(f"{live_server.url}/r/{sophomores.code}/")
    expect(page.get_by_role("heading", name="填写报名信息")).to_be_visible()
    page.get_by_label("姓名").fill("张小明")
    page.get_by_label("身份证号").fill(id_number.lower())
    expect(page.locator("#id-derived")).to_contain_text("性别 男")
    page.get_by_label("民族").select_option("汉族")
    page.get_by_label("手机号").fill("13912345678")
    page.get_by_label("学号").fill("2024010203")
    page.get_by_label("三级/高级工").check()
    expect(page.locator("#eligibility-hint")).to_contain_text("符合报考条件")
    page.get_by_label("我同意").check()
    screenshot(page, "student-01-form")
    page.get_by_role("button", name="提交报名").click()

    expect(page.get_by_text("报名成功")).to_be_visible()
    expect(page.locator("#fee-total")).to_have_text("320.00 元")
    expect(page.locator("#charge-items")).to_contain_text("电子商务师三级/高级工考试报名费")
    registration = Registration.objects.get(id_number=id_number)
    expect(page.locator("#registration-number")).to_have_text(registration.number)
    assert id_number not in page.content()
    screenshot(page, "student-02-confirmation")
    private_url = page.url

    page.goto(f"{live_server.url}/lookup/")
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("报名时填写的手机号").fill("13912345678")
    page.get_by_role("button", name="查询").click()
    assert page.url == private_url

    page.get_by_role("link", name="修改报名信息").click()
    page.get_by_label("姓名").fill("张晓明")
    screenshot(page, "student-03-edit")
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_text("报名信息已更新")).to_be_visible()
    expect(page.get_by_text("张晓明")).to_be_visible()

    page.get_by_role("link", name="取消报名").click()
    page.get_by_role("button", name="确认取消报名").click()
    expect(page.get_by_text("报名已取消", exact=False).first).to_be_visible()
    screenshot(page, "student-04-cancelled")
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert registration.name == "张晓明"
