"""Reads of scores: who may enter where, the grid, mismatches, the state of a sitting."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Count, Q, QuerySet

from accounts import access
from exams.models import Room, Seat, Sitting, Subject
from registration.candidate_data import ExamType
from results.models import (
    FINAL_STATES,
    RegistrationStatus,
    ResultNotice,
    Score,
    ScoreEntry,
    ScorerAssignment,
    ScoreRule,
    ScoreState,
    SittingReview,
)
from results.rules import DEFAULT_RULE, Rule, candidate_passed, subject_passed


def rule_for(*, level, subject: str) -> Rule:
    found = ScoreRule.objects.filter(level=level, subject=subject).first()
    if found is None:
        return DEFAULT_RULE
    return Rule(full_marks=found.full_marks, pass_mark=found.pass_mark)


def rules_by_level_subject() -> dict[tuple[int, str], Rule]:
    return {
        (r.level_id, r.subject): Rule(full_marks=r.full_marks, pass_mark=r.pass_mark)
        for r in ScoreRule.objects.all()
    }


def may_score(*, user, sitting: Sitting, room: Room) -> bool:
    """Only the 考评员 assigned to the room and sitting enter its scores."""
    return access.is_scorer_of(user, sitting=sitting, room=room)


def assignments_of(*, user) -> QuerySet[ScorerAssignment]:
    return (
        ScorerAssignment.objects.filter(scorer=user)
        .select_related("sitting__level", "sitting__round", "room", "sitting__score_review")
        .order_by("sitting__date", "sitting__start_time", "room__name")
    )


def is_reviewed(sitting: Sitting) -> bool:
    return SittingReview.objects.filter(sitting=sitting).exists()


def grid_rows(*, sitting: Sitting, room: Room, user) -> list[dict]:
    """The room's seats with the user's own entry only (double entry is blind). Two queries."""
    seats = list(
        Seat.objects.filter(sitting=sitting, room=room)
        .select_related("registration__admission_ticket", "check_in", "score")
        .order_by("number")
    )
    own = {
        entry.seat_id: entry for entry in ScoreEntry.objects.filter(seat__in=seats, entered_by=user)
    }
    return [
        {
            "seat": seat,
            "present": hasattr(seat, "check_in"),
            "entry": own.get(seat.pk),
            "score": getattr(seat, "score", None),
        }
        for seat in seats
    ]


def sitting_progress(*, round) -> list[Sitting]:
    """Sittings of a round with counts of seats, present, final scores and mismatches."""
    return list(
        Sitting.objects.filter(round=round)
        .select_related("level", "score_review__reviewed_by")
        .annotate(
            seated=Count("seats", distinct=True),
            present=Count("seats__check_in", distinct=True),
            final=Count(
                "seats__score",
                filter=Q(seats__score__state__in=FINAL_STATES),
                distinct=True,
            ),
            mismatches=Count(
                "seats__score",
                filter=Q(seats__score__state=ScoreState.MISMATCH),
                distinct=True,
            ),
        )
        .order_by("date", "start_time", "id")
    )


def mismatches_of(*, sitting: Sitting) -> list[Score]:
    return list(
        Score.objects.filter(seat__sitting=sitting, state=ScoreState.MISMATCH)
        .select_related("seat__room", "seat__registration__admission_ticket")
        .prefetch_related("seat__score_entries__entered_by")
        .order_by("seat__room__name", "seat__number")
    )


def scores_of_sitting(*, sitting: Sitting) -> QuerySet[Score]:
    return (
        Score.objects.filter(seat__sitting=sitting)
        .select_related("seat__room", "seat__registration__admission_ticket", "resolved_by")
        .order_by("seat__room__building", "seat__room__name", "seat__number")
    )


def can_manage(user) -> bool:
    return access.is_academic(user)


# --- results of a round --------------------------------------------------------------------------


@dataclass
class SubjectResult:
    subject: str
    label: str
    outcome: str
    points: Decimal | None
    passed: bool


@dataclass
class Person:
    """What the result pages show of a candidate (read as plain values: 10,000 rows stay fast)."""

    pk: int
    name: str
    student_number: str
    level_name: str
    school_class_id: int | None
    class_name: str
    major_name: str
    ticket: str


@dataclass
class CandidateResult:
    registration: Person
    subjects: list[SubjectResult] = field(default_factory=list)
    expected: tuple[str, ...] = ()
    # Subjects passed in an earlier round (a retake registration sits only the other one).
    exempt: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return {s.subject for s in self.subjects} >= set(self.expected)

    @property
    def passed(self) -> bool:
        by_subject = {s.subject: s.passed for s in self.subjects}
        return candidate_passed(by_subject, self.expected)

    def subject(self, key: str) -> SubjectResult | None:
        return next((s for s in self.subjects if s.subject == key), None)

    @property
    def theory(self):
        return self.subject(Subject.THEORY)

    @property
    def skill(self):
        return self.subject(Subject.SKILL)


def _expected_subjects(round) -> dict[int, tuple[str, ...]]:
    expected: dict[int, list[str]] = {}
    for level_id, subject in Sitting.objects.filter(round=round).values_list("level_id", "subject"):
        expected.setdefault(level_id, []).append(subject)
    order = [Subject.THEORY, Subject.SKILL]
    return {k: tuple(s for s in order if s in v) for k, v in expected.items()}


def _expected_of(level_expected: tuple[str, ...], theory_type: str, skill_type: str):
    """(expected, exempt) of one registration: a retake registration expects only its subject."""
    types = {Subject.THEORY: theory_type, Subject.SKILL: skill_type}
    exempt = tuple(s for s in level_expected if types.get(s) == ExamType.EXEMPT)
    return tuple(s for s in level_expected if s not in exempt), exempt


_PERSON_FIELDS = (
    "seat__registration_id",
    "seat__registration__name",
    "seat__registration__student_number",
    "seat__registration__level__name",
    "seat__registration__school_class_id",
    "seat__registration__school_class__name",
    "seat__registration__school_class__major__name",
    "seat__registration__admission_ticket__number",
    "seat__registration__exam_type_theory",
    "seat__registration__exam_type_skill",
)


def round_results(*, round, registrations=None) -> list[CandidateResult]:
    """Every seated active candidate of a round with their final subject scores (three queries).

    Read as plain values, not model instances: the result of 10,000 candidates is computed in a
    fraction of the time (benchmarks/RESULTS.md). `registrations` narrows to a queryset (a
    counselor's classes, one student).
    """
    expected = _expected_subjects(round)
    rules = rules_by_level_subject()
    labels = {value: str(label) for value, label in Subject.choices}
    scores = Score.objects.filter(
        seat__sitting__round=round,
        seat__registration__status=RegistrationStatus.ACTIVE,
        state__in=FINAL_STATES,
    )
    if registrations is not None:
        scores = scores.filter(seat__registration__in=registrations)
    rows = scores.order_by(
        "-seat__registration__level__code", "seat__registration_id", "seat__sitting__subject"
    ).values_list(
        "seat__sitting__level_id", "seat__sitting__subject", "outcome", "points", *_PERSON_FIELDS
    )
    found: dict[int, CandidateResult] = {}
    for level_id, subject, outcome, points, pk, *person in rows:
        result = found.get(pk)
        if result is None:
            name, number, level_name, class_id, class_name, major_name, ticket, *types = person
            expected_subjects, exempt = _expected_of(expected.get(level_id, ()), *types)
            result = CandidateResult(
                Person(
                    pk,
                    name,
                    number,
                    level_name,
                    class_id,
                    class_name or "—",
                    major_name or "—",
                    ticket or "",
                ),
                expected=expected_subjects,
                exempt=exempt,
            )
            found[pk] = result
        rule = rules.get((level_id, subject), DEFAULT_RULE)
        result.subjects.append(
            SubjectResult(
                subject=subject,
                label=labels.get(subject, subject),
                outcome=outcome,
                points=points,
                passed=subject_passed(outcome=outcome, points=points, rule=rule),
            )
        )
    return list(found.values())


@dataclass
class Rate:
    label: str
    candidates: int = 0
    passed: int = 0

    @property
    def percent(self) -> float:
        return round(100 * self.passed / self.candidates, 1) if self.candidates else 0.0

    @property
    def fraction(self) -> float:
        """The rate as a number for a spreadsheet's percent format (0.825 shows 82.5%)."""
        return round(self.passed / self.candidates, 3) if self.candidates else 0.0

    @property
    def pct(self) -> int:
        """Bar length in 5 % steps, for the CSS bars (templates/fees/_hbar.html)."""
        return 5 * round(self.percent / 5)


def pass_rates(results: list[CandidateResult]) -> dict[str, list[Rate]]:
    """Pass rates of complete candidates by level, class and major, with the overall rate."""
    groups: dict[str, dict[str, Rate]] = {"level": {}, "class": {}, "major": {}}
    total = Rate("合计")
    for result in results:
        if not result.complete:
            continue
        person = result.registration
        keys = {"level": person.level_name, "class": person.class_name, "major": person.major_name}
        for group, key in keys.items():
            rate = groups[group].setdefault(key, Rate(key))
            rate.candidates += 1
            rate.passed += result.passed
        total.candidates += 1
        total.passed += result.passed
    return {
        **{group: sorted(rates.values(), key=lambda r: r.label) for group, rates in groups.items()},
        "total": [total],
    }


def rate_chart(rates: list[Rate]) -> dict | None:
    if not rates:
        return None
    return {
        "bars": [
            {
                "title": r.label,
                "value": f"{r.percent:g}%（{r.passed}/{r.candidates}）",
                "pct": r.pct,
            }
            for r in rates
        ]
    }


def calendar_get():
    """The 公示 calendar with the days 教务 entered (one query; a few dozen rows per year)."""
    from results.models import CalendarDayKind, OfficialCalendarDay
    from results.notice import Calendar

    return Calendar(
        entered={
            day: kind == CalendarDayKind.WORKDAY
            for day, kind in OfficialCalendarDay.objects.values_list("date", "kind")
        }
    )


def calendar_unknown_years(*, today, calendar=None) -> list[int]:
    """Years from this one to the next (a 公示 may run into January) that neither the official
    calendar nor 教务's entries know: their 调休 is unknown."""
    calendar = calendar or calendar_get()
    return [year for year in (today.year, today.year + 1) if not calendar.year_known(year)]


def notice_current(*, today) -> list[ResultNotice]:
    """Notices whose period runs today (the home page links them)."""
    return list(
        ResultNotice.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .select_related("round")
        .order_by("-starts_on")
    )


def notice_of(round) -> ResultNotice | None:
    return ResultNotice.objects.filter(round=round).select_related("published_by").first()


def mask_name(name: str) -> str:
    """张* / 李*明 / 欧**娜: the family name and, from three characters, the last one."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass
class RetakeCandidate:
    result: CandidateResult
    subject: SubjectResult


def retake_candidates(*, round, registrations=None) -> list[RetakeCandidate]:
    """Candidates who passed every subject of their level but one: they may retake that one.

    A level whose rule allows no retakes (RetakeRule.retakes_allowed == 0) lists nobody; without a
    rule one retake is allowed. A retake registration that failed its one subject is listed too
    (its other subject was passed before); whether the rule allows that person another retake
    is decided when the offer is made (results.retakes.offer_retakes counts the retakes used).
    """
    from results.models import RetakeRule

    closed = set(RetakeRule.objects.filter(retakes_allowed=0).values_list("level__name", flat=True))
    found = []
    for result in round_results(round=round, registrations=registrations):
        if not result.complete or result.registration.level_name in closed:
            continue
        failed = [s for s in result.subjects if not s.passed and s.subject in result.expected]
        if len(failed) == 1 and (len(result.subjects) > 1 or result.exempt):
            found.append(RetakeCandidate(result, failed[0]))
    return found


def review_request_counts(*, round) -> dict[str, int]:
    """复核 requests of a round: total, pending, decided, corrected (one query)."""
    from results.models import ReviewRequest, ReviewRequestStatus

    counts = ReviewRequest.objects.filter(registration__round=round).aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(status=ReviewRequestStatus.PENDING)),
        corrected=Count("pk", filter=Q(status=ReviewRequestStatus.CORRECTED)),
    )
    counts["decided"] = counts["total"] - counts["pending"]
    return counts


def _certificate_state(certificate, passed: bool | None) -> str:
    if certificate is None:
        return "missing"
    if certificate.revoked_at is not None:
        return "revoked"
    if passed is False:
        return "not_passed"
    return "collected" if certificate.collected_on else "uncollected"


def certificate_rows(*, round, registrations) -> list[dict]:
    """The certificates page: every passed candidate, and every certificate of the round whatever
    the result (revoked ones, and any held by a candidate who no longer passes), so nothing is
    hidden. `state`: missing / uncollected / collected / revoked / not_passed. Three queries."""
    from results.models import Certificate

    results = {
        r.registration.pk: r for r in round_results(round=round, registrations=registrations)
    }
    held = {
        c.registration_id: c
        for c in Certificate.objects.filter(
            registration__round=round, registration__in=registrations
        ).select_related("handed_out_by", "revoked_by", "registration__school_class")
    }
    rows = []
    for pk in {pk for pk, r in results.items() if r.passed} | set(held):
        result = results.get(pk)
        certificate = held.get(pk)
        passed = None if result is None or not result.complete else result.passed
        if result is not None:
            person = result.registration
        else:  # a certificate without final scores here (scores kept on the platform)
            registration = certificate.registration
            person = Person(
                pk,
                registration.name,
                registration.student_number,
                "",
                registration.school_class_id,
                registration.school_class.name if registration.school_class else "—",
                "",
                "",
            )
        rows.append(
            {
                "person": person,
                "passed": passed,
                "certificate": certificate,
                "state": _certificate_state(certificate, passed),
            }
        )
    rows.sort(key=lambda row: (row["person"].school_class_id or 0, row["person"].student_number))
    return rows


def certificate_counts(rows: list[dict]) -> dict[str, int]:
    counts = dict.fromkeys(("missing", "uncollected", "collected", "revoked", "not_passed"), 0)
    for row in rows:
        counts[row["state"]] += 1
    return counts


def review_requests_of(*, round) -> list:
    """复核 requests of a round, pending first, each with the seat's score to correct."""
    from results.models import ReviewRequest, ReviewRequestStatus

    requests = list(
        ReviewRequest.objects.filter(registration__round=round)
        .select_related("registration__admission_ticket", "decided_by")
        .order_by(
            models.Case(
                models.When(status=ReviewRequestStatus.PENDING, then=0),
                default=1,
            ),
            "requested_at",
            "pk",
        )
    )
    scores = {
        (registration_id, subject): pk
        for pk, registration_id, subject in Score.objects.filter(
            seat__registration__in=[r.registration_id for r in requests]
        ).values_list("pk", "seat__registration_id", "seat__sitting__subject")
    }
    for request in requests:
        request.score_pk = scores.get((request.registration_id, request.subject))
    return requests
