"""Writes of scores: double entry, resolution of mismatches, 审核 (lock), amendments.

Keyword-only, atomic, validated; every change leaves a history row with who and why.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from exams.models import Room, Seat, Sitting
from registration.messages import Event, notify_many_later
from results import scorers, selectors
from results.models import (
    FINAL_STATES,
    Certificate,
    Outcome,
    Registration,
    RegistrationStatus,
    ResultNotice,
    ReviewRequest,
    ReviewRequestStatus,
    Round,
    Score,
    ScoreEntry,
    ScoreState,
    SittingReview,
)
from results.notice import notice_period
from results.rules import parse_points, points_text
from rounds.guards import round_writable_check

NOT_ASSIGNED = _("您未被安排评分该考场的本场次。")
LOCKED = _("本场次成绩已审核锁定，不能再录入；如需更正请联系教务。")
ABSENT_SEAT = _("{seat} 号考生缺考（未签到），不能录入分数。")
BAD_POINTS = _("{seat} 号：分数须为 0 到 {full} 之间的数字，最多一位小数。")
BAD_OUTCOME = _("{seat} 号：未知的情况。")
THIRD_ENTRY = _("{seat} 号已有两位考评员录入，不能再录入。")
ALREADY_RESOLVED = _("{seat} 号的成绩已由教务核定或导入，不能再修改录入。")
NOT_IN_ROOM = _("座位不属于本考场。")
ONLY_ACADEMIC = _("只有教务可以核定或更正成绩。")
NOT_A_MISMATCH = _("该成绩没有不一致，无需核定。")
RESOLVER_IS_ENTRANT = _("核定须由两位录入人以外的第三人进行。")
REASON_REQUIRED = _("请填写修改原因。")
NOT_LOCKED = _("本场次尚未审核；审核前的不一致请用“核定”处理。")
ALREADY_REVIEWED = _("本场次已审核。")
OPEN_MISMATCHES = _("还有 {count} 名考生的两次录入不一致，须先核定后才能审核。")
MISSING_SCORES = _("还有 {count} 名实到考生的成绩未完成两次录入，不能审核。")
NO_SEATS = _("本场次还没有考生座位，不能审核。")

REVOKE_REQUIRED = _("更正后该考生不再合格，但已登记证书 {number}：须同时撤销证书并填写撤销原因。")

REASON_MAX_LENGTH = 100  # the history change reason holds 100 characters


@dataclass
class ScoreError(Exception):
    message: str
    errors: list = field(default_factory=list)

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class EntryValue:
    outcome: str
    points: Decimal | None


def entry_value_parse(*, seat_number: int, outcome: str, raw_points, rule) -> EntryValue | None:
    """A grid cell: None when left blank; a 违纪 mark carries no points."""
    outcome = (outcome or Outcome.SCORED).strip()
    if outcome not in (Outcome.SCORED, Outcome.VIOLATION):
        raise ScoreError(BAD_OUTCOME.format(seat=seat_number))
    text = "" if raw_points is None else str(raw_points).strip()
    if outcome == Outcome.VIOLATION:
        return EntryValue(Outcome.VIOLATION, None)
    if text == "":
        return None
    try:
        points = parse_points(text, rule=rule)
    except ValueError:
        raise ScoreError(
            BAD_POINTS.format(seat=seat_number, full=points_text(rule.full_marks))
        ) from None
    return EntryValue(Outcome.SCORED, points)


def _sitting_unlocked(sitting: Sitting) -> None:
    # The review row is created under the same lock (the sitting row), so no entry slips in.
    locked = Sitting.objects.select_for_update().get(pk=sitting.pk)
    round_writable_check(locked.round, error=ScoreError)
    if selectors.is_reviewed(sitting):
        raise ScoreError(LOCKED)


def _score_recompute(*, seat: Seat, user, reason: str = "") -> Score:
    """The seat's score from its entries: pending, agreed or mismatch (resolved is kept)."""
    entries = list(ScoreEntry.objects.filter(seat=seat).order_by("entry_no"))
    score = Score.objects.filter(seat=seat).first() or Score(seat=seat)
    if score.state in (ScoreState.RESOLVED, ScoreState.IMPORTED):
        return score
    if len(entries) < 2:
        state, outcome, points = ScoreState.PENDING, Outcome.SCORED, None
    elif entries[0].value == entries[1].value:
        state, (outcome, points) = ScoreState.AGREED, entries[0].value
    else:
        state, outcome, points = ScoreState.MISMATCH, Outcome.SCORED, None
    if score.pk and (score.state, score.outcome, score.points) == (state, outcome, points):
        return score
    score.state, score.outcome, score.points = state, outcome, points
    score._history_user = user
    score._change_reason = reason or "entry"
    score.save()
    return score


