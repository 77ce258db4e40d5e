"""Scores end to end in Chromium: two 考评员 enter one room on phones in separate browser
contexts, 教务 resolves the one mismatch, reviews and publishes the 公示; a student then sees
the pass on their private page and, later, the certificate number and the lookup address.

Screenshots of every results page at phone and desktop width go to shots/ (SHOTS_DIR) for review.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import ACADEMIC_GROUP, roles_setup, user_role_add
from results import certificates
from results.models import Certificate, Score, ScoreState
from tests.exams.conftest import seatable
from tests.factories import ExamRoundFactory, UserFactory, level
from tests.results.world import results_world

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "e2e-pass-123"
SHOTS = Path(os.environ.get("SHOTS_DIR", Path(__file__).resolve().parents[2] / "shots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}


def context_for(browser, base, username, viewport=PHONE):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    if username:
        page.goto(f"{base}/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main form [type=submit]").click()
        page.wait_for_load_state("networkidle")
    return context, page


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_double_entry_mismatch_publish_student_sees_pass_and_certificate(live_server, browser):
    roles_setup()
    base = live_server.url
    exam_round = ExamRoundFactory(offered=[3])
    academic = UserFactory(username="jiaowu", first_name="教务处")
    academic.set_password(PASSWORD)
    academic.save()
    user_role_add(user=academic, group_name=ACADEMIC_GROUP)
    students = [seatable(exam_round, level(3), name=f"学生{n}") for n in "甲乙丙丁戊"]
    world = results_world(
        round=exam_round, registrations=students, academic=academic, password=PASSWORD
    )
    theory, room = world["theory"], world["room"]
    # The world entered the theory scores already; re-enter one seat's typo through the phones.
    grid = f"{base}/results/entry/{theory.pk}/{room.pk}/"
    contexts = []
    pages = []
    for username in ("kaoping1", "kaoping2"):
        context, page = context_for(browser, base, username)
        contexts.append(context)
        page.goto(grid)
        pages.append(page)
    shot(pages[0], "results-entry-phone")
    # Both 考评员 change seat 1 at the same time to different values: a new mismatch.
    mismatch_seat = Score.objects.get(pk=world["mismatch"].pk).seat
    first_seat = theory.seats.get(number=1)
    for page, value in zip(pages, ("88", "87"), strict=True):
        page.locator(f"#points-{first_seat.pk}").fill(value)
    for page in pages:
        page.locator("#entry-form [type=submit]").click()
    for page in pages:
        expect(page.locator(".alert-success, .alert-info").first).to_be_visible()
    # A bad cell is refused with a Chinese message, and what was typed stays.
    pages[0].locator(f"#points-{first_seat.pk}").fill("abc")
    pages[0].locator("#entry-form [type=submit]").click()
    expect(pages[0].locator("#entry-errors")).to_contain_text("1 号：分数须为 0 到 100")
    shot(pages[0], "results-entry-error-phone")
    for context in contexts:
        context.close()

    context, page = context_for(browser, base, "jiaowu", DESKTOP)
    page.goto(f"{base}/results/sittings/{theory.pk}/")
    expect(page.locator("#mismatch-count")).to_have_text("2")
    shot(page, "results-sitting-mismatch-desktop")
    page.locator("#review-button").click()
    expect(page.locator(".alert-danger, .alert-warning").first).to_contain_text("不一致")
    for seat, value in ((first_seat, "88"), (mismatch_seat, "58")):
        score = Score.objects.get(seat=seat)
        page.locator(f"#p-{score.pk}").fill(value)
        page.locator(f"#p-{score.pk}").locator("xpath=ancestor::form").locator(
            "[type=submit]"
        ).click()
        page.wait_for_load_state("networkidle")
    expect(page.locator("#mismatch-count")).to_have_text("0")
    page.locator("#review-button").click()
    expect(page.locator("#reviewed")).to_be_visible()
    assert Score.objects.get(seat=first_seat).state == ScoreState.RESOLVED
    shot(page, "results-sitting-reviewed-desktop")
    page.goto(f"{base}/results/?round={exam_round.slug}")
    page.locator("#publish-notice").click()
    expect(page.locator("#notice-state")).to_contain_text("公示期")
    shot(page, "results-home-desktop")
    page.goto(f"{base}/results/rates/?round={exam_round.slug}")
    expect(page.locator("#total-rate")).to_contain_text("合格率")
    shot(page, "results-rates-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "results-rates-phone")
    context.close()

    # The public notice: masked names.
    context, page = context_for(browser, base, None)
    page.goto(f"{base}/results/notice/{exam_round.slug}/")
    expect(page.locator("#notice-table")).to_contain_text("学*")
    assert "学生甲" not in page.content()
    shot(page, "results-notice-phone")
    # The student: 学生甲 scored 88 and 78, a pass.
    passed = students[0]
    page.goto(f"{base}/me/{passed.pk}/{passed.token}/")
    expect(page.locator("#student-result")).to_have_text("合格")
    shot(page, "results-student-pass-phone")
    certificates.certificate_enter(
        registration=passed, number="S000123456789", issued_on=None, user=academic
    )
    page.reload()
    expect(page.locator("#student-certificate")).to_contain_text("S000123456789")
    expect(page.locator("#student-certificate")).to_contain_text("http://zscx.osta.org.cn")
    shot(page, "results-student-certificate-phone")
    context.close()

    context, page = context_for(browser, base, "jiaowu", DESKTOP)
    page.goto(f"{base}/results/certificates/?round={exam_round.slug}")
    certificate = Certificate.objects.get(registration=passed)
    page.locator(f"#cert-{certificate.pk}").check()
    page.locator("#collect-button").click()
    expect(page.locator("#certificates")).to_contain_text("教务处")
    shot(page, "results-certificates-desktop")
    context.close()
