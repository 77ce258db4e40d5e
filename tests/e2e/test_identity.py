"""Class lists and identity in real Chromium: a counselor imports a list, a student must match it,
a cancelled registration tells the truth. Screenshots go to artifacts/screenshots/."""

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from registration.loaders import demo_load
from registration.models import ClassListEntry, Registration
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "kaowutong-demo"


def _list_file(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["学号", "姓名", "身份证号"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sophomores(demo):
    return next(c for c in demo["classes"] if "大二" in c.name and c.major.is_related)


@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_counselor_imports_a_class_list_and_sees_who_has_not_signed_up(
    live_server, request, screenshot, page_fixture
):
    page = request.getfixturevalue(page_fixture)
    demo = demo_load()
    school_class = _sophomores(demo)
    page.goto(f"{live_server.url}/counselor/")
    page.fill("input[name=username]", "counselor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/counselor/")
    expect(page.locator("#unlisted-warning")).to_be_visible()
    screenshot(page, f"identity-dashboard-warning-{page_fixture}")

    page.goto(f"{live_server.url}/counselor/classes/{school_class.pk}/list/")
    expect(page.locator("#no-list-warning")).to_be_visible()
    rows = [
        ["2024010201", "张小明", make_id_number(31)],
        ["2024010202", "买买提·艾力", make_id_number(32)],
        ["2024010203", "王𠀀", make_id_number(33)],
        ["2024010204", "李四123", make_id_number(34)],
        ["2024010205", "赵六", "420106200203140030"],
    ]
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "电商班名单.xlsx", "mimeType": "application/octet-stream",
                "buffer": _list_file(rows)}],
    )  # fmt: skip
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_role("heading", name="班级名单预览：电商班名单.xlsx")).to_be_visible()
    expect(page.locator("#preview")).to_contain_text("姓名中不能含有数字")
    expect(page.locator("#preview")).to_contain_text("校验位不正确")
    screenshot(page, f"identity-classlist-preview-{page_fixture}")
    page.locator("#apply").click()
    expect(page.get_by_text("班级名单已导入：新增或更新 3 人。")).to_be_visible()
    expect(page.locator("#not-signed-up")).to_contain_text("买买提·艾力")
    expect(page.locator("#list-counts")).to_contain_text("名单共 3 人，其中 3 人尚未报名")
    screenshot(page, f"identity-classlist-missing-{page_fixture}")
    assert ClassListEntry.objects.filter(school_class=school_class).count() == 3


def test_student_must_match_the_list_and_a_cancelled_registration_shows_no_fee(
    live_server, phone_page, screenshot
):
    demo = demo_load()
    school_class = _sophomores(demo)
    ClassListEntry.objects.create(
        school_class=school_class,
        student_number="2024010203",
        name="买买提·艾力",
        id_number=make_id_number(31),
    )
    page = phone_page
    page.goto(f"{live_server.url}/r/{school_class.code}/")
    page.get_by_label("姓名").fill("=1+1")
    page.get_by_label("身份证号").fill(make_id_number(31))
    page.get_by_label("民族").select_option("维吾尔族")
    page.get_by_label("手机号").fill("13912345678")
    page.get_by_label("学号").fill("2024010203")
    page.get_by_label("三级/高级工").check()
    page.get_by_label("我同意").check()
    page.get_by_role("button", name="提交报名").click()
    expect(page.locator("#error_1_id_name")).to_contain_text("姓名不能以 = + - @ 等符号开头")
    screenshot(page, "identity-signup-name-refused-phone")

    page.get_by_label("姓名").fill("买买提艾力")  # the dot left out: not the name on the list
    page.get_by_label("身份证号").fill(
        make_id_number(31).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    )
    page.get_by_label("民族").select_option("维吾尔族")
    page.get_by_label("手机号").fill("１３９１２３４５６７８")
    page.get_by_label("学号").fill("2024010203")
    page.get_by_label("三级/高级工").check()
    page.get_by_label("我同意").check()
    page.get_by_role("button", name="提交报名").click()
    expect(page.locator("#error_1_id_name")).to_contain_text("姓名与班级名单中该学号的姓名不一致")
    screenshot(page, "identity-signup-list-mismatch-phone")
    assert not Registration.objects.exists()

    page.get_by_label("姓名").fill("买买提・艾力")  # a katakana dot, as some keyboards type it
    page.get_by_label("我同意").check()
    page.get_by_role("button", name="提交报名").click()
    expect(page.get_by_text("报名成功")).to_be_visible()
    registration = Registration.objects.get()
    assert (registration.name, registration.id_number, registration.phone) == (
        "买买提·艾力",
        make_id_number(31),
        "13912345678",
    )

    page.get_by_role("link", name="取消报名").click()
    page.get_by_role("button", name="确认取消报名").click()
    expect(page.locator("#cancelled-note")).to_contain_text("本报名已取消，无需缴费")
    expect(page.locator("#reregister")).to_be_visible()
    assert page.locator("#fee-total").count() == 0
    screenshot(page, "identity-cancelled-phone")
    page.locator("#reregister").click()
    expect(page.get_by_role("heading", name="填写报名信息")).to_be_visible()
