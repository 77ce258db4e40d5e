"""Accessibility of every page a student or staff member uses, checked by axe-core in Chromium.

axe-core (tests/e2e/vendor/axe.min.js, MPL-2.0) runs the WCAG 2.1 A and AA rules on each page of
PAGES, at phone and at desktop width, with data present and with errors shown. Any serious or
critical violation fails the test; all of them are listed, page by page, in the failure message.
The same pass checks what axe does not: no text under 12 px on a phone (SVG text measured at the
size it is drawn, after the chart is scaled to the screen) and no tappable input under 16 px (iOS
zooms into smaller ones).

A new page joins by adding one line to PAGES: its name, who is signed in, its URL (a format string
over the World fields below) and optionally an action run before the check (e.g. submit blank).
"""

import dataclasses
import datetime as dt
import io
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from openpyxl import Workbook
from PIL import Image

from courses.models import TrainingClass, TrainingLesson
from payments import imports as payments
from payments import ledger
from registration.loaders import demo_load
from registration.models import Registration
from registration.services.submission import (
    RegistrationInput,
    registration_cancel,
    registration_cancel_by_staff,
    registration_submit,
)
from registration.services.supplement import photo_return, photo_upload
from registration.training.services import training_assign
from tests.e2e.conftest import ARTIFACTS
from tests.idnumbers import make_id_number
from workspace.services.review import registration_confirm, registration_return

pytestmark = pytest.mark.django_db(transaction=True)

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
PASSWORD = "axe-pass-123"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
MIN_PHONE_TEXT_PX = 12
MIN_INPUT_PX = 16
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1366, "height": 900}}


@dataclasses.dataclass(frozen=True)
class World:
    """Ids and tokens the page URLs are built from."""

    class_code: str
    class_pk: int
    active_pk: int
    active_token: str
    returned_pk: int
    returned_token: str
    cancelled_pk: int
    cancelled_token: str
    paid_number: str
    paid_pk: int
    paid_token: str
    import_pk: int
    training_class_pk: int
    lesson_pk: int
    round_slug: str
    theory_pk: int
    skill_pk: int
    score_room_pk: int
    reviewed_score_pk: int
    score_import_pk: int


