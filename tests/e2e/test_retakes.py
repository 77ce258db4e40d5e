"""Retake (补考) end to end in Chromium: 教务 offers the failed-subject candidates a retake in the
next round once the results are published; a student on a phone types ID number, name and the
phone of the earlier registration, sees the one subject with its fee and
charge item, and registers.

Screenshots of the two pages at phone and desktop width go to SHOTS_DIR for review.
"""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import ACADEMIC_GROUP, roles_setup, user_role_add
from registration.models import Registration
from results.models import ResultNotice
from tests.e2e.test_results import DESKTOP, PASSWORD, PHONE, context_for, shot
from tests.exams.conftest import seatable
from tests.factories import ExamRoundFactory, FeeItemFactory, UserFactory, level
from tests.results.world import results_world

pytestmark = pytest.mark.django_db(transaction=True)
CHARGE = "电子商务师三级补考费（操作技能）"


def test_failed_subject_student_registers_for_the_retake(live_server, browser):
    roles_setup()
    base = live_server.url
    source = ExamRoundFactory(offered=[3], slug="2025-1", title="2025年第一批")
    target = ExamRoundFactory(offered=[3], slug="2026-1", title="2026年第一批")
    FeeItemFactory(
        round=target,
        level=level(3),
        kind="retake_skill",
        amount=Decimal("150.00"),
        charge_item_name=CHARGE,
    )
    academic = UserFactory(username="jiaowu", first_name="教务处")
    academic.set_password(PASSWORD)
    academic.save()
    user_role_add(user=academic, group_name=ACADEMIC_GROUP)
    students = [seatable(source, level(3), name=f"学生{n}") for n in "甲乙丙丁戊"]
    results_world(round=source, registrations=students, academic=academic, password=PASSWORD)
    failed_skill = students[3]  # theory 90, skill 违纪
    # Offers are made from published results only (the world leaves one theory mismatch open,
    # which does not concern the skill candidate: the notice row is written directly).
    today = timezone.localdate()
    ResultNotice.objects.create(round=source, starts_on=today, ends_on=today, published_by=academic)

    context, page = context_for(browser, base, "jiaowu", viewport=DESKTOP)
    page.goto(f"{base}/results/retakes/?round={source.slug}")
    expect(page.locator("#retakes")).to_contain_text(failed_skill.name)
    page.locator("#id_target_round").select_option(str(target.pk))
    page.locator("#retake-offer-form [type=submit]").click()
    expect(page.locator("#retake-offers")).to_contain_text(failed_skill.name)
    shot(page, "retake-offer-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "retake-offer-phone")
    context.close()

    context, page = context_for(browser, base, None, viewport=PHONE)
    page.goto(f"{base}/retake/{target.slug}/")
    page.locator("#id_id_number").fill(failed_skill.id_number)
    page.locator("#id_name").fill("王五")
    page.locator("#id_phone").fill(failed_skill.phone)
    page.locator("#retake-find-submit").click()
    expect(page.locator("main")).to_contain_text("未找到")
    page.locator("#id_name").fill(failed_skill.name)
    page.locator("#retake-find-submit").click()
    expect(page.locator(".retake-subject")).to_have_text(["操作技能"])
    expect(page.locator(".retake-fee")).to_contain_text("150")
    expect(page.locator(".retake-charge-item")).to_contain_text(CHARGE)
    shot(page, "retake-signup-phone")
    page.locator("#retake-confirm").click()
    expect(page.locator("#fee-registration")).to_contain_text("150")
    expect(page.locator("#exam-types")).to_contain_text("操作技能补考")
    shot(page, "retake-registered-phone")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/retake/{target.slug}/")
    shot(page, "retake-signup-desktop")
    context.close()

    registration = Registration.objects.get(round=target, id_number=failed_skill.id_number)
    assert (registration.exam_type_theory, registration.exam_type_skill) == ("exempt", "retake")
    assert registration.quoted_total == Decimal("150.00")
