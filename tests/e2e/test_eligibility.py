"""The self-check page on a phone, in real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import MajorFactory, SchoolClassFactory


@pytest.mark.django_db(transaction=True)
def test_self_check_second_year_related_student_sees_level_3(
    live_server, phone_page, screenshot, announcement
):
    SchoolClassFactory(
        name="电子商务2001班",
        major=MajorFactory(name="电子商务", is_related=True),
        enrolment_year=2020,
    )
    page = phone_page
    page.goto(live_server.url + "/eligibility/")

    # JavaScript shows the student questions only.
    expect(page.locator("#elig-student")).to_be_visible()
    expect(page.locator("#elig-social")).to_be_hidden()
    screenshot(page, "eligibility-phone-form")

    page.get_by_label("班级").select_option(label="电子商务2001班")
    page.get_by_role("button", name="查看自测结果").click()

    level3 = page.locator('article[data-level="3"]')
    level4 = page.locator('article[data-level="4"]')
    expect(level3).to_have_attribute("data-eligible", "true")
    expect(level3.locator(".elig-verdict")).to_have_text("可以报考")
    expect(level3).not_to_contain_text("L3-S")  # codes are for staff, not students
    # The college's reading: 四级 on condition of its training (the old test expected a refusal).
    expect(level4).to_have_attribute("data-eligible", "true")
    expect(level4).to_have_attribute("data-pending", "training")
    expect(level4.locator(".elig-verdict")).to_have_text("有条件符合")
    expect(level4.locator(".elig-summary")).to_have_text(
        "您可以报名四级/中级工，但须在考试前完成本校四级培训并取得结业证书。"
    )
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "eligibility-phone-student-result")


@pytest.mark.django_db(transaction=True)
def test_self_check_social_questions_follow_the_answers(
    live_server, phone_page, screenshot, announcement
):
    page = phone_page
    page.goto(live_server.url + "/eligibility/")

    page.get_by_label("社会考生").check()
    expect(page.locator("#elig-student")).to_be_hidden()
    expect(page.locator("#elig-social")).to_be_visible()
    expect(page.locator("#elig-prior-details")).to_be_hidden()
    page.get_by_label("已取得的职业资格（技能等级）证书").select_option("5")
    expect(page.locator("#elig-prior-details")).to_be_visible()
    page.get_by_label("已取得的职业资格（技能等级）证书").select_option("")
    page.get_by_label("在本职业连续工作年限（年）").fill("3")
    page.get_by_role("button", name="查看自测结果").click()

    level4 = page.locator('article[data-level="4"]')
    expect(level4.locator(".elig-summary")).to_have_text(
        "由于疫情原因,上半年暂不组织社会人员的考试"
    )
    expect(level4).to_contain_text("在本职业连续工作3年以上。")  # the matched wording, folded
    expect(level4.locator(".elig-verdict")).to_have_text(re.compile("暂不能报考"))
    screenshot(page, "eligibility-phone-social-result")


@pytest.mark.django_db(transaction=True)
def test_self_check_works_without_javascript(live_server, browser, announcement):
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url + "/eligibility/")

    expect(page.locator("#elig-social")).to_be_visible()
    page.locator("#id_major").select_option(label="市场营销")
    page.locator("#id_grade").select_option("3")
    page.get_by_role("button", name="查看自测结果").click()

    expect(page.locator('article[data-level="4"]')).to_have_attribute("data-eligible", "true")
    expect(page.locator('article[data-level="3"]')).to_have_attribute("data-eligible", "true")
    context.close()
