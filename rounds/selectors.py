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


# --- The round of a staff page ------------------------------------------------------------------

ROUND_PARAM = "round"
# Posters and bookmarks printed before the rename carry `?session=<slug>`: read, never written.
LEGACY_ROUND_PARAM = "session"


@dataclass(frozen=True)
class RoundPick:
    """The round a page is about, and whether the link asked for one (`asked`) that does not
    exist (`unknown`: the page shows the fallback and may say so)."""

    exam_round: ExamRound | None
    asked: bool
    unknown: bool

    @property
    def query(self) -> str:
        """`round=<slug>` to carry along in links when the user picked a round, else ""."""
        if self.exam_round is None or not self.asked or self.unknown:
            return ""
        return f"{ROUND_PARAM}={self.exam_round.slug}"


def round_slug(query) -> str:
    """The requested slug from a query dict: `?round=`, else the older `?session=`; "" if none."""
    return str(query.get(ROUND_PARAM) or query.get(LEGACY_ROUND_PARAM) or "").strip()[:100]


def round_fallback() -> ExamRound | None:
    """The round a page shows when none was asked for: the current open round, else the latest
    published one (`round_current`), else the latest round at all (a system with drafts only)."""
    return round_current() or ExamRound.objects.prefetch_related("levels").first()


def round_pick(query) -> RoundPick:
    """The one round picker of every staff page: the round named by `?round=<slug>` (or by
    `?session=<slug>` from old posters), drafts included; when none is named, or the named one
    does not exist, `round_fallback()`."""
    slug = round_slug(query)
    if slug:
        found = ExamRound.objects.prefetch_related("levels").filter(slug=slug).first()
        if found is not None:
            return RoundPick(found, asked=True, unknown=False)
    return RoundPick(round_fallback(), asked=bool(slug), unknown=bool(slug))


def round_of_request(request) -> ExamRound | None:
    return round_pick(request.GET).exam_round


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