@transaction.atomic
def scores_enter(*, sitting: Sitting, room: Room, user, values: dict[int, EntryValue]) -> int:
    """Save one 考评员's entries for a room: {seat pk: value}. All or nothing; returns the count.

    The first person to enter a seat makes entry 1, another person entry 2; a person may correct
    their own entry until the sitting is reviewed (or 教务 resolved the seat). A third person is
    refused. The room's seats are locked for the transaction, so two 考评员 saving at once are
    serialised and each gets their own entry number.
    """
    if not selectors.may_score(user=user, sitting=sitting, room=room):
        raise ScoreError(NOT_ASSIGNED)
    _sitting_unlocked(sitting)
    seats = {
        seat.pk: seat
        for seat in Seat.objects.select_for_update()
        .filter(sitting=sitting, room=room)
        .order_by("pk")
    }
    present = set(
        Seat.objects.filter(pk__in=seats, check_in__isnull=False).values_list("pk", flat=True)
    )
    entries: dict[int, list[ScoreEntry]] = {}
    for entry in ScoreEntry.objects.filter(seat__in=list(seats)):
        entries.setdefault(entry.seat_id, []).append(entry)
    resolved = set(
        Score.objects.filter(
            seat__in=list(seats), state__in=[ScoreState.RESOLVED, ScoreState.IMPORTED]
        ).values_list("seat_id", flat=True)
    )
    errors = []
    saved = 0
    for seat_pk, value in values.items():
        seat = seats.get(seat_pk)
        if seat is None:
            raise ScoreError(NOT_IN_ROOM)
        if seat_pk not in present:
            errors.append(ABSENT_SEAT.format(seat=seat.number))
            continue
        if seat_pk in resolved:
            errors.append(ALREADY_RESOLVED.format(seat=seat.number))
            continue
        existing = entries.get(seat_pk, [])
        own = next((e for e in existing if e.entered_by_id == user.pk), None)
        if own is None and len(existing) >= 2:
            errors.append(THIRD_ENTRY.format(seat=seat.number))
            continue
        if own is not None and own.value == (value.outcome, value.points):
            continue
        if own is None:
            taken = {e.entry_no for e in existing}
            own = ScoreEntry(seat=seat, entered_by=user, entry_no=min({1, 2} - taken))
        own.outcome, own.points = value.outcome, value.points
        own._history_user = user
        try:
            with transaction.atomic():
                own.save()
        except IntegrityError as error:  # only without row locks (SQLite never gets here)
            raise ScoreError(THIRD_ENTRY.format(seat=seat.number)) from error
        _score_recompute(seat=seat, user=user)
        saved += 1
    if errors:
        raise ScoreError(errors[0], errors)
    return saved


def _reason(reason: str) -> str:
    reason = (reason or "").strip()[:REASON_MAX_LENGTH]
    if not reason:
        raise ScoreError(REASON_REQUIRED)
    return reason


def _final_value(*, score: Score, outcome: str, points, rule) -> EntryValue:
    value = entry_value_parse(
        seat_number=score.seat.number, outcome=outcome, raw_points=points, rule=rule
    )
    if value is None:
        raise ScoreError(
            BAD_POINTS.format(seat=score.seat.number, full=points_text(rule.full_marks))
        )
    return value


