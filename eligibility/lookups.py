"""Small reads the self-check page and the API need besides the rules themselves."""

import re

from django.db.models import Case, IntegerField, QuerySet, Value, When

from rounds.models import ExamRound, Major, MajorRelation, SchoolClass
from rounds.selectors import round_current

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")
MAX_MAJOR_NAME = 60


def session_for_self_check(slug: str | None) -> ExamRound | None:
    """The published round with this slug, or the current round when no slug is given."""
    if slug is None:
        return round_current()
    if not SLUG_RE.match(slug):
        return None
    return ExamRound.objects.published().prefetch_related("levels").filter(slug=slug).first()


def major_by_name(name: str) -> Major | None:
    name = name.strip()
    if not name or len(name) > MAX_MAJOR_NAME or "\x00" in name:
        return None
    return Major.objects.filter(name=name).first()


def majors_for_self_check() -> QuerySet[Major]:
    # 本专业 first, then 相关专业, then the rest.
    rank = Case(
        When(relation=MajorRelation.SAME, then=Value(0)),
        When(relation=MajorRelation.RELATED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return Major.objects.order_by(rank, "name")


def classes_for_self_check() -> QuerySet[SchoolClass]:
    return SchoolClass.objects.active().select_related("major").order_by("name")
