import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import FINANCE_GROUP, user_role_add
from courses.models import TrainingCutoff
from registration.training.models import Attendance, TrainingEnrollment
from tests.factories import RegistrationFactory, SchoolClassFactory, UserFactory, level
from tests.registration.training.conftest import TrainingClassFactory
from tests.workspace.xlsx_helpers import workbook_from


def _sheet_url(lesson, school_class):
    return reverse("courses:attendance", args=[lesson.pk, school_class.pk])


def _post_sheet(client, lesson, school_class, students, absent=()):
    data = {
        "enrollment": [r.training_enrollment.pk for r in students],
        "present": [r.training_enrollment.pk for r in students if r not in absent],
    }
    return client.post(_sheet_url(lesson, school_class), data)


def _present(lesson):
    return set(
        Attendance.objects.filter(lesson=lesson, present=True).values_list(
            "enrollment__registration__name", flat=True
        )
    )


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def test_counselor_takes_attendance_for_own_class(world, counselor):
    lesson, own = world["lessons"][0], world["own"]
    client = _login(counselor)
    page = client.get(_sheet_url(lesson, own))
    assert page.status_code == 200
    html = page.content.decode()
    assert "王同学0" in html and "李同学0" not in html
    assert html.count('name="present"') == 3 and html.count(" checked") == 3  # all present first
    students = world["own_students"]
    response = _post_sheet(client, lesson, own, students, absent=[students[1]])
    assert response.status_code == 302
    assert _present(lesson) == {"王同学0", "王同学2"}
    assert Attendance.objects.get(enrollment__registration=students[1]).marked_by == counselor
    # Reopened, the sheet shows the saved marks, not the default.
    assert _login(counselor).get(_sheet_url(lesson, own)).content.decode().count(" checked") == 2


def test_another_counselor_cannot_take_attendance_for_a_class_not_theirs(world, other_counselor):
    lesson, own = world["lessons"][0], world["own"]
    client = _login(other_counselor)
    assert client.get(_sheet_url(lesson, own)).status_code == 404
    assert _post_sheet(client, lesson, own, world["own_students"]).status_code == 404
    assert not Attendance.objects.exists()
    # Their lesson page lists only their own class.
    html = client.get(reverse("courses:lesson", args=[lesson.pk])).content.decode()
    assert "市场营销1班" in html and "电子商务2班" not in html


def test_two_staff_marking_one_lesson_at_once_lose_no_marks(world, counselor, trainer):
    lesson, own, theirs = world["lessons"][0], world["own"], world["theirs"]
    first, second = _login(counselor), _login(trainer)
    # Both open their sheet before either saves.
    assert first.get(_sheet_url(lesson, own)).status_code == 200
    assert second.get(_sheet_url(lesson, theirs)).status_code == 200
    assert second.get(_sheet_url(lesson, own)).status_code == 200
    _post_sheet(first, lesson, own, world["own_students"], absent=[world["own_students"][2]])
    _post_sheet(second, lesson, theirs, world["their_students"])
    assert _present(lesson) == {"王同学0", "王同学1", "李同学0", "李同学1"}
    assert Attendance.objects.filter(lesson=lesson).count() == 5


def test_post_with_garbage_saves_nothing_and_says_so(world, counselor):
    lesson, own = world["lessons"][0], world["own"]
    client = _login(counselor)
    response = client.post(_sheet_url(lesson, own), {"enrollment": ["x"]}, follow=True)
    assert "提交的数据无效" in response.content.decode()
    other = world["their_students"][0].training_enrollment.pk
    response = client.post(
        _sheet_url(lesson, own), {"enrollment": [other], "present": [other]}, follow=True
    )
    assert "本次点名未保存" in response.content.decode()
    assert not Attendance.objects.exists()


def test_student_reaches_completion_and_the_verdict_turns_met_everywhere(world, counselor):
    student = world["own_students"][0]
    detail = reverse("registration:registration_detail", args=[student.pk, student.token])
    html = Client().get(detail).content.decode()
    assert "有条件符合" in html and "已出勤 <strong>0</strong> / 8 学时" in html
    client = _login(counselor)
    for lesson in world["lessons"]:
        _post_sheet(client, lesson, world["own"], world["own_students"])
    html = Client().get(detail).content.decode()
    assert "报考条件已满足" in html and "有条件符合" not in html
    roster = client.get(reverse("registration:counselor_class", args=[world["own"].pk]))
    assert roster.content.decode().count("已结业") == 3
    ws = workbook_from(
        client.get(reverse("registration:counselor_class_export", args=[world["own"].pk]))
    )[world["own"].name]
    header = [c.value for c in ws[1]]
    requirement = header.index("培训要求") + 1
    completed = header.index("已结业") + 1
    assert {ws.cell(row=r, column=requirement).value for r in (2, 3, 4)} == {"已满足（已结业）"}
    assert ws.cell(row=2, column=completed).value.date() == world["lessons"][1].date