@transaction.atomic
def score_resolve(*, score: Score, outcome: str, points, user, reason: str = "") -> Score:
    """A third person (教务, not one of the two 考评员) sets the score of a mismatch."""
    if not access.is_academic(user):
        raise ScoreError(ONLY_ACADEMIC)
    score = Score.objects.select_related("seat__sitting__level").get(pk=score.pk)
    _sitting_unlocked(score.seat.sitting)
    score = (
        Score.objects.select_for_update().select_related("seat__sitting__level").get(pk=score.pk)
    )
    if score.state != ScoreState.MISMATCH:
        raise ScoreError(NOT_A_MISMATCH)
    if ScoreEntry.objects.filter(seat=score.seat, entered_by=user).exists():
        raise ScoreError(RESOLVER_IS_ENTRANT)
    sitting = score.seat.sitting
    rule = selectors.rule_for(level=sitting.level, subject=sitting.subject)
    value = _final_value(score=score, outcome=outcome, points=points, rule=rule)
    score.state, score.outcome, score.points = ScoreState.RESOLVED, value.outcome, value.points
    score.resolved_by = user
    score.reason = (reason or "").strip()[:REASON_MAX_LENGTH]
    score._history_user = user
    score._change_reason = score.reason or "resolve"
    score.save()
    return score


@transaction.atomic
def sitting_review(*, sitting: Sitting, user) -> SittingReview:
    """审核: every present candidate has a final score; absent ones get 缺考; scores lock."""
    if not access.is_academic(user):
        raise ScoreError(ONLY_ACADEMIC)
    locked = Sitting.objects.select_for_update().get(pk=sitting.pk)
    round_writable_check(locked.round, error=ScoreError)
    if selectors.is_reviewed(sitting):
        raise ScoreError(ALREADY_REVIEWED)
    seats = list(
        Seat.objects.filter(sitting=sitting).select_related("check_in", "score").order_by("pk")
    )
    if not seats:
        raise ScoreError(NO_SEATS)
    mismatches = missing = 0
    absent = []
    for seat in seats:
        score = getattr(seat, "score", None)
        if not hasattr(seat, "check_in"):
            absent.append(seat)
        elif score is not None and score.state == ScoreState.MISMATCH:
            mismatches += 1
        elif score is None or not score.is_final:
            missing += 1
    scorer_problems = scorers.review_problems(sitting=sitting)
    if scorer_problems:
        raise ScoreError(scorer_problems[0], scorer_problems)
    if mismatches:
        raise ScoreError(OPEN_MISMATCHES.format(count=mismatches))
    if missing:
        raise ScoreError(MISSING_SCORES.format(count=missing))
    for seat in absent:
        score = getattr(seat, "score", None) or Score(seat=seat)
        score.state, score.outcome, score.points = ScoreState.AGREED, Outcome.ABSENT, None
        score._history_user = user
        score._change_reason = "absent (check-in)"
        score.save()
    review = SittingReview(sitting=sitting, reviewed_by=user)
    review._history_user = user
    review.save()
    return review


def _candidate_passed(registration_id: int, exam_round) -> bool | None:
    """Pass (True), fail (False) or incomplete (None) of one candidate, from the final scores."""
    found = selectors.round_results(
        round=exam_round, registrations=Registration.objects.filter(pk=registration_id)
    )
    if not found or not found[0].complete:
        return None
    return found[0].passed