def submit(page) -> None:
    """Submit the page's main form as it is (blank or filled), to show its errors or result."""
    page.evaluate("document.querySelectorAll('form').forEach((f) => { f.noValidate = true; })")
    page.locator("main form [type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def open_menu(page) -> None:
    """Open the collapsed navigation (phones), so the menu's links are checked too."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#kwt-nav.show").wait_for()
        page.wait_for_timeout(400)  # let the collapse transition finish


def lookup_wrong(page) -> None:
    page.get_by_label("身份证号").fill(make_id_number(999))
    page.get_by_label("报名时填写的手机号").fill("13900000000")
    submit(page)


def bad_score(page) -> None:
    page.locator(".rs-points").first.fill("abc")
    submit(page)


@dataclasses.dataclass(frozen=True)
class Page:
    name: str
    user: str | None  # username signed in, None for a student
    url: str  # format string over World's fields
    action: Callable | None = None


# One line per page. Engineers adding pages: add a line here (and data to world_build if needed).
PAGES = [
    Page("home", None, "/"),
    Page("home-menu-open", None, "/", open_menu),
    Page("round-list", None, "/rounds/"),
    Page("self-check", None, "/eligibility/"),
    Page("self-check-result", None, "/eligibility/?candidate_type=student&school_class={class_pk}"),
    Page("register-pick", None, "/register/"),
    Page("register-social", None, "/register/social/"),
    Page("signup-blank", None, "/r/{class_code}/"),
    Page("signup-errors", None, "/r/{class_code}/", submit),
    Page("confirmation", None, "/me/{active_pk}/{active_token}/"),
    Page("confirmation-print", None, "/me/{active_pk}/{active_token}/?print=1"),
    Page("returned-detail", None, "/me/{returned_pk}/{returned_token}/"),
    Page("lookup", None, "/lookup/"),
    Page("lookup-not-found", None, "/lookup/", lookup_wrong),
    Page("edit", None, "/me/{active_pk}/{active_token}/edit/"),
    Page("cancel-confirm", None, "/me/{active_pk}/{active_token}/cancel/"),
    Page("supplement", None, "/me/{returned_pk}/{returned_token}/supplement/"),
    Page("supplement-errors", None, "/me/{active_pk}/{active_token}/supplement/", submit),
    Page("cancelled-detail", None, "/me/{cancelled_pk}/{cancelled_token}/"),
    Page("not-found", None, "/no-such-page/"),
    Page("login", None, "/accounts/login/"),
    Page("login-errors", None, "/accounts/login/", submit),
    Page("counselor-dashboard", "counselor", "/counselor/"),
    Page("counselor-dashboard-menu", "counselor", "/counselor/", open_menu),
    Page("roster", "counselor", "/counselor/classes/{class_pk}/"),
    Page("counselor-registration", "counselor", "/counselor/registrations/{returned_pk}/"),
    Page("poster", "counselor", "/counselor/classes/{class_pk}/poster/"),
    Page("password-change", "counselor", "/accounts/password/change/"),
    Page("academic-dashboard", "jiaowu", "/counselor/"),
    Page("finance-home", "finance", "/finance/"),
    Page("finance-import", "finance", "/finance/imports/{import_pk}/"),
    Page("finance-payment", "finance", "/finance/payments/?number={paid_number}"),
    Page("statistics", "jiaowu", "/stats/"),
    Page("class-list", "counselor", "/counselor/classes/{class_pk}/list/"),
    Page("training-home", "counselor", "/training/"),
    Page("training-roster", "jiaowu", "/training/classes/{training_class_pk}/"),
    Page("training-lesson", "counselor", "/training/lessons/{lesson_pk}/"),
    Page("training-attendance", "counselor", "/training/lessons/{lesson_pk}/classes/{class_pk}/"),
    Page("exam-plan", "jiaowu", "/exams/"),
    Page("results-entry-home", "kaoping1", "/results/entry/"),
    Page("results-entry", "kaoping1", "/results/entry/{theory_pk}/{score_room_pk}/"),
    Page(
        "results-entry-errors", "kaoping1", "/results/entry/{theory_pk}/{score_room_pk}/", bad_score
    ),
    Page("results-home", "jiaowu", "/results/?round={round_slug}"),
    Page("results-sitting-mismatch", "jiaowu", "/results/sittings/{theory_pk}/"),
    Page("results-sitting-reviewed", "jiaowu", "/results/sittings/{skill_pk}/"),
    Page("results-amend", "jiaowu", "/results/scores/{reviewed_score_pk}/amend/"),
    Page("results-amend-errors", "jiaowu", "/results/scores/{reviewed_score_pk}/amend/", submit),
    Page("results-import", "jiaowu", "/results/sittings/{theory_pk}/import/"),
    Page("results-import-preview", "jiaowu", "/results/imports/{score_import_pk}/"),
    Page("results-notice", None, "/results/notice/{round_slug}/"),
    Page("results-rates", "counselor", "/results/rates/?round={round_slug}"),
    Page("results-certificates", "jiaowu", "/results/certificates/?round={round_slug}"),
    Page("results-retakes", "jiaowu", "/results/retakes/?round={round_slug}"),
    Page("results-reviews", "jiaowu", "/results/reviews/?round={round_slug}"),
    Page("results-scorers", "jiaowu", "/results/scorers/?round={round_slug}"),
    Page("results-student", None, "/me/{paid_pk}/{paid_token}/"),
    Page("admin-index", "admin", "/admin/"),
]


def _payment_list(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["身份证号", "金额", "缴费日期", "收费项目"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def world_build() -> World:
    """A demo round with a class of students in every review and payment state."""
    demo = demo_load(password=PASSWORD)
    exam_round = demo["exam_round"]
    sophomores = next(c for c in demo["classes"] if "大二" in c.name and c.major.is_related)
    students = []
    for i in range(14):
        students.append(
            registration_submit(
                exam_round=exam_round,
                school_class=sophomores,
                data=RegistrationInput(
                    name="测试学生"
                    + "甲乙丙丁戊己庚辛壬癸"[i % 10]
                    + "子丑寅卯辰巳午未申酉戌亥"[i % 12],
                    id_number=make_id_number(500 + i, male=bool(i % 2)),
                    ethnicity="汉族",
                    phone=f"139{i:08d}",
                    level_code=3,
                    student_number=f"20240{i:05d}",
                ),
            )
        )
        students[-1].created_at = timezone.now() - dt.timedelta(days=i % 6)
        students[-1].save(update_fields=["created_at"])
    counselor, finance = demo["counselor"], demo["finance"]
    for registration in students[:5]:
        registration_confirm(registration=registration, reviewer=counselor)
    returned = registration_return(
        registration=students[5], reviewer=counselor, reason="学号填写有误，请核对后重新提交。"
    )
    registration_return(registration=students[6], reviewer=counselor, reason="请核对民族。")
    # A photo, returned: the counselor's page shows it, the student's 补充资料 says why.
    photo = io.BytesIO()
    Image.new("RGB", (600, 760), (235, 235, 240)).save(photo, "JPEG")
    photo_upload(registration=returned, data=photo.getvalue())
    photo_return(registration=returned, reviewer=counselor, reason="背景不是白色，请重新拍摄。")
    cancelled = registration_cancel(registration=students[13])
    for registration in students[:4]:
        item = registration.quoted_charge_items[0]
        ledger.payment_record(
            registration=registration,
            charge_item_name=item["name"],
            amount=Decimal(item["amount"]),
            paid_on=timezone.localdate(),
            note="现场缴费",
            user=finance,
        )
    cancelled_paid = registration_cancel_by_staff(registration=students[3])
    ledger.payment_refund(
        registration=cancelled_paid,
        amount=ledger.refundable(cancelled_paid),
        refunded_on=timezone.localdate(),
        note="因病退考",
        user=finance,
    )
    item = students[7].quoted_charge_items[0]
    content = _payment_list(
        [
            [students[7].id_number, float(item["amount"]), timezone.localdate(), item["name"]],
            [students[8].id_number, 1.0, timezone.localdate(), item["name"]],
            [make_id_number(990), 320.0, timezone.localdate(), item["name"]],
        ]
    )
    payment_import = payments.payment_import_preview(
        file_name="缴费名单.xlsx", content=content, user=finance
    )
    training_class = TrainingClass.objects.create(
        round=exam_round, level=students[0].level, name="三级培训1班", required_hours=8
    )
    lesson = TrainingLesson.objects.create(
        training_class=training_class,
        date=timezone.localdate(),
        start_time=dt.time(14, 0),
        end_time=dt.time(17, 30),
        hours=Decimal("4"),
        place="实训楼 305",
    )
    training_assign(registrations=students[:6], training_class=training_class)
    active = Registration.objects.get(pk=students[9].pk)
    return World(
        class_code=sophomores.code,
        class_pk=sophomores.pk,
        active_pk=active.pk,
        active_token=active.token,
        returned_pk=returned.pk,
        returned_token=returned.token,
        cancelled_pk=cancelled.pk,
        cancelled_token=cancelled.token,
        paid_number=students[0].number,
        paid_pk=students[0].pk,
        paid_token=students[0].token,
        import_pk=payment_import.pk,
        training_class_pk=training_class.pk,
        lesson_pk=lesson.pk,
        **_results_world(exam_round, students, demo),
    )


def _results_world(exam_round, students, demo) -> dict:
    """Scores of the demo round: a theory mismatch open, the skill sitting reviewed, a notice."""
    from results import imports
    from results.models import ResultNotice
    from tests.results.world import results_world

    academic = User.objects.get(username="jiaowu")
    world = results_world(
        round=exam_round, registrations=students[:6], academic=academic, password=PASSWORD
    )
    # Rendered for the checks only: the real publishing (services.notice_publish) waits for the
    # theory mismatch to be resolved, which this world keeps open to check the resolve forms.
    ResultNotice.objects.create(
        round=exam_round,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=7),
        published_by=academic,
    )
    workbook = Workbook()
    workbook.active.append(["准考证号", "成绩"])
    workbook.active.append(["0000", 60])
    workbook.active.append(["0001", "abc"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    score_import = imports.score_import_preview(
        sitting=world["theory"], file_name="成绩.xlsx", content=buffer.getvalue(), user=academic
    )
    return {
        "round_slug": exam_round.slug,
        "theory_pk": world["theory"].pk,
        "skill_pk": world["skill"].pk,
        "score_room_pk": world["room"].pk,
        "reviewed_score_pk": world["reviewed_score"].pk,
        "score_import_pk": score_import.pk,
    }


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


# Visible text smaller than a minimum, and visible text inputs smaller than 16 px.
SIZES_JS = """([minText, minInput]) => {
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 1 && rect.height > 1 && el.closest('.visually-hidden, [hidden]') === null;
  };
  const describe = (el) => {
    const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/) : [];
    const id = el.id ? '#' + el.id : '';
    return el.tagName.toLowerCase() + id + classes.map((c) => '.' + c).join('');
  };
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION'].includes(el.tagName)) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el.closest('svg')) {
      // SVG text scales with its box: measure the size it is drawn at on this screen.
      if (el.closest('title, desc, defs')) continue;
      const ctm = el.getScreenCTM ? el.getScreenCTM() : null;
      if (ctm) size = size * Math.hypot(ctm.a, ctm.b);
    }
    if (size < minText && visible(el)) {
      small.push(`${describe(el)} ${size}px "${text.slice(0, 20)}"`);
    }
  }
  const inputs = [];
  document.querySelectorAll('input, select, textarea').forEach((el) => {
    if (['hidden', 'checkbox', 'radio', 'submit', 'button', 'file'].includes(el.type)) return;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minInput && visible(el)) inputs.push(`${describe(el)}[name=${el.name}] ${size}px`);
  });
  return {small: [...new Set(small)], inputs};
}"""

AXE_RUN_JS = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary})),
  }));
}"""


