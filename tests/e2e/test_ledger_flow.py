"""The payment ledger end to end, in Chromium: partial payment → 部分缴费 → second payment →
已缴费 → cancellation by staff → 待退费 → refund → 已退费, with the counselor's roster, the
student's own page and /stats/ agreeing at every step."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from registration.loaders import demo_load
from registration.models import Registration
from tests.e2e.test_finance_flow import PASSWORD, sign_in
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/work/wt/_shots/money")


def shoot(page, name):
    """Phone and desktop shots of the same page for the reviewer (not committed)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", (375, 812)), ("desktop", (1366, 900))):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)


def test_partial_payment_to_refund_agrees_everywhere(live_server, browser):
    demo = demo_load(password=PASSWORD)
    base = live_server.url
    sophomores = next(c for c in demo["classes"] if "大二" in c.name and c.major.is_related)

    def context(width=1366, height=900):
        return browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")

    student = context(375, 812).new_page()
    id_number = make_id_number(88, male=True)
    student.goto(f"{base}/r/{sophomores.code}/")
    student.get_by_label("姓名").fill("王小明")
    student.get_by_label("身份证号").fill(id_number)
    student.get_by_label("民族").select_option("汉族")
    student.get_by_label("手机号").fill("13712345679")
    student.get_by_label("学号").fill("2024020399")
    student.get_by_label("三级/高级工").check()
    student.get_by_label("我同意").check()
    student.get_by_role("button", name="提交报名").click()
    expect(student.locator("#fee-total")).to_be_visible()
    own_page = student.url
    registration = Registration.objects.get(id_number=id_number)
    due = registration.quoted_total
    assert due > 100

    finance = context().new_page()
    sign_in(finance, base, "finance")
    counselor = context(375, 812).new_page()
    sign_in(counselor, base, "counselor")
    admin = context().new_page()
    sign_in(admin, base, "admin", admin=True)

    def agree(state: str, received: str, *, cancelled=False):
        roster = f"{base}/counselor/classes/{sophomores.pk}/"
        counselor.goto(roster + ("?cancelled=on" if cancelled else ""))
        expect(counselor.locator("tr", has_text="王小明")).to_contain_text(state)
        student.goto(own_page)
        expect(student.locator("#payment-status")).to_have_text(state)
        finance.goto(f"{base}/stats/?session={demo['exam_round'].slug}")
        expect(finance.locator("#stat-fees")).to_have_text(re.compile(rf"/ {received}$"))
        finance.goto(f"{base}/finance/payments/?number={registration.number}")
        expect(finance.locator("#payment-status")).to_have_text(state)

    def pay(amount: str, *, confirm: bool, note: str = ""):
        finance.goto(f"{base}/finance/payments/?number={registration.number}")
        form = finance.locator("#pay-form")
        form.get_by_label("金额（元）").fill(amount)
        form.get_by_label("备注").fill(note)
        if confirm:
            form.get_by_label("金额与应缴不符，确认登记").check()
        form.get_by_role("button", name="登记缴费").click()

    agree("未缴费", "0.00")

    pay("100.00", confirm=False)
    expect(finance.get_by_text("与该项目应缴 ")).to_be_visible()  # needs a confirmation and a note
    pay("100.00", confirm=True, note="先交一部分")
    expect(finance.get_by_text("已登记缴费")).to_be_visible()
    agree("部分缴费", "100.00")
    shoot(finance, "finance-payment-partial")

    pay(f"{due - 100:.2f}", confirm=False)
    expect(finance.get_by_text("已登记缴费")).to_be_visible()
    agree("已缴费", f"{due:.2f}")

    admin.goto(f"{base}/admin/registration/registration/")
    admin.locator(f"input[name=_selected_action][value='{registration.pk}']").check()
    admin.locator("select[name=action]").select_option("cancel_action")
    admin.locator("button[name=index]").click()
    expect(admin.get_by_text("已取消 1 份报名")).to_be_visible()
    agree("待退费", f"{due:.2f}", cancelled=True)
    expect(finance.locator("#cancelled-badge")).to_be_visible()
    shoot(finance, "finance-payment-refund-due")
    counselor.goto(f"{base}/counselor/classes/{sophomores.pk}/?cancelled=on")
    shoot(counselor, "roster-refund-due")
    finance.goto(f"{base}/stats/?session={demo['exam_round'].slug}")
    expect(finance.locator("#stat-refund-due")).to_contain_text(f"1 人 / {due:.2f} 元")
    shoot(finance, "stats-refund-due")

    finance.goto(f"{base}/finance/payments/?number={registration.number}")
    form = finance.locator("#refund-form")
    form.get_by_label("退费金额（元）").fill(f"{due + 1:.2f}")
    form.get_by_label("退费说明").fill("退考")
    form.get_by_role("button", name="登记退费").click()
    expect(finance.get_by_text("超过已收未退的")).to_be_visible()
    form = finance.locator("#refund-form")
    form.get_by_label("退费金额（元）").fill(f"{due:.2f}")
    form.get_by_label("退费说明").fill("退考")
    form.get_by_role("button", name="登记退费").click()
    expect(finance.get_by_text("已登记退费")).to_be_visible()
    agree("已退费", "0.00", cancelled=True)
    shoot(finance, "finance-payment-refunded")
    student.goto(own_page)
    shoot(student, "student-refunded")


def test_phone_roster_shows_review_and_payment_and_stats_labels_are_legible(live_server, browser):
    from tests.factories import RegistrationFactory

    demo = demo_load(password=PASSWORD)
    exam_round = demo["exam_round"]
    sophomores = next(c for c in demo["classes"] if "大二" in c.name and c.major.is_related)
    RegistrationFactory(
        round=exam_round,
        school_class=sophomores,
        level=exam_round.levels.get(code=3),
        name="欧阳娜娜娜",
        id_number=make_id_number(91),
        student_number="2024020391",
    )
    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = phone.new_page()
    sign_in(page, live_server.url, "counselor")
    page.goto(f"{live_server.url}/counselor/classes/{sophomores.pk}/")
    for heading in ("审核", "缴费"):
        box = page.locator("table.cw-roster th", has_text=heading).bounding_box()
        assert box["x"] + box["width"] <= 375, heading
    phone.close()

    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = phone.new_page()
    sign_in(page, live_server.url, "finance")
    page.goto(f"{live_server.url}/stats/?session={exam_round.slug}")
    label = page.locator(".kwt-hbar-label").first
    expect(label).to_have_text("三级/高级工")
    size = label.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 12
    phone.close()
