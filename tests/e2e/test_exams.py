"""Exam day end to end on phones: a student downloads the published ticket, an invigilator scans
its QR with the phone camera (Chromium fed a fake camera made from the ticket PDF page)."""

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import INVIGILATOR_GROUP, roles_setup, user_role_add
from exams import services
from exams.models import CheckIn, DrawMethod, Invigilation, Room, Sitting, Subject
from registration.services.supplement import photo_upload
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
    photo = tmp_path / "photo.jpg"
    _phone_photo(photo)
    photo_upload(registration=student, data=photo.read_bytes())
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
        expect(page.locator("#checkin-photo")).to_be_visible()  # the photo for the visual check
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "checkin-scanned-phone.png"), full_page=True)
        assert errors == []
    finally:
        camera_browser.close()
    assert CheckIn.objects.get().seat.registration == student


SHOTS = Path(__file__).resolve().parents[2] / "shots"


def _phone_photo(path) -> None:
    """A phone-camera JPEG stored sideways with an EXIF 'rotate 90°' tag (red half on top once
    turned upright), as phones save portrait photos."""
    image = Image.new("RGB", (1600, 1200), (40, 90, 200))
    image.paste((220, 30, 30), (0, 0, 800, 1200))
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(path, "JPEG", exif=exif.tobytes(), quality=92)


def test_student_adds_photo_and_data_then_downloads_the_published_ticket(
    live_server, browser, tmp_path
):
    from pypdf import PdfReader

    from accounts.roles import ACADEMIC_GROUP

    roles_setup()
    exam_round = ExamRoundFactory(offered=[3], supplement_deadline=dt.date(2099, 1, 1))
    room = Room.objects.create(round=exam_round, building="实训楼", name="B201", capacity=10)
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
    seatable(exam_round, level(3))
    academic = UserFactory(username="jw-e2e", password=PASSWORD)
    user_role_add(user=academic, group_name=ACADEMIC_GROUP)
    base = live_server.url
    SHOTS.mkdir(exist_ok=True)
    errors = []

    # The student, on a phone: 补充资料 from the private page, photo from the "camera".
    student_context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = student_context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/me/{student.pk}/{student.token}/")
    expect(page.locator("#supplement-link")).to_contain_text("待补充")
    page.get_by_role("link", name="补充资料（证件照、文化程度、考试类型）").click()
    expect(page.locator("#supplement-missing")).to_contain_text("证件照")
    photo = tmp_path / "IMG_0001.jpg"
    _phone_photo(photo)
    page.locator("#id_photo").set_input_files(str(photo))
    expect(page.locator("#photo-preview")).to_be_visible()  # the crop preview, before upload
    page.screenshot(path=str(SHOTS / "supplement-preview-phone.png"), full_page=True)
    page.locator("#photo-submit").click()
    expect(page.locator("#current-photo")).to_be_visible()
    page.locator("#id_education").select_option(label="大学专科")
    page.locator("label", has_text="补考").last.click()  # 操作技能: 补考
    page.locator("#supplement-submit").click()
    expect(page.locator("#supplement-complete")).to_be_visible()
    page.screenshot(path=str(SHOTS / "supplement-done-phone.png"), full_page=True)
    student.refresh_from_db()
    assert (student.education, student.exam_type_skill) == ("college", "retake")
    assert student.photo and student.photo_status == "submitted"

    # 教务, at a desk in a separate session: draw the seats and publish.
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    staff = desk.new_page()
    staff.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    staff.goto(f"{base}/accounts/login/?next=/exams/%3Fround%3D{exam_round.slug}")
    staff.locator("#id_username").fill("jw-e2e")
    staff.locator("#id_password").fill(PASSWORD)
    staff.locator("form [type=submit]").click()
    staff.locator(f"a[href='/exams/sittings/{sitting.pk}/']").click()
    staff.get_by_role("button", name="排座").click()
    expect(staff.locator("body")).to_contain_text("已为 2 名考生安排座位")
    staff.goto(f"{base}/exams/?round={exam_round.slug}")
    staff.get_by_role("button", name="发布（锁定座位）").click()
    expect(staff.locator("body")).to_contain_text("考务安排已发布")
    desk.close()

    # The student again: the ticket is there, with the photo.
    page.goto(f"{base}/me/{student.pk}/{student.token}/")
    page.get_by_role("link", name="查看 / 下载准考证").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载准考证（PDF）").click()
    pdf = open(download_info.value.path(), "rb").read()
    (pdf_page,) = PdfReader(io.BytesIO(pdf)).pages
    assert "欧阳娜娜" in pdf_page.extract_text() and "B201" in pdf_page.extract_text()
    photos = [i.image.convert("RGB") for i in pdf_page.images if i.image.size == (358, 441)]
    assert len(photos) == 1
    top, bottom = photos[0].getpixel((179, 30)), photos[0].getpixel((179, 410))
    assert top[0] > 180 and top[2] < 80, top  # upright: the EXIF rotation was applied
    assert bottom[2] > 150 and bottom[0] < 80, bottom
    (tmp_path / "ticket.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-singlefile",
            "-png",
            str(tmp_path / "ticket.pdf"),
            str(SHOTS / "ticket-with-photo"),
        ],
        check=True,
    )
    assert errors == []
    student_context.close()


def test_typed_number_goes_to_the_manual_path_with_the_id_check(live_server, browser):
    """Issue 24: a typed number no longer checks in on the scan path. The page's script hands it
    to 手工签到, which shows the candidate and needs the 身份证 box ticked; marked 手工核验."""
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
    services.seats_assign(sitting=sitting, method=DrawMethod.BY_CLASS)
    services.plan_publish(round=exam_round)
    invigilator = UserFactory(username="jk-manual", password=PASSWORD)
    user_role_add(user=invigilator, group_name=INVIGILATOR_GROUP)
    Invigilation.objects.create(sitting=sitting, room=room, invigilator=invigilator)
    base = live_server.url
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/accounts/login/?next=/exams/check-in/{sitting.pk}/{room.pk}/")
    page.locator("#id_username").fill("jk-manual")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form [type=submit]").click()
    number = student.admission_ticket.number
    page.locator("#id_code").fill(number)
    page.locator("#checkin-form [type=submit]").click()
    expect(page.locator("#manual")).to_have_attribute("open", "")
    expect(page.locator("#id_query")).to_have_value(number)
    expect(page.locator("#scan-hint")).to_contain_text("这不是准考证二维码")
    assert not CheckIn.objects.exists()
    page.locator("#manual-find-form [type=submit]").click()
    expect(page.locator("#checkin-result")).to_contain_text("欧阳娜娜")
    page.locator("#manual-confirm-form [type=submit]").click()  # box not ticked: refused
    assert not CheckIn.objects.exists()
    page.locator("#id_id_checked").check()
    page.locator("#manual-confirm-form [type=submit]").click()
    expect(page.locator("#checkin-manual-badge")).to_be_visible()
    expect(page.locator("#roll-present")).to_have_text("1")
    assert CheckIn.objects.get().method == "manual"
    assert errors == []
    context.close()