@transaction.atomic
def score_amend(
    *,
    score: Score,
    outcome: str,
    points,
    reason: str,
    user,
    revoke_reason: str = "",
    review_request=None,
) -> Score:
    """A correction after 审核: 教务 only, with a reason kept in the history.

    One truth per candidate: when the correction leaves a candidate who holds a certificate not
    passing, the certificate is revoked in the same transaction, which needs `revoke_reason`;
    without one nothing is written.
    """
    if not access.is_academic(user):
        raise ScoreError(ONLY_ACADEMIC)
    reason = _reason(reason)
    score = (
        Score.objects.select_for_update().select_related("seat__sitting__level").get(pk=score.pk)
    )
    sitting = score.seat.sitting
    round_writable_check(sitting.round, error=ScoreError)
    if not selectors.is_reviewed(sitting):
        raise ScoreError(NOT_LOCKED)
    if outcome == Outcome.ABSENT:
        value = EntryValue(Outcome.ABSENT, None)
    else:
        rule = selectors.rule_for(level=sitting.level, subject=sitting.subject)
        value = _final_value(score=score, outcome=outcome, points=points, rule=rule)
    score.state, score.outcome, score.points = ScoreState.RESOLVED, value.outcome, value.points
    score.resolved_by = user
    score.reason = reason
    score._history_user = user
    score._change_reason = reason
    score.save()
    registration_id = score.seat.registration_id
    certificate = (
        Certificate.objects.select_for_update()
        .filter(registration_id=registration_id, revoked_at__isnull=True)
        .first()
    )
    if certificate is not None and _candidate_passed(registration_id, sitting.round) is False:
        revoke_reason = (revoke_reason or "").strip()
        if not revoke_reason:
            raise ScoreError(REVOKE_REQUIRED.format(number=certificate.number))
        certificate_revoke_locked(certificate=certificate, reason=revoke_reason, user=user)
    if review_request is not None:
        _review_decide(
            review_request=review_request,
            registration_id=registration_id,
            subject=sitting.subject,
            status=ReviewRequestStatus.CORRECTED,
            answer=reason,
            user=user,
        )
    return score


REVOKE_REASON_REQUIRED = _("请填写撤销证书的原因。")
ALREADY_REVOKED = _("该证书已撤销。")


def certificate_revoke_locked(*, certificate: Certificate, reason: str, user) -> Certificate:
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ScoreError(REVOKE_REASON_REQUIRED)
    if certificate.revoked_at is not None:
        raise ScoreError(ALREADY_REVOKED)
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.revoked_by = user
    certificate.full_clean()
    certificate._history_user = user
    certificate._change_reason = f"revoked: {reason}"[:REASON_MAX_LENGTH]
    certificate.save()
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, user) -> Certificate:
    """撤销 a certificate (教务): the row stays, with when, who and why, and its history."""
    if not access.is_academic(user):
        raise ScoreError(ONLY_ACADEMIC)
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("registration__round")
        .get(pk=certificate.pk)
    )
    round_writable_check(certificate.registration.round, error=ScoreError)
    return certificate_revoke_locked(certificate=certificate, reason=reason, user=user)


NOTICE_EXISTS = _("本批次成绩已发布公示。")
NO_SITTINGS = _("本批次还没有考试场次。")
NOT_ALL_REVIEWED = _("还有 {count} 个场次的成绩未审核，须全部审核后才能发布公示。")
BAD_WORKING_DAYS = _("公示期须为 1 到 30 个工作日。")
START_IN_PAST = _("公示开始日期不能早于今天。")
START_TOO_LATE = _("公示开始日期须在 {days} 天以内。")
START_MAX_DAYS_AHEAD = 60


@transaction.atomic
def notice_publish(*, round, working_days: int, user, today=None, starts_on=None) -> ResultNotice:
    """Publish the round's results for 公示: every sitting reviewed (so no mismatch is open).

    `starts_on` (教务 choose it; default today) may not be in the past nor more than 60 days
    ahead; the period starts there, or on the next working day.
    """
    if not access.is_academic(user):
        raise ScoreError(ONLY_ACADEMIC)
    if not 1 <= working_days <= 30:
        raise ScoreError(BAD_WORKING_DAYS)
    today = today or timezone.localdate()
    starts_on = starts_on or today
    if starts_on < today:
        raise ScoreError(START_IN_PAST)
    if (starts_on - today).days > START_MAX_DAYS_AHEAD:
        raise ScoreError(START_TOO_LATE.format(days=START_MAX_DAYS_AHEAD))
    Round.objects.select_for_update().get(pk=round.pk)
    round_writable_check(round, error=ScoreError)
    if ResultNotice.objects.filter(round=round).exists():
        raise ScoreError(NOTICE_EXISTS)
    sittings = Sitting.objects.filter(round=round)
    if not sittings.exists():
        raise ScoreError(NO_SITTINGS)
    open_count = sittings.filter(score_review__isnull=True).count()
    if open_count:
        raise ScoreError(NOT_ALL_REVIEWED.format(count=open_count))
    period = notice_period(
        published_on=starts_on, working_days=working_days, calendar=selectors.calendar_get()
    )
    notice = ResultNotice(
        round=round,
        working_days=working_days,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        calendar=period.source,
        published_by=user,
    )
    notice.full_clean()
    notice._history_user = user
    notice.save()
    seated = Registration.objects.filter(round=round, exam_seats__isnull=False).distinct()
    notify_many_later(
        seated.values_list("pk", flat=True), Event.RESULTS_PUBLISHED, exam_round=round
    )
    return notice


