"""Reads of the archive: is a round finished, which rounds may be purged, the archive pages."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import RegistrationStatus
from results import selectors as results
from results.models import Certificate
from rounds.models import SHANGHAI, ExamRound


def round_unfinished(exam_round: ExamRound) -> list[str]:
    """Why the round is not finished yet (empty: finished).

    Finished means the certificates are handed out: the results are published, every candidate
    the results show as passed has a certificate recorded, and every certificate of the round has
    been collected (领取). A round whose scores live only on the national platform has no notice
    here: an admin archives it with a reason.
    """
    problems = []
    if results.notice_of(exam_round) is None:
        problems.append(_("成绩尚未公示"))
        passed = set()
    else:
        passed = {r.registration.pk for r in results.round_results(round=exam_round) if r.passed}
    certificates = Certificate.objects.filter(
        registration__round=exam_round, registration__status=RegistrationStatus.ACTIVE
    )
    with_certificate = set(certificates.values_list("registration_id", flat=True))
    missing = len(passed - with_certificate)
    if missing:
        problems.append(_("%(count)d 名合格考生尚未登记证书") % {"count": missing})
    # A revoked certificate is never handed out: it does not hold the archive back.
    uncollected = certificates.filter(collected_on__isnull=True, revoked_at__isnull=True).count()
    if uncollected:
        problems.append(_("%(count)d 本证书尚未领取") % {"count": uncollected})
    if not passed and not with_certificate:
        problems.append(_("本批次没有证书记录"))
    return problems


def shanghai_today() -> dt.date:
    return timezone.localtime(timezone.now(), SHANGHAI).date()


def rounds_due(*, today: dt.date, slug: str | None = None) -> QuerySet[ExamRound]:
    """Archived rounds whose retention period has passed on `today` (Asia/Shanghai)."""
    rounds = ExamRound.objects.filter(archived_at__isnull=False).order_by("archived_at", "pk")
    if slug:
        rounds = rounds.filter(slug=slug)
    due = [r.pk for r in rounds if r.retention_ends_on is not None and r.retention_ends_on <= today]
    return ExamRound.objects.filter(pk__in=due).order_by("archived_at", "pk")