def test_export_shows_conditional_before_completion(world, counselor):
    client = _login(counselor)
    ws = workbook_from(
        client.get(reverse("registration:counselor_class_export", args=[world["own"].pk]))
    )[world["own"].name]
    header = [c.value for c in ws[1]]
    assert (
        ws.cell(row=2, column=header.index("培训要求") + 1).value == "有条件符合：需完成培训并结业"
    )
    assert ws.cell(row=2, column=header.index("培训进度") + 1).value == "培训中 0/8学时"


def test_manual_completion_page_needs_a_reason(world, trainer, counselor):
    enrollment = world["own_students"][0].training_enrollment
    url = reverse("courses:complete", args=[enrollment.pk])
    assert _login(counselor).get(url).status_code == 404
    client = _login(trainer)
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "人工认定结业须填写理由" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.completed_on is None
    response = client.post(url, {"reason": "已取得校外培训结业证书"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.completion_method == "manual" and enrollment.completed_by == trainer


def test_pending_students_are_flagged_after_the_cutoff(world, academic, counselor):
    TrainingCutoff.objects.create(
        round=world["exam_round"], cutoff_date=timezone.localdate() - dt.timedelta(days=1)
    )
    roster = _login(academic).get(reverse("courses:roster", args=[world["training_class"].pk]))
    assert roster.content.decode().count("逾期未结业") == 5
    page = _login(counselor).get(reverse("registration:counselor_class", args=[world["own"].pk]))
    assert page.content.decode().count("逾期未结业") == 3
    student = world["own_students"][0]
    html = (
        Client()
        .get(reverse("registration:registration_detail", args=[student.pk, student.token]))
        .content.decode()
    )
    assert "将不参加本次考试编排" in html


def test_academic_assigns_unassigned_students_and_moves_them(world, academic, counselor):
    training_class = world["training_class"]
    late = RegistrationFactory(
        round=world["exam_round"],
        level=level(4),
        pending_requirement="training",
        school_class=world["own"],
    )
    client = _login(academic)
    roster = client.get(reverse("courses:roster", args=[training_class.pk])).content.decode()
    assert "1 名需培训的学员未分培训班" in roster
    client.post(reverse("courses:assign", args=[training_class.pk]), {"action": "unassigned"})
    assert TrainingEnrollment.objects.get(registration=late).training_class == training_class
    second = TrainingClassFactory(round=world["exam_round"], name="四级培训2班")
    client.post(
        reverse("courses:assign", args=[training_class.pk]),
        {"action": "move", "target": second.pk, "registration": [late.pk]},
    )
    assert TrainingEnrollment.objects.get(registration=late).training_class == second
    # Counselors cannot assign.
    response = _login(counselor).post(
        reverse("courses:assign", args=[second.pk]), {"action": "unassigned"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "finance", "nobody"])
def test_training_pages_refuse_those_without_the_role(world, who):
    client = Client()
    if who != "anonymous":
        user = UserFactory(username=who)
        if who == "finance":
            user_role_add(user=user, group_name=FINANCE_GROUP)
        client.force_login(user)
    response = client.get(reverse("courses:home"))
    assert response.status_code == (302 if who == "anonymous" else 403)


def test_training_home_lists_classes_and_lessons(world, trainer, counselor, other_counselor):
    html = _login(trainer).get(reverse("courses:home")).content.decode()
    assert "四级培训1班" in html and html.count(reverse("courses:lesson", args=[1])[:-2]) >= 2
    stranger = UserFactory(username="zhao")
    user_role_add(user=stranger, group_name="辅导员")
    SchoolClassFactory(counselor=stranger)
    html = _login(stranger).get(reverse("courses:home")).content.decode()
    assert "四级培训1班" not in html


def test_admin_pages_of_training_open(world, admin_client):
    for name in [
        "courses_trainingclass",
        "courses_traininglesson",
        "registration_trainingenrollment",
        "registration_attendance",
        "courses_trainingcutoff",
    ]:
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    tc = world["training_class"]
    assert (
        admin_client.get(reverse("admin:courses_trainingclass_change", args=[tc.pk])).status_code
        == 200
    )
    assert (
        admin_client.get(reverse("admin:courses_trainingclass_history", args=[tc.pk])).status_code
        == 200
    )
    response = admin_client.post(
        reverse("admin:courses_trainingclass_changelist"),
        {"action": "enroll_unassigned", "_selected_action": [tc.pk]},
    )
    assert response.status_code == 302


def test_academic_home_counts_overdue_students(world, academic):
    TrainingCutoff.objects.create(
        round=world["exam_round"], cutoff_date=timezone.localdate() - dt.timedelta(days=1)
    )
    html = _login(academic).get(reverse("courses:home")).content.decode()
    assert "仍有 5 名有条件报名的学生未结业" in html


def test_setup_roles_creates_the_trainer_group(db):
    from django.contrib.auth.models import Group

    from accounts.roles import TRAINER_GROUP, roles_setup

    roles_setup()
    roles_setup()
    trainer = UserFactory(username="t")
    trainer.groups.add(Group.objects.get(name=TRAINER_GROUP))
    trainer = type(trainer).objects.get(pk=trainer.pk)
    assert trainer.has_perm("registration.add_attendance")
    assert not trainer.has_perm("courses.manage_training")
    assert not trainer.has_perm("registration.view_registration")
