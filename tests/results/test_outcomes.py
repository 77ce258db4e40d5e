"""Results: pass/fail, the 公示 period across 国庆, the notice, rates, self-service."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from exams.models import AdmissionTicket, CheckIn, Seat
from results import selectors, services
from results.models import Outcome, ResultNotice
from results.notice import notice_period
from results.selectors import mask_name
from results.services import EntryValue, ScoreError


def test_notice_period_across_national_day_2025():
    # 2025: 10-1..10-8 off; Sunday 9-28 and Saturday 10-11 are make-up workdays.
    period = notice_period(published_on=dt.date(2025, 9, 29), working_days=5)
    assert (period.starts_on, period.ends_on) == (dt.date(2025, 9, 29), dt.date(2025, 10, 11))
    assert period.from_official_calendar


def test_notice_period_starts_next_working_day():
    # Published on Saturday 2025-09-27 (a rest day): Sunday 9-28 is a make-up workday.
    period = notice_period(published_on=dt.date(2025, 9, 27), working_days=1)
    assert (period.starts_on, period.ends_on) == (dt.date(2025, 9, 28), dt.date(2025, 9, 28))
    plain = notice_period(published_on=dt.date(2025, 11, 3), working_days=5)
    assert plain.ends_on == dt.date(2025, 11, 7)


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("李小明", "李*明"), ("欧阳娜娜", "欧**娜"), ("王", "王")]
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def _both_subjects(sitting, skill_sitting, rooms, exam_round, level3, scores, academic):
    """Seat candidates in both sittings, check them in, enter agreed scores, review both."""
    from results.models import ScorerAssignment
    from tests.results.conftest import scorer_user

    a, b = scorer_user("ka", "甲考评"), scorer_user("kb", "乙考评")
    registrations = []
    for index, (theory, skill) in enumerate(scores, start=1):
        from tests.exams.conftest import seatable

        registration = seatable(exam_round, level3, name=f"张三{index}")
        AdmissionTicket.objects.create(registration=registration, number=f"T{index:04d}")
        registrations.append(registration)
        for sit, value in ((sitting, theory), (skill_sitting, skill)):
            seat = Seat.objects.create(
                sitting=sit, registration=registration, room=rooms[0], number=index
            )
            if value != "absent":
                CheckIn.objects.create(seat=seat)
    for sit in (sitting, skill_sitting):
        for user in (a, b):
            ScorerAssignment.objects.get_or_create(sitting=sit, room=rooms[0], scorer=user)
        values = {}
        for seat in Seat.objects.filter(sitting=sit).select_related("registration"):
            index = registrations.index(seat.registration)
            value = scores[index][0 if sit == sitting else 1]
            if value == "absent":
                continue
            if value == "violation":
                values[seat.pk] = EntryValue(Outcome.VIOLATION, None)
            else:
                values[seat.pk] = EntryValue(Outcome.SCORED, Decimal(value))
        for user in (a, b):
            services.scores_enter(sitting=sit, room=rooms[0], user=user, values=values)
        services.sitting_review(sitting=sit, user=academic)
    return registrations


@pytest.fixture
def graded(sitting, skill_sitting, rooms, exam_round, level3, academic):
    return _both_subjects(
        sitting,
        skill_sitting,
        rooms,
        exam_round,
        level3,
        [("60", "75"), ("59.5", "90"), ("80", "absent"), ("violation", "88")],
        academic,
    )


def test_round_results_pass_rule(exam_round, graded, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        results = {r.registration.pk: r for r in selectors.round_results(round=exam_round)}
    verdicts = [results[r.pk].passed for r in graded]
    assert verdicts == [True, False, False, False]
    assert results[graded[2].pk].skill.outcome == Outcome.ABSENT
    rates = selectors.pass_rates(list(results.values()))
    assert (rates["total"][0].passed, rates["total"][0].candidates) == (1, 4)
    assert rates["level"][0].percent == 25.0


def test_publish_needs_every_sitting_reviewed(sitting, exam_round, academic):
    with pytest.raises(ScoreError) as refused:
        services.notice_publish(round=exam_round, working_days=5, user=academic)
    assert "未审核" in str(refused.value)
    assert not ResultNotice.objects.exists()


def test_publish_notice_public_page_and_student_page(exam_round, graded, academic):
    client = Client()
    assert client.get(reverse("results:notice", args=[exam_round.slug])).status_code == 404
    student = Client()
    own = graded[0]
    detail = reverse("registration:registration_detail", args=[own.pk, own.token])
    assert "student-results" not in student.get(detail).content.decode()
    staff = Client()
    staff.force_login(academic)
    response = staff.post(
        reverse("results:notice_publish", args=[exam_round.pk]), {"working_days": "5"}
    )
    assert response.status_code == 302
    notice = ResultNotice.objects.get(round=exam_round)
    assert notice.working_days == 5 and notice.ends_on >= notice.starts_on
    response = client.get(reverse("results:notice", args=[exam_round.slug]))
    assert "no-store" in response["Cache-Control"]  # gone from every cache when the period ends
    # Not for search engines: names (even masked) next to results.
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    page = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow, noarchive">' in page
    assert "张*1" in page and "张三1" not in page
    assert own.id_number not in page
    assert "T0001" in page and "合格" in page
    page = student.get(detail).content.decode()
    assert 'id="student-result">合格<' in page
    other = graded[1]
    page = student.get(
        reverse("registration:registration_detail", args=[other.pk, other.token])
    ).content
    assert 'id="student-result">不合格<' in page.decode()
    with pytest.raises(ScoreError):
        services.notice_publish(round=exam_round, working_days=5, user=academic)


def test_rates_page_and_xlsx(exam_round, graded, academic, invigilator):
    client = Client()
    client.force_login(academic)
    page = client.get(reverse("results:rates"), {"round": exam_round.slug}).content.decode()
    assert "合格率 25%" in page
    response = client.get(reverse("results:rates_xlsx"), {"round": exam_round.slug})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("分组", "名称", "考生数", "合格人数", "合格率")
    assert ("合计", "合计", 4, 1, 0.25) in rows
    rate_cells = [row[4] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "n" and cell.number_format == "0.0%" for cell in rate_cells)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    client.force_login(invigilator)
    assert client.get(reverse("results:rates")).status_code == 403


def test_counselor_sees_rates_of_own_classes_only(exam_round, graded, academic):
    from accounts.roles import COUNSELOR_GROUP, user_role_add
    from tests.factories import UserFactory

    counselor = UserFactory(username="fdy")
    user_role_add(user=counselor, group_name=COUNSELOR_GROUP)
    own_class = graded[0].school_class
    own_class.counselor = counselor
    own_class.save(update_fields=["counselor"])
    client = Client()
    client.force_login(counselor)
    page = client.get(reverse("results:rates"), {"round": exam_round.slug}).content.decode()
    assert "合计：1/1 人合格" in page
    assert 'href="/results/rates/"' in page  # the menu link
    assert client.get(reverse("results:home")).status_code == 403


def test_notice_list_withdrawn_after_the_period(exam_round, graded, academic):
    notice = services.notice_publish(
        round=exam_round, working_days=5, user=academic, today=dt.date(2025, 9, 29)
    )
    assert notice.ends_on == dt.date(2025, 10, 11)
    response = Client().get(reverse("results:notice", args=[exam_round.slug]))
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    page = response.content.decode()
    assert "公示期已结束" in page and "T0001" not in page
    own = graded[0]
    detail = reverse("registration:registration_detail", args=[own.pk, own.token])
    assert 'id="student-result">合格<' in Client().get(detail).content.decode()


def test_retake_candidates_exactly_the_failed_subject(exam_round, graded, academic, level3):
    from results.models import RetakeRule

    found = {
        c.result.registration.pk: c.subject.subject
        for c in selectors.retake_candidates(round=exam_round)
    }
    assert found == {graded[1].pk: "theory", graded[2].pk: "skill", graded[3].pk: "theory"}
    client = Client()
    client.force_login(academic)
    url = reverse("results:retakes")
    page = client.get(url, {"round": exam_round.slug}).content.decode()
    assert "T0002" in page and "T0001" not in page
    response = client.get(url, {"round": exam_round.slug, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][5] == "补考科目" and len(rows) == 4
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=2))
    RetakeRule.objects.create(level=level3, retakes_allowed=0)
    assert selectors.retake_candidates(round=exam_round) == []
