"""Caches of what every anonymous visitor sees alike, and their invalidation on save.

Everything cached here is keyed by a *content generation*: one integer in the cache that is
bumped whenever an admin saves or deletes something a public page shows (a round, a level, a fee,
an eligibility rule, a major or class, a training module). Bumping it orphans every cached page,
fragment and verdict at once, so an edit shows on the next page view instead of after a timeout;
the orphans expire on their own. docs/caching.md lists every cache and what it is keyed by.

Registrations, payments and imports are deliberately *not* content: a classroom of sign-ups must
not empty the cache forty times a minute. tests/registration/test_content_cache.py checks that every
model of the project is classified one way or the other, so a new model cannot be forgotten.
"""

import logging
import re
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

logger = logging.getLogger(__name__)

GENERATION_KEY = "content-generation"

# Models whose rows appear on public pages (announcement, class form, fee table, verdicts).
CONTENT_MODELS = {
    "rounds.ExamRound",
    "rounds.SkillLevel",
    "rounds.Major",
    "rounds.SchoolClass",
    "eligibility.EligibilityCondition",
    "courses.TrainingModule",
    "courses.TrainingTopic",
    # Set up by staff, rarely edited; classified as content so that no page can show them stale.
    "courses.TrainingClass",
    "courses.TrainingLesson",
    "courses.TrainingCutoff",
    "fees.FeeItem",
    # The home page links the results notice (公示) while its period runs.
    "results.ResultNotice",
}
# Models written by the sign-up flow or staff work that no cached page shows.
TRANSACTIONAL_MODELS = {
    # The count of content edits itself (written with UPDATE, never through a signal).
    "rounds.ContentVersion",
    "registration.Registration",
    "registration.Payment",
    "registration.PaymentImport",
    "registration.TrainingEnrollment",
    "registration.Attendance",
    # Class lists decide who may sign up, checked by the submission service on every POST
    # (never cached); no public page shows them.
    "registration.ClassListEntry",
    "registration.ClassListImport",
    # Retake offers are read by the retake sign-up page, which is never cached.
    "registration.RetakeOffer",
    # The exam plan is shown only on staff pages and private ticket links, never cached.
    "exams.ExamPlan",
    "exams.Room",
    "exams.Sitting",
    "exams.SeatDraw",
    "exams.Seat",
    "exams.AdmissionTicket",
    "exams.Invigilation",
    "exams.CheckIn",
    # Export layouts, scores, results, certificates and archives: staff pages, the student's own
    # page and the public notice, all never cached (the notice is computed on each request).
    "workspace.ExchangeLayout",
    "workspace.ExchangeColumn",
    "results.ScoreRule",
    "results.ScorerAssignment",
    "results.ScoreEntry",
    "results.Score",
    "results.SittingReview",
    "results.ScoreImport",
    "results.CertificateFormat",
    "results.OfficialCalendarDay",
    "results.ReviewRequest",
    "results.ScorerRequirement",
    "results.ScorerRecusal",
    "results.Certificate",
    "results.RetakeRule",
    "archive.RoundArchive",
    "archive.PurgeRecord",
}


def generation() -> int:
    """The current content generation (1 when nothing was ever bumped or the cache was lost)."""
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, 1, timeout=None)
            value = cache.get(GENERATION_KEY) or 1
        return int(value)
    except Exception:
        # Without a cache nothing is cached either; any constant will do.
        return 0


def bump() -> None:
    """Invalidate every cached public page, form and verdict."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # never set, or evicted: start past any value it may have had
            cache.set(GENERATION_KEY, generation() + 1, timeout=None)
    except Exception:
        logger.warning("cache unavailable; content generation not bumped")


# Called inside the transaction of every content change (loaddata's raw saves included): the
# database's own count of edits, rounds.content.content_version_bump, passed in by
# connect_signals' caller since this module imports no app.
_database_bumps: list = []


def _content_changing(sender, **kwargs) -> None:
    """Before a content row is written: the database's count goes up first, so every content
    transaction takes the count's row lock before any content row (one lock order, no deadlock
    between two of them), and an edit saved outside a transaction never commits its row before
    a count that says so (the count goes up again after the write)."""
    for database_bump in _database_bumps:
        database_bump()


def _content_changed(sender, **kwargs) -> None:
    for database_bump in _database_bumps:
        database_bump()
    if kwargs.get("raw"):  # loaddata
        return
    # Now, so that the next page view in this process sees the change, and again after the
    # commit, so that a page rendered from the old rows while the transaction was open and cached
    # under the new generation does not outlive it.
    bump()
    transaction.on_commit(bump)


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.object_name}"


def connect_signals(*, database_bump=None) -> None:
    """Called from RegistrationConfig.ready(), with the database's count of edits to bump."""
    if database_bump is not None and database_bump not in _database_bumps:
        _database_bumps.append(database_bump)
    from django.apps import apps

    for label in CONTENT_MODELS:
        model = apps.get_model(label)
        uid = f"content-cache:{label}"
        pre_save.connect(_content_changing, sender=model, dispatch_uid=f"{uid}:pre-save")
        pre_delete.connect(_content_changing, sender=model, dispatch_uid=f"{uid}:pre-delete")
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"{uid}:delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _content_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}:m2m:{field.name}",
            )


