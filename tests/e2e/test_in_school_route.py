"""A 大一 student on a phone: class link → 四级 有条件符合 → sign up → confirmation that says what
is still to do (the college's 四级 training)."""

import pytest
from playwright.sync_api import expect

from registration.loaders import demo_load
from registration.models import Registration
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_year_student_registers_for_level_4_conditionally(
    live_server, phone_page, screenshot
):
    demo = demo_load()
    freshmen = next(c for c in demo["classes"] if "大一" in c.name)
    page = phone_page
    id_number = make_id_number(41)

    page.goto(f"{live_server.url}/r/{freshmen.code}/")
    expect(page.get_by_role("heading", name="填写报名信息")).to_be_visible()
    rows = page.locator(".list-group-item")
    expect(rows.filter(has_text="四级/中级工")).to_contain_text("有条件符合")
    expect(rows.filter(has_text="四级/中级工")).to_contain_text(
        "您可以报名四级/中级工，但须在考试前完成本校四级培训并取得结业证书。"
    )
    expect(rows.filter(has_text="三级/高级工")).to_contain_text("需是大二或大三在校生（您是大一）")
    expect(page.locator("input[name=level][value='3']")).to_have_count(0)
    assert "L4-4" not in page.content() and "L3-S" not in page.content()

    page.get_by_label("姓名").fill("李小红")
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("民族").select_option("汉族")
    page.get_by_label("手机号").fill("13912345670")
    page.get_by_label("学号").fill("2025010101")
    expect(page.get_by_label("四级/中级工")).to_be_checked()  # the only level offered
    expect(page.locator("#eligibility-hint")).to_contain_text("有条件符合报考条件")
    expect(page.locator("#eligibility-hint")).to_contain_text("完成本校四级培训")
    page.get_by_label("我同意").check()
    screenshot(page, "in-school-01-form-first-year")
    page.get_by_role("button", name="提交报名").click()

    expect(page.get_by_text("报名成功")).to_be_visible()
    state = page.locator("#eligibility-state")
    expect(state).to_contain_text("有条件符合")
    expect(state).to_contain_text("需完成本校四级培训并取得结业证书")
    expect(page.locator("#fee-total")).to_have_text("260.00 元")
    expect(page.get_by_text("收费项目由学校财务处设置")).to_be_visible()
    registration = Registration.objects.get(id_number=id_number)
    assert registration.pending_requirement == "training"
    assert registration.matched_condition_code == "L4-4"
    assert "L4-4" not in page.content()
    screenshot(page, "in-school-02-confirmation")
