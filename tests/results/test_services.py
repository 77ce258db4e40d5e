"""Double entry, mismatch resolution, 缺考 from check-in, 审核 lock, amendments with a reason."""

from decimal import Decimal

import pytest

from results import services
from results.models import Outcome, Score, ScoreEntry, ScoreRule, ScoreState, SittingReview
from results.services import EntryValue, ScoreError
from tests.factories import UserFactory


def scored(points):
    return EntryValue(Outcome.SCORED, Decimal(points))


def enter(sitting, room, user, values):
    return services.scores_enter(sitting=sitting, room=room, user=user, values=values)


def test_two_matching_entries_agree(sitting, seated, assigned, scorer1, scorer2):
    s1, s2, _ = seated
    enter(sitting, assigned, scorer1, {s1.pk: scored("85"), s2.pk: scored("55")})
    assert Score.objects.get(seat=s1).state == ScoreState.PENDING
    assert Score.objects.get(seat=s1).points is None
    enter(sitting, assigned, scorer2, {s1.pk: scored("85"), s2.pk: scored("55")})
    score = Score.objects.get(seat=s1)
    assert (score.state, score.points) == (ScoreState.AGREED, Decimal("85"))
    entries = ScoreEntry.objects.filter(seat=s1).order_by("entry_no")
    assert [(e.entry_no, e.entered_by) for e in entries] == [(1, scorer1), (2, scorer2)]


def test_mismatch_blocks_review_until_resolved_by_third_person(
    sitting, seated, assigned, scorer1, scorer2, academic
):
    s1, s2, s3 = seated
    enter(sitting, assigned, scorer1, {s1.pk: scored("85"), s2.pk: scored("70")})
    enter(sitting, assigned, scorer2, {s1.pk: scored("58"), s2.pk: scored("70")})
    score = Score.objects.get(seat=s1)
    assert score.state == ScoreState.MISMATCH
    with pytest.raises(ScoreError) as refused:
        services.sitting_review(sitting=sitting, user=academic)
    assert "不一致" in str(refused.value)
    assert not SittingReview.objects.exists()
    # Neither 考评员 may resolve (not 教务); an 教务 who entered one of them may not either.
    with pytest.raises(ScoreError):
        services.score_resolve(score=score, outcome="scored", points="85", user=scorer1)
    services.score_resolve(
        score=score, outcome="scored", points="85", user=academic, reason="核对试卷"
    )
    score.refresh_from_db()
    assert (score.state, score.points, score.resolved_by) == (
        ScoreState.RESOLVED,
        Decimal("85"),
        academic,
    )
    assert score.history.first().history_user == academic
    services.sitting_review(sitting=sitting, user=academic)
    # 缺考 flows from check-in: seat 3 was never checked in.
    absent = Score.objects.get(seat=s3)
    assert (absent.outcome, absent.points) == (Outcome.ABSENT, None)


def test_resolver_must_not_be_an_entrant(sitting, seated, assigned, scorer1, academic):
    s1 = seated[0]
    entrant = UserFactory(username="jw2")
    from accounts.roles import ACADEMIC_GROUP, user_role_add
    from results.models import ScorerAssignment

    user_role_add(user=entrant, group_name=ACADEMIC_GROUP)
    ScorerAssignment.objects.create(sitting=sitting, room=assigned, scorer=entrant)
    enter(sitting, assigned, scorer1, {s1.pk: scored("80")})
    enter(sitting, assigned, entrant, {s1.pk: scored("81")})
    score = Score.objects.get(seat=s1)
    with pytest.raises(ScoreError) as refused:
        services.score_resolve(score=score, outcome="scored", points="80", user=entrant)
    assert "第三人" in str(refused.value)
    services.score_resolve(score=score, outcome="scored", points="80", user=academic)


def test_third_person_cannot_enter(sitting, seated, assigned, scorer1, scorer2, roles):
    from results.models import ScorerAssignment
    from tests.results.conftest import scorer_user

    third = scorer_user("kaoping3", "赵考评")
    ScorerAssignment.objects.create(sitting=sitting, room=assigned, scorer=third)
    s1 = seated[0]
    enter(sitting, assigned, scorer1, {s1.pk: scored("80")})
    enter(sitting, assigned, scorer2, {s1.pk: scored("80")})
    with pytest.raises(ScoreError) as refused:
        enter(sitting, assigned, third, {s1.pk: scored("90")})
    assert "两位考评员" in str(refused.value)
    assert ScoreEntry.objects.filter(seat=s1).count() == 2


