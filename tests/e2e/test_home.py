"""The home page in real Chromium: a phone first, then a desktop."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from registration.loaders import demo_load

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH, PHONE_HEIGHT = 375, 812


def console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    assert box is not None
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= PHONE_WIDTH
        and box["y"] + box["height"] <= PHONE_HEIGHT
    )


def test_home_on_a_phone_shows_deadline_and_fee_table(
    live_server, phone_page, announcement, screenshot
):
    errors = console_errors(phone_page)
    phone_page.goto(live_server.url + "/")

    # The deadline is on the first screen, without scrolling.
    deadline = phone_page.locator("#deadline")
    expect(deadline).to_be_visible()
    expect(deadline).to_have_text("报名截止：2022年5月20日（当天24:00前）")
    assert in_viewport(phone_page, deadline)

    # The fee table fits the phone's width once scrolled to, every figure readable.
    table = phone_page.locator("#fee-table")
    table.scroll_into_view_if_needed()
    expect(table).to_be_visible()
    assert in_viewport(phone_page, table)
    level4 = table.locator("tbody tr").nth(0)
    level3 = table.locator("tbody tr").nth(1)
    expect(level4).to_contain_text("四级/中级工")
    for figure in ["260", "免费", "800", "40学时", "300", "线上+线下集中1天学习"]:
        expect(level4).to_contain_text(figure)
    for figure in ["三级/高级工", "320", "免费", "1000", "60学时", "—"]:
        expect(level3).to_contain_text(figure)
    expect(level3).not_to_contain_text("未开设")

    screenshot(phone_page, "home-phone")
    assert errors == []


def test_home_on_a_phone_collapses_the_menu(live_server, phone_page, announcement):
    phone_page.goto(live_server.url + "/")
    lookup = phone_page.get_by_role("link", name="查询报名")
    expect(lookup).to_be_hidden()
    phone_page.get_by_role("button", name="展开导航").click()
    expect(lookup).to_be_visible()
    expect(phone_page.get_by_role("link", name="辅导员登录")).to_be_visible()


def test_home_on_a_desktop(live_server, desktop_page, announcement, screenshot):
    errors = console_errors(desktop_page)
    desktop_page.goto(live_server.url + "/")
    expect(desktop_page.get_by_role("link", name="查询报名")).to_be_visible()
    expect(desktop_page.locator("#fee-table")).to_be_visible()
    expect(desktop_page.locator("#deadline")).to_be_visible()
    screenshot(desktop_page, "home-desktop")
    assert errors == []


def test_home_countdown_ticks_in_the_browser(live_server, phone_page, screenshot):
    result = demo_load()
    deadline_ends_at = result["exam_round"].deadline_ends_at
    # The browser's clock says 2 days 3 hours 4 minutes before the deadline: the script, not the
    # server, produces these figures.
    phone_page.clock.set_fixed_time(deadline_ends_at - dt.timedelta(days=2, hours=3, minutes=4))
    errors = console_errors(phone_page)
    phone_page.goto(live_server.url + "/")
    expect(phone_page.locator("[data-countdown-days]")).to_have_text("2")
    expect(phone_page.locator("[data-countdown-hours]")).to_have_text("3")
    expect(phone_page.locator("[data-countdown-minutes]")).to_have_text("4")
    expect(phone_page.get_by_role("link", name="我要报名").first).to_be_visible()
    screenshot(phone_page, "home-phone-open")
    assert errors == []


def test_home_countdown_ends_in_the_browser(live_server, phone_page):
    result = demo_load()
    phone_page.clock.set_fixed_time(result["exam_round"].deadline_ends_at + dt.timedelta(seconds=1))
    phone_page.goto(live_server.url + "/")
    expect(phone_page.locator("[data-countdown]")).to_be_hidden()
    expect(phone_page.locator("[data-countdown-over]")).to_be_visible()
