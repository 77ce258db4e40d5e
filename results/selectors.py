"""Reads of scores: who may enter where, the grid, mismatches, the state of a sitting."""

from django.db.models import Count, Q, QuerySet

from exams.models import Room, Seat, Sitting
from registration import roles
from results.models import (
    FINAL_STATES,
    Score,
    ScoreEntry,
    ScorerAssignment,
    ScoreRule,
    ScoreState,
    SittingReview,
)
from results.rules import DEFAULT_RULE, Rule


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
    if not (user.is_authenticated and user.is_active):
        return False
    return ScorerAssignment.objects.filter(sitting=sitting, room=room, scorer=user).exists()


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
    return roles.is_academic(user)
