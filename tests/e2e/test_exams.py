"""Exam day end to end on phones: a student downloads the published ticket, an invigilator scans
its QR with the phone camera (Chromium fed a fake camera made from the ticket PDF page)."""

import datetime as dt
import subprocess

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import INVIGILATOR_GROUP, roles_setup, user_role_add
from exams import services
from exams.models import CheckIn, DrawMethod, Invigilation, Room, Sitting, Subject
from tests.exams.conftest import seatable
from tests.factories import ExamRoundFactory, UserFactory, level

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "e2e-pass-123"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _y4m_from(image: Image.Image, path, frames: int = 5) -> None:
    """A raw YUV 4:2:0 video (what Chromium's fake camera reads) showing one still image."""
    frame = Image.new("RGB", (640, 480), "white")
    image.thumbnail((440, 440))
    frame.paste(image, ((640 - image.width) // 2, (480 - image.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (320, 240)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)


def _qr_crop(pdf: bytes, tmp_path) -> Image.Image:
    (tmp_path / "t.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-singlefile",
            "-png",
            str(tmp_path / "t.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    page = Image.open(tmp_path / "p.png").convert("RGB")
    (found,) = zxingcpp.read_barcodes(page)
    corners = [found.position.top_left, found.position.bottom_right]
    margin = 30
    return page.crop(
        (
            min(c.x for c in corners) - margin,
            min(c.y for c in corners) - margin,
            max(c.x for c in corners) + margin,
            max(c.y for c in corners) + margin,
        )
    )


def test_student_downloads_ticket_and_invigilator_scans_it(
    live_server, browser, browser_type, tmp_path
):
    roles_setup()
    exam_round = ExamRoundFactory(offered=[3])
    room = Room.objects.create(round=exam_round, building="实训楼", name="A101", capacity=30)
    sitting = Sitting.objects.create(
        round=exam_round,
        level=level(3),
        subject=Subject.THEORY,
        date=dt.date(2022, 6, 25),
        start_time=dt.time(9, 0),
        end_time=dt.time(10, 30),
    )
    sitting.rooms.set([room])
    student = seatable(exam_round, level(3), name="欧阳娜娜")
    for _ in range(3):
        seatable(exam_round, level(3))
    services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=7)
    services.plan_publish(round=exam_round)
    invigilator = UserFactory(username="jk-e2e", password=PASSWORD)
    user_role_add(user=invigilator, group_name=INVIGILATOR_GROUP)
    Invigilation.objects.create(sitting=sitting, room=room, invigilator=invigilator)
    base = live_server.url

    # The student, on a phone: private page -> ticket page -> PDF.
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/me/{student.pk}/{student.token}/")
    page.get_by_role("link", name="查看 / 下载准考证").click()
    expect(page.locator(".tk-number")).to_have_text(student.admission_ticket.number)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载准考证（PDF）").click()
    pdf = open(download_info.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF")
    assert errors == []
    context.close()

    # The invigilator, on a phone whose camera films the printed ticket.
    video = tmp_path / "ticket.y4m"
    _y4m_from(_qr_crop(pdf, tmp_path), video)
    camera_browser = browser_type.launch(
        executable_path="/usr/bin/chromium",
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
        context.grant_permissions(["camera"], origin=base)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/accounts/login/?next=/exams/check-in/")
        page.locator("#id_username").fill("jk-e2e")
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form [type=submit]").click()
        page.get_by_role("link", name="实训楼 A101").click()
        expect(page.locator("#roll-present")).to_have_text("0")
        page.locator("#scan-start").click()
        expect(page.locator("#checkin-result")).to_contain_text("欧阳娜娜", timeout=20000)
        expect(page.locator("#roll-present")).to_have_text("1")
        page.screenshot(path=str(tmp_path / "scanned.png"), full_page=True)
        assert errors == []
    finally:
        camera_browser.close()
    assert CheckIn.objects.get().seat.registration == student
