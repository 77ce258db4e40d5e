"""Reads of the round kernel: the current round, published rounds, registration state, countdown."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from rounds.models import ExamRound


def round_current() -> ExamRound | None:
    """The open round if there is one, else the latest published round."""
    today = timezone.localdate()
    rounds = ExamRound.objects.published().prefetch_related("levels")
    return rounds.open_on(today).first() or rounds.first()


def round_list_published() -> QuerySet[ExamRound]:
    """Every published round, latest deadline first."""
    return ExamRound.objects.published().prefetch_related("levels")


def round_get_published(*, slug: str) -> ExamRound | None:
    return ExamRound.objects.published().prefetch_related("levels").filter(slug=slug).first()


class RegistrationState:
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Countdown:
    days: int
    hours: int
    minutes: int


def registration_state(exam_round: ExamRound, *, now: dt.datetime) -> str:
    if exam_round.opens_at is not None and now < exam_round.opens_at:
        return RegistrationState.NOT_YET_OPEN
    if exam_round.is_open(now):
        return RegistrationState.OPEN
    return RegistrationState.CLOSED


def countdown_to(deadline: dt.datetime, *, now: dt.datetime) -> Countdown | None:
    """Whole days, hours and minutes left until `deadline`; None once it has passed."""
    left = deadline - now
    if left <= dt.timedelta(0):
        return None
    hours, rest = divmod(left.seconds, 3600)
    return Countdown(days=left.days, hours=hours, minutes=rest // 60)