def page_check(page, viewport: str) -> list[str]:
    """Run axe and the size checks on the loaded page; return readable problems."""
    # Evaluated through the DevTools protocol, which the page's strict CSP does not block (an
    # injected <script> would be): the pages are checked with their real CSP on.
    page.evaluate(AXE_SOURCE)
    problems = []
    for violation in page.evaluate(AXE_RUN_JS, WCAG_21_AA):
        if violation["impact"] not in BLOCKING:
            continue
        problems.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:8]:
            summary = " ".join(node["summary"].split())[:240]
            problems.append(f"      {node['target']}\n        {summary}")
        if len(violation["nodes"]) > 8:
            problems.append(f"      … and {len(violation['nodes']) - 8} more elements")
    sizes = page.evaluate(SIZES_JS, [MIN_PHONE_TEXT_PX if viewport == "phone" else 0, MIN_INPUT_PX])
    if sizes["small"]:
        problems.append(f"  text under {MIN_PHONE_TEXT_PX} px on a phone:")
        problems.extend(f"      {line}" for line in sizes["small"][:12])
    if sizes["inputs"]:
        problems.append(f"  inputs under {MIN_INPUT_PX} px (phones zoom when tapped):")
        problems.extend(f"      {line}" for line in sizes["inputs"])
    return problems


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_axe_no_serious_violation_on_any_page(live_server, browser, viewport):
    world = dataclasses.asdict(world_build())
    base = live_server.url
    shots = os.environ.get("AXE_SCREENSHOTS")
    contexts = {}
    report = []
    try:
        for spec in PAGES:
            if spec.user not in contexts:
                context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
                contexts[spec.user] = context.new_page()
                if spec.user:
                    sign_in(contexts[spec.user], base, spec.user)
            page = contexts[spec.user]
            page.goto(base + spec.url.format(**world))
            page.wait_for_load_state("networkidle")
            if spec.action:
                spec.action(page)
            if shots:
                folder = Path(shots) if shots != "1" else ARTIFACTS / "axe"
                folder.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(folder / f"{spec.name}-{viewport}.png"), full_page=True)
            problems = page_check(page, viewport)
            if problems:
                report.append(
                    f"{spec.name} ({spec.url}) at {viewport} width:\n" + "\n".join(problems)
                )
    finally:
        for page in contexts.values():
            page.context.close()
    assert not report, "Accessibility problems:\n\n" + "\n\n".join(report)
