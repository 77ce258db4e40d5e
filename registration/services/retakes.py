"""The retake (补考) sign-up: a candidate with an offer registers for the one failed subject.

The offer (registration.RetakeOffer) is written by results.services.offer_retakes; this module
only reads it and turns it into a Registration of the target round. The rules of a sign-up that
still apply: the round's dates (published, opened, deadline day whole), the level on offer, one
active registration per ID number per round (the same database constraint), the fee quoted at
that moment and stored. Eligibility was decided when the candidate first registered: the matched
condition is carried over from the source registration.
"""

import datetime as dt
import hmac

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.normalize import id_number_normalize, name_normalize, phone_normalize
from fees import pricing
from registration.candidate_data import ExamType, RetakeSubject
from registration.models import Registration, RetakeOffer, ReviewStatus
from registration.payment_state import registration_payment_refresh
from registration.services.submission import (
    ALREADY_REGISTERED,
    LEVEL_NOT_OFFERED,
    AlreadyRegistered,
    SubmissionError,
    _deadline_check,
    _fresh_round,
    _new_number,
)
from rounds.models import ExamRound

# Neutral on purpose: whether someone has an offer is not told to whoever types their ID number.
OFFER_NOT_FOUND = _(
    "未找到与该身份证号、姓名和手机号匹配的补考资格。请核对后重试；如有疑问请在咨询时间联系工作人员。"
)
OFFER_USED = _("该补考资格已用于报名，不能重复报名。请通过“查询报名”查看。")
# Neutral as well: the source round's personal data is gone, so the person cannot be carried over.
OFFER_UNAVAILABLE = _("该补考资格暂不能在线报名，请在咨询时间联系工作人员。")
SIGNUP_DATA_INVALID = _("原报名信息不完整，暂不能在线补考报名，请在咨询时间联系工作人员。")


def retake_offers_find(
    *, exam_round: ExamRound, id_number: str, name: str, phone: str
) -> list[RetakeOffer]:
    """Unused offers of a round for this ID number, name and the source registration's phone.

    The same proof as the lookup page (ID number and phone) plus the name, all normalised as at
    sign-up; the phone is compared in constant time. An offer whose source round was purged
    (anonymised, phone blank) never matches.
    """
    number = id_number_normalize(id_number or "").upper()
    clean_name = name_normalize(name or "")
    clean_phone = phone_normalize(phone or "")
    if not number or not clean_name or not clean_phone:
        return []
    offers = (
        RetakeOffer.objects.unused()
        .filter(
            exam_round=exam_round,
            id_number=number,
            name=clean_name,
            source_registration__round__purged_at__isnull=True,
        )
        .select_related("level", "source_registration", "exam_round")
        .order_by("-level__code", "subject")
    )
    return [
        offer
        for offer in offers
        if offer.source_registration.phone
        and hmac.compare_digest(offer.source_registration.phone.encode(), clean_phone.encode())
    ]


def _copy_person(source: Registration, registration: Registration) -> None:
    for field in (
        "candidate_type",
        "school_class_id",
        "id_type",
        "gender",
        "birth_date",
        "ethnicity",
        "phone",
        "student_number",
        "work_unit",
        "education",
        "matched_condition_code",
        "matched_condition_text",
        "declared_facts",
    ):
        setattr(registration, field, getattr(source, field))


def _exam_types(subject: str) -> tuple[str, str]:
    """(theory, skill): the retaken subject is 补考, the other one was passed before (免考)."""
    if subject == RetakeSubject.THEORY:
        return ExamType.RETAKE, ExamType.EXEMPT
    return ExamType.EXEMPT, ExamType.RETAKE


@transaction.atomic
def retake_register(
    *, offer: RetakeOffer, now: dt.datetime | None = None, user=None
) -> Registration:
    """Register the offer's person for the retaken subject in the offer's round."""
    now = now or timezone.now()
    offer = (
        RetakeOffer.objects.select_for_update()
        .select_related("source_registration__round", "level")
        .get(pk=offer.pk)
    )
    if offer.used_registration_id is not None:
        raise SubmissionError(OFFER_USED)
    exam_round = _fresh_round(offer.exam_round)
    _deadline_check(exam_round, now)
    if offer.level_id not in {level.pk for level in exam_round.levels.all()}:
        raise SubmissionError(LEVEL_NOT_OFFERED)
    source = offer.source_registration
    if source.round.purged_at is not None:
        raise SubmissionError(OFFER_UNAVAILABLE)
    try:
        quote = pricing.retake_quote(
            exam_round=exam_round,
            level_code=offer.level.code,
            candidate_type=source.candidate_type,
            subject=offer.subject,
        )
    except pricing.PricingError as exc:
        raise SubmissionError(exc.message) from None
    if Registration.objects.active().filter(round=exam_round, id_number=offer.id_number).exists():
        raise AlreadyRegistered(ALREADY_REGISTERED, field="id_number")
    registration = Registration(round=exam_round, level=offer.level, consent_at=now)
    _copy_person(source, registration)
    # Who the offer was made to: never the (possibly anonymised) copy on the source registration.
    registration.id_number = offer.id_number
    registration.name = offer.name
    registration.exam_type_theory, registration.exam_type_skill = _exam_types(offer.subject)
    registration.review_status = ReviewStatus.PENDING
    registration.registration_fee_item = quote.registration_item
    registration.training_fee_item = None
    registration.quoted_registration_fee = quote.registration_fee
    registration.quoted_training_fee = quote.training_fee
    registration.quoted_charge_items = quote.charge_items()
    for _attempt in range(5):
        registration.number = _new_number(exam_round)
        try:
            registration.full_clean(
                exclude=[
                    "number",
                    "token",
                    "round",
                    "level",
                    "school_class",
                    "registration_fee_item",
                ],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError:
            raise SubmissionError(SIGNUP_DATA_INVALID) from None
        try:
            with transaction.atomic():
                registration.save()
            break
        except IntegrityError:
            if (
                Registration.objects.active()
                .filter(round=exam_round, id_number=registration.id_number)
                .exists()
            ):
                raise AlreadyRegistered(ALREADY_REGISTERED, field="id_number") from None
            registration.pk = None
    else:
        raise SubmissionError(_("系统繁忙，请稍后重试。"))
    offer.used_registration = registration
    offer._change_reason = "retake registration"
    offer.save(update_fields=["used_registration"])
    registration_payment_refresh(registration)
    return registration