# --- 复核 (review requests during the 公示) -------------------------------------------------------

REVIEW_NOT_IN_NOTICE = _("只能在成绩公示期内申请复核。")
REVIEW_NO_SCORE = _("该科目没有成绩，无需复核。")
REVIEW_TWICE = _("该科目已申请过复核，请等待考务办公室处理。")
REVIEW_REASON_REQUIRED = _("请填写申请理由。")
REVIEW_INACTIVE = _("该报名已取消。")
REVIEW_DECIDED = _("该复核申请已处理。")
REVIEW_ANSWER_REQUIRED = _("请填写给考生的答复。")
REVIEW_CORRECT_THROUGH_AMEND = _("更正成绩请通过“更正”页面进行（留有修改原因和历史）。")
REVIEW_MISMATCH = _("该复核申请不属于这个成绩。")


@transaction.atomic
def review_request_submit(*, registration, subject: str, reason: str, today=None) -> ReviewRequest:
    """A candidate asks for 复核 of one subject, from their private link, within the 公示 period;
    once per subject (a database constraint too)."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("round")
        .get(pk=registration.pk)
    )
    if registration.status != RegistrationStatus.ACTIVE:
        raise ScoreError(REVIEW_INACTIVE)
    notice = selectors.notice_of(registration.round)
    today = today or timezone.localdate()
    if notice is None or not notice.starts_on <= today <= notice.ends_on:
        raise ScoreError(REVIEW_NOT_IN_NOTICE)
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ScoreError(REVIEW_REASON_REQUIRED)
    if not Score.objects.filter(
        seat__registration=registration,
        seat__sitting__subject=subject,
        state__in=FINAL_STATES,
    ).exists():
        raise ScoreError(REVIEW_NO_SCORE)
    if ReviewRequest.objects.filter(registration=registration, subject=subject).exists():
        raise ScoreError(REVIEW_TWICE)
    request = ReviewRequest(registration=registration, subject=subject, reason=reason)
    request.full_clean()
    request._change_reason = "requested by the candidate"
    request.save()
    return request


def _review_decide(*, review_request, registration_id, subject, status, answer, user):
    review = ReviewRequest.objects.select_for_update().get(pk=review_request.pk)
    if (review.registration_id, review.subject) != (registration_id, subject):
        raise ScoreError(REVIEW_MISMATCH)
    if review.status != ReviewRequestStatus.PENDING:
        raise ScoreError(REVIEW_DECIDED)
    review.status = status
    review.answer = answer[:200]
    review.decided_by = user
    review.decided_at = timezone.now()
    review._history_user = user
    review._change_reason = f"decided: {status}"
    review.save()
    return review


@transaction.atomic
def review_request_decide(*, review_request: ReviewRequest, status: str, answer: str, user):
    """教务 record the outcome of a 复核: unchanged here; a correction goes through score_amend
    (with `review_request=`), so it keeps its reason, history and certificate check."""
    if not access.is_academic(user):
        raise ScoreError(ONLY_ACADEMIC)
    if status != ReviewRequestStatus.UNCHANGED:
        raise ScoreError(REVIEW_CORRECT_THROUGH_AMEND)
    answer = (answer or "").strip()
    if not answer:
        raise ScoreError(REVIEW_ANSWER_REQUIRED)
    return _review_decide(
        review_request=review_request,
        registration_id=review_request.registration_id,
        subject=review_request.subject,
        status=status,
        answer=answer,
        user=user,
    )
