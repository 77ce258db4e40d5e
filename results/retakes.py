"""Offering retakes (补考): the candidates of a round who failed one subject get a retake offer
for that subject in a later round (registration.RetakeOffer, read by the retake sign-up).

The rule is data: RetakeRule.retakes_allowed per level (default 1). A person's retakes used are
the active registrations of that person, level and subject marked 补考, plus unused offers of
other rounds; an offer is made only while they are fewer than the rule allows.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from common.errors import DomainError
from registration.candidate_data import ExamType
from registration.messages import Event, notify
from registration.models import RetakeOffer
from results import selectors
from results.models import Registration, RegistrationStatus, RetakeRule, Round

DEFAULT_RETAKES_ALLOWED = 1
ONLY_ACADEMIC = _("只有教务可以发出补考资格。")
SAME_ROUND = _("补考须在以后的批次进行，请选择另一个批次。")
TARGET_NOT_OPEN = _("所选批次未在报名期内（须已发布且报名未截止），不能发出补考资格。")
TARGET_ARCHIVED = _("所选批次已归档，不能发出补考资格。")
NOTICE_NOT_PUBLISHED = _("本批次成绩尚未公示，公示后才能发出补考资格。")


class RetakeOfferError(DomainError):
    pass


@dataclass
class OfferReport:
    created: int = 0
    existing: int = 0
    used_up: int = 0
    level_not_offered: int = 0


def retake_offers_of(*, exam_round) -> list[RetakeOffer]:
    """Offers made from a round's results (to any later round), for the retake page."""
    return list(
        RetakeOffer.objects.filter(source_registration__round=exam_round)
        .select_related("exam_round", "level", "used_registration")
        .order_by("exam_round__registration_deadline", "-level__code", "name", "subject")
    )


def open_target_rounds(*, source_round, now: dt.datetime | None = None) -> list:
    """Rounds a retake can be offered in: published, open for sign-up, not the source round."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    return [
        r
        for r in Round.objects.open_on(day)
        .exclude(pk=source_round.pk)
        .filter(archived_at__isnull=True)
        .prefetch_related("levels")
        if r.is_open(now)
    ]


def _retakes_used(*, people: set[str], exclude_round_id: int) -> dict[tuple, int]:
    """(id number, level id, subject) -> retake registrations plus unused offers elsewhere."""
    used: dict[tuple, int] = {}
    registrations = Registration.objects.filter(
        id_number__in=people, status=RegistrationStatus.ACTIVE
    ).values_list("id_number", "level_id", "exam_type_theory", "exam_type_skill")
    for id_number, level_id, theory, skill in registrations:
        for subject, exam_type in (("theory", theory), ("skill", skill)):
            if exam_type == ExamType.RETAKE:
                key = (id_number, level_id, subject)
                used[key] = used.get(key, 0) + 1
    offers = (
        RetakeOffer.objects.unused()
        .filter(id_number__in=people)
        .exclude(exam_round_id=exclude_round_id)
        .values_list("id_number", "level_id", "subject")
    )
    for key in offers:
        used[key] = used.get(key, 0) + 1
    return used


@transaction.atomic
def offer_retakes(
    *, source_round, target_round, actor, now: dt.datetime | None = None
) -> OfferReport:
    """Offer every retake candidate of `source_round` a retake in `target_round`.

    Idempotent: an offer that exists (same source registration, subject and round) is counted,
    never made twice; re-running after more results are in adds the new ones only.
    """
    if not access.is_academic(actor):
        raise RetakeOfferError(ONLY_ACADEMIC)
    if target_round.pk == source_round.pk:
        raise RetakeOfferError(SAME_ROUND, field="target_round")
    # Serialises two 教务 offering into the same round at once (the unique constraint backs it).
    target_round = Round.objects.select_for_update().get(pk=target_round.pk)
    if target_round.is_archived:
        raise RetakeOfferError(TARGET_ARCHIVED, field="target_round")
    if selectors.notice_of(source_round) is None:
        # Results are final only once published: no offer from scores still under review.
        raise RetakeOfferError(NOTICE_NOT_PUBLISHED)
    if not target_round.is_open(now):
        raise RetakeOfferError(TARGET_NOT_OPEN, field="target_round")
    candidates = selectors.retake_candidates(round=source_round)
    registrations = {
        r.pk: r
        for r in Registration.objects.filter(pk__in=[c.result.registration.pk for c in candidates])
    }
    allowed = dict(RetakeRule.objects.values_list("level_id", "retakes_allowed"))
    target_levels = set(target_round.levels.values_list("pk", flat=True))
    existing = set(
        RetakeOffer.objects.filter(
            exam_round=target_round, source_registration_id__in=registrations
        ).values_list("source_registration_id", "subject")
    )
    used = _retakes_used(
        people={r.id_number for r in registrations.values()}, exclude_round_id=target_round.pk
    )
    report = OfferReport()
    for candidate in candidates:
        registration = registrations[candidate.result.registration.pk]
        subject = candidate.subject.subject
        if (registration.pk, subject) in existing:
            report.existing += 1
            continue
        if registration.level_id not in target_levels:
            report.level_not_offered += 1
            continue
        key = (registration.id_number, registration.level_id, subject)
        if used.get(key, 0) >= allowed.get(registration.level_id, DEFAULT_RETAKES_ALLOWED):
            report.used_up += 1
            continue
        offer = RetakeOffer(
            id_number=registration.id_number,
            name=registration.name,
            level_id=registration.level_id,
            subject=subject,
            source_registration=registration,
            exam_round=target_round,
            created_by=actor,
        )
        offer.full_clean(exclude=["level", "source_registration", "exam_round", "created_by"])
        offer._change_reason = f"offered from {source_round.slug}"
        offer.save()
        notify(
            registration,
            Event.RETAKE_OFFERED,
            occasion=f"{target_round.pk}:{subject}",
            subject=offer.get_subject_display(),
            link=f"{settings.SITE_URL}{reverse('registration:retake', args=[target_round.slug])}",
        )
        report.created += 1
    return report