def test_unassigned_scorer_refused(sitting, seated, rooms, scorer1):
    with pytest.raises(ScoreError):
        enter(sitting, rooms[0], scorer1, {seated[0].pk: scored("80")})
    assert not ScoreEntry.objects.exists()


def test_absent_seat_refused_and_nothing_written(sitting, seated, assigned, scorer1):
    s1, _, s3 = seated
    with pytest.raises(ScoreError) as refused:
        enter(sitting, assigned, scorer1, {s1.pk: scored("80"), s3.pk: scored("70")})
    assert "缺考" in str(refused.value)
    assert not ScoreEntry.objects.exists()
    assert not Score.objects.exists()


def test_violation_must_match_too(sitting, seated, assigned, scorer1, scorer2):
    s1 = seated[0]
    enter(sitting, assigned, scorer1, {s1.pk: EntryValue(Outcome.VIOLATION, None)})
    enter(sitting, assigned, scorer2, {s1.pk: scored("0")})
    assert Score.objects.get(seat=s1).state == ScoreState.MISMATCH
    enter(sitting, assigned, scorer2, {s1.pk: EntryValue(Outcome.VIOLATION, None)})
    score = Score.objects.get(seat=s1)
    assert (score.state, score.outcome) == (ScoreState.AGREED, Outcome.VIOLATION)


def test_review_refuses_missing_second_entry(sitting, seated, assigned, scorer1, academic):
    enter(sitting, assigned, scorer1, {seated[0].pk: scored("80"), seated[1].pk: scored("80")})
    with pytest.raises(ScoreError) as refused:
        services.sitting_review(sitting=sitting, user=academic)
    assert "未完成两次录入" in str(refused.value)


def _reviewed(sitting, seated, assigned, scorer1, scorer2, academic):
    values = {seated[0].pk: scored("80"), seated[1].pk: scored("40")}
    enter(sitting, assigned, scorer1, values)
    enter(sitting, assigned, scorer2, values)
    services.sitting_review(sitting=sitting, user=academic)


def test_locked_after_review(sitting, seated, assigned, scorer1, scorer2, academic):
    _reviewed(sitting, seated, assigned, scorer1, scorer2, academic)
    with pytest.raises(ScoreError) as refused:
        enter(sitting, assigned, scorer1, {seated[0].pk: scored("90")})
    assert "锁定" in str(refused.value)
    assert Score.objects.get(seat=seated[0]).points == Decimal("80")
    with pytest.raises(ScoreError):
        services.sitting_review(sitting=sitting, user=academic)


def test_amend_after_review_needs_academic_and_reason(
    sitting, seated, assigned, scorer1, scorer2, academic
):
    _reviewed(sitting, seated, assigned, scorer1, scorer2, academic)
    score = Score.objects.get(seat=seated[1])
    with pytest.raises(ScoreError):
        services.score_amend(score=score, outcome="scored", points="65", reason="", user=academic)
    with pytest.raises(ScoreError):
        services.score_amend(
            score=score, outcome="scored", points="65", reason="复核", user=scorer1
        )
    services.score_amend(
        score=score, outcome="scored", points="65", reason="复核加分错误", user=academic
    )
    score.refresh_from_db()
    assert score.points == Decimal("65")
    latest = score.history.first()
    assert (latest.history_user, latest.history_change_reason) == (academic, "复核加分错误")
    assert latest.prev_record.points == Decimal("40")


def test_amend_before_review_refused(sitting, seated, assigned, scorer1, scorer2, academic):
    values = {seated[0].pk: scored("80")}
    enter(sitting, assigned, scorer1, values)
    enter(sitting, assigned, scorer2, values)
    score = Score.objects.get(seat=seated[0])
    with pytest.raises(ScoreError):
        services.score_amend(score=score, outcome="scored", points="1", reason="x", user=academic)


def test_full_marks_from_rule(sitting, seated, assigned, scorer1, level3):
    ScoreRule.objects.create(level=level3, subject=sitting.subject, full_marks=50, pass_mark=30)
    from results.selectors import rule_for

    rule = rule_for(level=level3, subject=sitting.subject)
    with pytest.raises(ScoreError):
        services.entry_value_parse(seat_number=1, outcome="", raw_points="51", rule=rule)
    assert services.entry_value_parse(
        seat_number=1, outcome="", raw_points="50", rule=rule
    ) == scored("50")
