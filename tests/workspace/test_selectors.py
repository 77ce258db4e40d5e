import datetime as dt

import pytest
from django.utils import timezone

from registration.models import Registration
from tests.factories import ExamRoundFactory, level
from workspace.selectors import counselor as selectors


@pytest.mark.django_db
def test_days_left_counts_the_deadline_day_as_open(exam_round):
    deadline = exam_round.registration_deadline
    assert selectors.days_left(exam_round, today=deadline - dt.timedelta(days=1)) == 1
    assert selectors.days_left(exam_round, today=deadline) == 0
    assert selectors.days_left(exam_round, today=deadline + dt.timedelta(days=1)) == -1


@pytest.mark.django_db
def test_round_overview_counts_only_active_registrations_of_visible_classes(
    counselor, exam_round, own_class, other_class, make_registration
):
    make_registration(exam_round=exam_round, school_class=own_class, level=level(4))
    make_registration(exam_round=exam_round, school_class=own_class, status="cancelled")
    make_registration(exam_round=exam_round, school_class=other_class)
    make_registration(exam_round=ExamRoundFactory(), school_class=own_class)
    overview = selectors.round_overview(user=counselor, exam_round=exam_round)
    assert [row.school_class for row in overview.rows] == [own_class]
    assert overview.total.registered == 1
    assert overview.rows[0].by_level == {level(4).pk: 1}


@pytest.mark.django_db
def test_round_overview_shows_unassigned_registrations_to_academic_only(
    counselor, academic, exam_round, own_class, make_registration
):
    make_registration(exam_round=exam_round, school_class=None, candidate_type="social")
    make_registration(exam_round=exam_round, school_class=own_class)
    academic_rows = selectors.round_overview(user=academic, exam_round=exam_round).rows
    assert [row.school_class for row in academic_rows] == [own_class, None]
    assert academic_rows[1].registered == 1
    counselor_rows = selectors.round_overview(user=counselor, exam_round=exam_round).rows
    assert [row.school_class for row in counselor_rows] == [own_class]


@pytest.mark.django_db
def test_round_overview_filters_by_major_and_level(
    academic, exam_round, own_class, other_class, make_registration
):
    make_registration(exam_round=exam_round, school_class=own_class, level=level(4))
    make_registration(exam_round=exam_round, school_class=own_class, level=level(3))
    make_registration(exam_round=exam_round, school_class=other_class, level=level(4))
    overview = selectors.round_overview(
        user=academic, exam_round=exam_round, major_id=own_class.major_id, level_id=level(4).pk
    )
    assert [row.school_class for row in overview.rows] == [own_class]
    assert overview.total.registered == 1


@pytest.mark.django_db
def test_round_overview_keeps_a_retired_class_with_registrations(
    counselor, exam_round, own_class, make_registration
):
    retired = own_class.__class__.objects.create(
        name="旧班",
        major=own_class.major,
        enrolment_year=2019,
        counselor=counselor,
        is_active=False,
    )
    empty_retired = own_class.__class__.objects.create(
        name="空旧班", major=own_class.major, enrolment_year=2019, counselor=counselor,
        is_active=False,
    )  # fmt: skip
    make_registration(exam_round=exam_round, school_class=retired)
    classes = [
        row.school_class
        for row in selectors.round_overview(user=counselor, exam_round=exam_round).rows
    ]
    assert retired in classes
    assert empty_retired not in classes


@pytest.mark.django_db
def test_round_overview_per_day_fills_gaps_in_beijing_days(
    counselor, exam_round, own_class, make_registration
):
    today = timezone.localdate()
    first = make_registration(exam_round=exam_round, school_class=own_class)
    second = make_registration(exam_round=exam_round, school_class=own_class)
    # 2 days ago at 23:30 Beijing time is still that day, though UTC says otherwise
    late = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(23, 30))
    Registration.objects.filter(pk=first.pk).update(created_at=timezone.make_aware(late))
    Registration.objects.filter(pk=second.pk).update(created_at=timezone.now())
    per_day = dict(
        selectors.round_overview(user=counselor, exam_round=exam_round, today=today).per_day
    )
    assert per_day[today - dt.timedelta(days=2)] == 1
    assert per_day[today - dt.timedelta(days=1)] == 0
    assert per_day[today] == 1
    assert min(per_day) == exam_round.registration_opens


def test_fill_days_keeps_the_most_recent_days_only():
    exam_round = type("S", (), {})()
    exam_round.registration_opens = dt.date(2022, 1, 1)
    exam_round.registration_deadline = dt.date(2022, 12, 31)
    days = selectors._fill_days([], exam_round=exam_round, today=dt.date(2022, 6, 1))
    assert len(days) == selectors.CHART_MAX_DAYS
    assert days[-1][0] == dt.date(2022, 6, 1)


def _export_rows(user, exam_round, overview):
    registrations = selectors.export_registrations(
        user=user, exam_round=exam_round, class_ids=None, include_unassigned=True
    )
    return list(selectors.export_rows(registrations, overview=overview, chunk_size=2))


@pytest.mark.django_db
def test_export_rows_share_the_overview_classes_and_levels(
    academic, exam_round, own_class, make_registration, django_assert_num_queries
):
    for _ in range(3):
        make_registration(exam_round=exam_round, school_class=own_class, level=level(4))
    make_registration(exam_round=exam_round, school_class=None, candidate_type="social")
    overview = selectors.round_overview(user=academic, exam_round=exam_round, with_days=False)
    shared_class = overview.rows[0].school_class
    with django_assert_num_queries(1):
        rows = _export_rows(academic, exam_round, overview)
        in_class = [r for r in rows if r.school_class_id is not None]
        assert len(in_class) == 3
        assert all(r.school_class is shared_class for r in in_class)
        assert [r.school_class for r in rows if r not in in_class] == [None]
        assert all(r.level.pk == r.level_id for r in rows)
        assert in_class[0].school_class.major.name == own_class.major.name


@pytest.mark.django_db
def test_export_rows_read_a_class_or_level_missing_from_the_overview_once(
    academic, exam_round, own_class, other_class, make_registration, django_assert_num_queries
):
    """A registration made after the overview was read still gets its class and level."""
    overview = selectors.round_overview(user=academic, exam_round=exam_round, with_days=False)
    for _ in range(2):
        make_registration(exam_round=exam_round, school_class=other_class, level=level(4))
    overview.rows = [row for row in overview.rows if row.school_class != other_class]
    overview.levels = []
    level_4 = level(4)
    with django_assert_num_queries(3):  # the rows, then the class and the level once each
        rows = _export_rows(academic, exam_round, overview)
        assert [r.school_class.name for r in rows] == [other_class.name] * 2
        assert [r.school_class.major.name for r in rows] == [other_class.major.name] * 2
        assert [r.level for r in rows] == [level_4] * 2
