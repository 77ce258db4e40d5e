"""Two students in two browser sessions on one cached class link; an expired page keeps input."""

import pytest
from playwright.sync_api import expect

from registration.loaders import demo_load
from registration.models import Registration
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def form_cache(settings):
    settings.FORM_FRAGMENT_CACHE_SECONDS = 60


def _fill(page, *, serial: int, name: str) -> None:
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号").fill(make_id_number(serial))
    page.get_by_label("民族").select_option("汉族")
    page.get_by_label("手机号").fill(f"139123400{serial:02d}")
    page.get_by_label("学号").fill(f"20240102{serial:02d}")
    page.get_by_label("三级/高级工").check()
    page.get_by_label("我同意").check()


def _sophomores():
    demo = demo_load()
    return next(c for c in demo["classes"] if "大二" in c.name and c.major.is_related)


def test_two_browser_sessions_on_one_class_link_both_register(live_server, browser, form_cache):
    sophomores = _sophomores()
    url = f"{live_server.url}/r/{sophomores.code}/"
    contexts = [browser.new_context(locale="zh-CN") for _ in range(2)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:  # both open the link before either submits, as in a classroom
            page.goto(url)
        for serial, page in enumerate(pages, start=41):
            _fill(page, serial=serial, name=f"王同学{'甲乙'[serial - 41]}")
            page.get_by_role("button", name="提交报名").click()
            expect(page.get_by_text("报名成功")).to_be_visible()
    finally:
        for context in contexts:
            context.close()
    assert Registration.objects.filter(school_class=sophomores).count() == 2


@pytest.mark.parametrize("viewport", [(375, 812), (1366, 900)], ids=["phone", "desktop"])
def test_expired_page_shows_the_form_again_with_what_was_typed(
    live_server, browser, form_cache, viewport, screenshot
):
    sophomores = _sophomores()
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/r/{sophomores.code}/")
        _fill(page, serial=43, name="李小红")
        context.clear_cookies()  # the CSRF cookie is gone, as after a browser clean-up
        page.get_by_role("button", name="提交报名").click()
        expect(page.locator("#csrf-expired")).to_contain_text("页面已过期")
        expect(page.get_by_label("姓名")).to_have_value("李小红")
        expect(page.get_by_label("身份证号")).to_have_value(make_id_number(43))
        expect(page.get_by_label("我同意")).to_be_checked()
        screenshot(page, f"csrf-expired-{viewport[0]}")
        assert not Registration.objects.exists()
        page.get_by_role("button", name="提交报名").click()
        expect(page.get_by_text("报名成功")).to_be_visible()
    finally:
        context.close()
    assert Registration.objects.filter(name="李小红").count() == 1


@pytest.mark.parametrize("viewport", [(375, 812), (1366, 900)], ids=["phone", "desktop"])
def test_expired_page_elsewhere_explains_in_chinese(live_server, browser, viewport, screenshot):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/lookup/")
        page.get_by_label("身份证号").fill(make_id_number(44))
        context.clear_cookies()
        page.get_by_role("button", name="查询").click()
        expect(page.get_by_role("heading", name="页面已过期")).to_be_visible()
        screenshot(page, f"csrf-generic-{viewport[0]}")
        page.get_by_role("link", name="重新打开此页面").click()
        expect(page.get_by_label("身份证号")).to_be_visible()
    finally:
        context.close()
