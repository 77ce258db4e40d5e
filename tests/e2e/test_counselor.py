"""A counselor's day in real Chromium: sign in, dashboard, poster, export."""

import datetime as dt
import io
import re

import pytest
import zxingcpp
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from accounts.roles import COUNSELOR_GROUP, roles_setup, user_role_add
from tests.e2e.conftest import ARTIFACTS
from tests.factories import (
    ExamRoundFactory,
    MajorFactory,
    RegistrationFactory,
    SchoolClassFactory,
    UserFactory,
    level,
)
from tests.idnumbers import make_id_number

PASSWORD = "pass-word-123"


@pytest.fixture
def counselor_world(db, settings, live_server):
    settings.SITE_URL = live_server.url
    roles_setup()
    today = timezone.localdate()
    exam_round = ExamRoundFactory(
        title="电子商务师职业技能等级认定（测试批次）",
        registration_opens=today - dt.timedelta(days=6),
        registration_deadline=today + dt.timedelta(days=9),
    )
    counselor = UserFactory(username="wang", first_name="王老师")
    user_role_add(user=counselor, group_name=COUNSELOR_GROUP)
    classes = [
        SchoolClassFactory(name=name, major=MajorFactory(name=major), counselor=counselor)
        for name, major in [
            ("电子商务2班（大二）", "电子商务"),
            ("跨境电商1班（大三）", "跨境电商"),
        ]
    ]
    stranger = SchoolClassFactory(name="别人的班", counselor=UserFactory(username="li"))
    n = 0
    for school_class, count in ((classes[0], 12), (classes[1], 7), (stranger, 5)):
        for i in range(count):
            n += 1
            registration = RegistrationFactory(
                round=exam_round,
                school_class=school_class,
                level=level(3 if i % 3 else 4),
                id_number=make_id_number(n),
                review_status=["pending", "confirmed", "returned"][i % 3],
                payment_status="paid" if i % 2 else "unpaid",
            )
            registration.created_at = timezone.now() - dt.timedelta(days=i % 5)
            registration.save(update_fields=["created_at"])
    return {"exam_round": exam_round, "counselor": counselor, "classes": classes}


def _login(page, base):
    page.goto(base + "/counselor/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "wang")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/counselor/")


@pytest.mark.django_db(transaction=True)
def test_counselor_signs_in_opens_dashboard_poster_and_exports(
    live_server, counselor_world, phone_page, desktop_page, screenshot, tmp_path
):
    base = live_server.url
    first_class = counselor_world["classes"][0]
    for name, page in (("phone", phone_page), ("desktop", desktop_page)):
        errors = []
        page.on("console", lambda msg, errors=errors: errors.append(msg.text))
        _login(page, base)
        text = page.inner_text("main")
        assert "电子商务2班（大二）" in text and "跨境电商1班（大三）" in text
        assert "别人的班" not in text
        assert "19" in page.inner_text(".cw-totals")
        # Both charts are HTML bars with their values as text (no scaled-down SVG labels).
        assert page.locator(".cw-chart").count() == 2
        assert page.locator("main svg text").count() == 0
        rows = page.locator(".cw-hbar-row")
        assert rows.count() >= 2
        assert re.fullmatch(r"\d+/\d+", rows.first.locator(".kwt-hbar-value").inner_text())
        screenshot(page, f"counselor-dashboard-{name}")

        page.click(f"a[href='/counselor/classes/{first_class.pk}/']")
        page.wait_for_url(f"**/counselor/classes/{first_class.pk}/")
        assert page.locator("table.cw-roster tbody tr").count() == 12
        screenshot(page, f"counselor-roster-{name}")

        page.goto(f"{base}/counselor/classes/{first_class.pk}/poster/")
        qr_png = page.locator(".cw-poster-qr svg").screenshot()
        decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png)))]
        assert decoded == [f"{base}/r/{first_class.code}/"]
        screenshot(page, f"counselor-poster-{name}")
        assert errors == [], errors

    page = desktop_page
    page.goto(base + "/counselor/")
    with page.expect_download() as download_info:
        page.click("a:has-text('报名名单 (.xlsx)')")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert "全部班级" in download.suggested_filename
    target = tmp_path / "export.xlsx"
    download.save_as(target)
    wb = load_workbook(target)
    assert wb.sheetnames == ["汇总", "电子商务2班（大二）", "跨境电商1班（大三）"]
    total = list(wb["汇总"].iter_rows(values_only=True))[-1]
    assert total[0] == "合计" and total[4] == 19
    assert isinstance(wb["电子商务2班（大二）"]["E2"].value, str)


@pytest.mark.django_db(transaction=True)
def test_poster_prints_on_one_a4_page(live_server, counselor_world, desktop_page, tmp_path):
    page = desktop_page
    _login(page, live_server.url)
    first_class = counselor_world["classes"][0]
    page.goto(f"{live_server.url}/counselor/classes/{first_class.pk}/poster/")
    pdf = tmp_path / "poster.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    data = pdf.read_bytes()
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert pages == 1
    # A4 is 595 x 842 points
    assert b"/MediaBox [0 0 595" in data or b"/MediaBox [0 0 594" in data
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "counselor-poster-a4.pdf").write_bytes(data)
