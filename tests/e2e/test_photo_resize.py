"""The phone shrinks a large photo before uploading it (static/js/photo-resize.js, issue 24)."""

import datetime as dt

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.exams.conftest import seatable
from tests.factories import ExamRoundFactory, level

pytestmark = pytest.mark.django_db(transaction=True)


def _phone_jpeg_48mp(path) -> int:
    noise = Image.effect_noise((1600, 1200), 40).convert("L")
    image = Image.merge(
        "RGB", (noise, noise.rotate(90), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    ).resize((8000, 6000), Image.Resampling.BILINEAR)
    image.save(path, "JPEG", quality=85)
    return path.stat().st_size


def test_a_48_megapixel_photo_is_shrunk_in_the_browser_then_saved(live_server, browser, tmp_path):
    exam_round = ExamRoundFactory(offered=[3], supplement_deadline=dt.date(2099, 1, 1))
    student = seatable(exam_round, level(3), name="欧阳娜娜")
    photo = tmp_path / "IMG_4800.jpg"
    original = _phone_jpeg_48mp(photo)
    assert original > 10_000_000
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/me/{student.pk}/{student.token}/supplement/")
    expect(page.locator("#photo-limit")).to_contain_text("16 MB")
    page.locator("#id_photo").set_input_files(str(photo))
    expect(page.locator("#photo-resize-status")).to_contain_text("已在手机上压缩", timeout=60_000)
    sent = page.locator("#id_photo").evaluate("input => input.files[0].size")
    assert sent < 3_000_000 < original
    page.locator("#photo-submit").click()
    expect(page.locator("#current-photo")).to_be_visible()
    student.refresh_from_db()
    assert student.photo and student.photo_status == "submitted"
    assert errors == []
    context.close()