def is_classified(model) -> bool:
    return _label(model) in CONTENT_MODELS | TRANSACTIONAL_MODELS


def anonymous_visitor(request) -> bool:
    """A GET from someone not signed in with no messages waiting: they see what everyone sees."""
    from django.contrib import messages

    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


_SAFE_PART = re.compile(r"[A-Za-z0-9_.:/-]{0,200}")


def page_key(kind: str, *parts) -> str | None:
    """A cache key under the current content generation (and the request's language)."""
    from django.utils import translation

    joined = ":".join(str(part) for part in parts)
    if not _SAFE_PART.fullmatch(joined):  # odd characters from a URL: not worth caching
        return None
    return f"{kind}:g{generation()}:{translation.get_language()}:{joined}"


class VersionedKey:
    """A cache key *without* the generation in it, for the hottest page: its entry stores the
    generation it was built under, and one round trip (MGET) reads the current generation and the
    entry together. The entry is used only when the two match, so a bump orphans it exactly as it
    orphans a key that carries the generation; `generation` is what the entry must be stored under.
    """

    __slots__ = ("generation", "key")

    def __init__(self, key: str):
        self.key = key
        self.generation: int | None = None

    def get(self):
        """The stored value if it was built under the current generation, else None."""
        try:
            found = cache.get_many([GENERATION_KEY, self.key])
        except Exception:  # a cache outage costs speed, never a page
            return None
        current = found.get(GENERATION_KEY)
        self.generation = int(current) if current is not None else generation()
        entry = found.get(self.key)
        if entry is None or entry[0] != self.generation:
            return None
        return entry[1]

    def set(self, value, seconds: int) -> None:
        if self.generation is None:
            self.generation = generation()
        cache_set(self.key, (self.generation, value), seconds)


class ProcessMemo:
    """Values kept in this process's memory, each with the database's count of content edits it
    was read under (rounds.content): a value is handed out only to a caller that has just read
    the same count from the database, so it is exactly as fresh as the cache entry it came from.
    The count never returns to an earlier number (rounds.content.content_version_bump), so an
    edit makes every remembered value unusable; values also expire after `seconds`, as cache
    entries do. For the sign-up POST, which reads that count anyway: it saves the cache round
    trip and the unpickling. Values are shared by the threads of the process and must be treated
    as read-only; nothing personal may be put in one.
    """

    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._entries: dict = {}
        _PROCESS_MEMOS.append(self)

    def get(self, key, version: int | None):
        entry = self._entries.get(key)
        if entry is None or version is None or entry[0] != version:
            return None
        if time.monotonic() >= entry[1]:
            return None
        return entry[2]

    def set(self, key, value, version: int | None, seconds: float) -> None:
        if version is None or seconds <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries = {}  # a bound, not an eviction policy: entries are cheap to rebuild
        self._entries[key] = (version, time.monotonic() + seconds, value)

    def clear(self) -> None:
        self._entries = {}


_PROCESS_MEMOS: list[ProcessMemo] = []


def process_memos_clear() -> None:
    """Empty every ProcessMemo (tests: a rolled-back database counts the same numbers again)."""
    for memo in _PROCESS_MEMOS:
        memo.clear()


def versioned_key(kind: str, *parts) -> VersionedKey | None:
    """Like page_key, without the generation in the key (see VersionedKey)."""
    from django.utils import translation

    joined = ":".join(str(part) for part in parts)
    if not _SAFE_PART.fullmatch(joined):
        return None
    return VersionedKey(f"{kind}:{translation.get_language()}:{joined}")


def cache_get(key: str | None):
    if key is None:
        return None
    try:
        return cache.get(key)
    except Exception:  # a cache outage costs speed, never a page
        return None


def cache_set(key: str | None, value, seconds: int) -> None:
    if key is None:
        return
    try:
        cache.set(key, value, seconds)
    except Exception:
        pass


# Query parameters that messaging apps append to shared links (WeChat adds ?from=singlemessage
# &isappinstalled=0) and that no public page reads: such requests share the path's cache entry.
# A request with any other parameter is built afresh and not stored, so a flood of
# `GET /?<random>` cannot fill the cache (and never could evict rate-limit counters, which live
# in a cache of their own: settings.CACHES["ratelimit"]).
IGNORED_QUERY_PARAMETERS = frozenset(
    {"from", "isappinstalled", "utm_source", "utm_medium", "utm_campaign"}
)


def query_is_cacheable(request) -> bool:
    return all(name in IGNORED_QUERY_PARAMETERS for name in request.GET)
