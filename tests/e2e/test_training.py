"""Attendance on a phone in real Chromium: a counselor marks a class, a student completes."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.roles import (
    ACADEMIC_GROUP,
    COUNSELOR_GROUP,
    TRAINER_GROUP,
    roles_setup,
    user_role_add,
)
from courses.models import TrainingCutoff
from registration.training.models import Attendance, TrainingEnrollment
from tests.factories import ExamRoundFactory, SchoolClassFactory, UserFactory
from tests.registration.training.conftest import (
    TrainingClassFactory,
    TrainingLessonFactory,
    conditional,
)

PASSWORD = "pass-word-123"
# Screenshots for the reviewer, outside the repository, when that folder exists.
SHOTS = Path("/work/wt/_shots/training")


@pytest.fixture
def training_world(db, live_server):
    roles_setup()
    today = timezone.localdate()
    exam_round = ExamRoundFactory(
        title="2022年电子商务师职业技能等级认定",
        registration_opens=today - dt.timedelta(days=6),
        registration_deadline=today + dt.timedelta(days=9),
    )
    counselor = UserFactory(username="wang", first_name="王老师")
    user_role_add(user=counselor, group_name=COUNSELOR_GROUP)
    trainer = UserFactory(username="zhang", first_name="张老师")
    user_role_add(user=trainer, group_name=TRAINER_GROUP)
    academic = UserFactory(username="jiaowu", first_name="教务处")
    user_role_add(user=academic, group_name=ACADEMIC_GROUP)
    training_class = TrainingClassFactory(
        round=exam_round, name="四级培训1班", required_hours=8, place="实训楼 305"
    )
    training_class.trainers.add(trainer)
    lessons = [
        TrainingLessonFactory(
            training_class=training_class,
            date=today - dt.timedelta(days=1),
            topic="电子商务平台运营",
        ),
        TrainingLessonFactory(training_class=training_class, date=today, topic="网店视觉设计"),
    ]
    own = SchoolClassFactory(name="电子商务2301班（大一）", counselor=counselor)
    other = SchoolClassFactory(name="市场营销2302班（大一）", counselor=UserFactory(username="li"))
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊"]
    students = [conditional(round=exam_round, school_class=own, name=n) for n in names]
    for i in range(3):
        conditional(round=exam_round, school_class=other, name=f"赵同学{i}")
    TrainingCutoff.objects.create(round=exam_round, cutoff_date=today + dt.timedelta(days=20))
    return {
        "exam_round": exam_round,
        "training_class": training_class,
        "lessons": lessons,
        "own": own,
        "students": students,
    }


def _login(page, base, username, path):
    page.goto(base + path)
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")


def _shoot(page, screenshot, name):
    path = screenshot(page, name)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / path.name)


@pytest.mark.django_db(transaction=True)
def test_counselor_takes_attendance_on_a_phone_and_a_student_completes(
    live_server, training_world, phone_page, desktop_page, screenshot
):
    base = live_server.url
    page = phone_page
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, base, "wang", "/training/")
    _shoot(page, screenshot, "training-home-phone")
    first, second = training_world["lessons"]
    page.click(f"a[href='/training/lessons/{first.pk}/']")
    _shoot(page, screenshot, "training-lesson-phone")
    assert page.locator("text=市场营销2302班").count() == 0  # not this counselor's class
    page.click("text=电子商务2301班（大一）")
    boxes = page.locator("input[name=present]")
    assert boxes.count() == 6
    assert all(boxes.nth(i).is_checked() for i in range(6))  # all present first
    # The sheet fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shoot(page, screenshot, "training-attendance-phone")
    page.click("label:has-text('王芳')")  # untick the one absent student
    page.click("button[type=submit]:has-text('保存点名')")
    page.wait_for_url(f"**/training/lessons/{first.pk}/")
    assert page.locator(".alert-success").inner_text().startswith("已保存")
    absent = Attendance.objects.get(lesson=first, enrollment__registration__name="王芳")
    assert absent.present is False
    assert Attendance.objects.filter(lesson=first, present=True).count() == 5

    # Second lesson: "全部缺勤" then tick two; "全部出勤" button works through the static script.
    page.goto(f"{base}/training/lessons/{second.pk}/classes/{training_world['own'].pk}/")
    page.click("button[data-tick-all=off]")
    assert not any(boxes.nth(i).is_checked() for i in range(6))
    page.click("button[data-tick-all=on]")
    page.click("button[type=submit]:has-text('保存点名')")
    page.wait_for_url(f"**/training/lessons/{second.pk}/")
    done = TrainingEnrollment.objects.filter(completed_on__isnull=False)
    assert done.count() == 5  # 王芳 has 4 of 8 hours

    student = training_world["students"][0]
    page.goto(f"{base}/me/{student.pk}/{student.token}/")
    assert "报考条件已满足" in page.locator("#training-status").inner_text()
    _shoot(page, screenshot, "training-student-met-phone")
    wang_fang = training_world["students"][1]
    page.goto(f"{base}/me/{wang_fang.pk}/{wang_fang.token}/")
    assert "有条件符合" in page.locator("#training-status").inner_text()
    _shoot(page, screenshot, "training-student-pending-phone")
    page.goto(f"{base}/counselor/classes/{training_world['own'].pk}/")
    _shoot(page, screenshot, "training-counselor-roster-phone")
    page.goto(f"{base}/training/classes/{training_world['training_class'].pk}/")
    _shoot(page, screenshot, "training-roster-phone")
    assert errors == []

    # Desktop: 教务 sees every student and records a completion by hand.
    desk = desktop_page
    _login(desk, base, "jiaowu", "/training/")
    _shoot(desk, screenshot, "training-home-desktop")
    desk.goto(f"{base}/training/lessons/{first.pk}/")
    _shoot(desk, screenshot, "training-lesson-desktop")
    desk.goto(f"{base}/training/lessons/{first.pk}/classes/{training_world['own'].pk}/")
    _shoot(desk, screenshot, "training-attendance-desktop")
    desk.goto(f"{base}/training/classes/{training_world['training_class'].pk}/")
    _shoot(desk, screenshot, "training-roster-desktop")
    desk.click("a:has-text('认定结业')")
    desk.click("button[type=submit]:has-text('认定结业')")
    assert "人工认定结业须填写理由" in desk.content()
    _shoot(desk, screenshot, "training-complete-desktop")
    desk.set_viewport_size({"width": 375, "height": 812})
    _shoot(desk, screenshot, "training-complete-phone")
    desk.set_viewport_size({"width": 1366, "height": 900})
    desk.fill("textarea[name=reason]", "已在校外完成同等学时培训并提交证明")
    desk.click("button[type=submit]:has-text('认定结业')")
    desk.wait_for_url("**/training/classes/*/")
    assert TrainingEnrollment.objects.filter(completion_method="manual").count() == 1
    desk.goto(f"{base}/me/{student.pk}/{student.token}/")
    _shoot(desk, screenshot, "training-student-met-desktop")
    desk.goto(f"{base}/counselor/classes/{training_world['own'].pk}/")
    _shoot(desk, screenshot, "training-counselor-roster-desktop")
