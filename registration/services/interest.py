"""Interest list of social candidates (社会人员意向登记) on a round that does not accept them.

One row per round and phone: registering again updates the name and level, so a second tap or a
retry never makes a duplicate. Only a round that refuses social candidates collects interest.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from registration.models import SocialInterest
from rounds.models import ExamRound

NOT_COLLECTING = _("本批次已接受社会考生报名，请直接报名。")
CONSENT_REQUIRED = _("请阅读并同意个人信息用于通知下一批次报名。")


class InterestError(DomainError):
    pass


def social_interest_record(
    *, exam_round: ExamRound, name: str, phone: str, level_code: int | None, consent: bool
) -> SocialInterest:
    """Record (or update) one person's interest; `name` and `phone` are already validated."""
    if exam_round.accepts_social:
        raise InterestError(NOT_COLLECTING)
    if not consent:
        raise InterestError(CONSENT_REQUIRED)
    defaults = {"name": name, "level_code": level_code, "consent_at": timezone.now()}
    for _attempt in range(2):  # two taps at once: the loser of the insert updates instead
        try:
            with transaction.atomic():
                interest, _created = SocialInterest.objects.update_or_create(
                    round=exam_round, phone=phone, defaults=defaults
                )
                interest.full_clean(validate_constraints=False)
                return interest
        except IntegrityError:
            continue
    raise InterestError(NOT_COLLECTING)  # pragma: no cover - a third racer; not reachable
