"""Who a registration is (姓名, 身份证号) is fixed once staff have confirmed it.

A counselor's or 教务's confirmation checks the name and ID number against the student's
documents; the seat, the admission ticket and the national platform's sheet follow from them. So
after the first confirmation the student can no longer change either, neither on the edit form
(`registration.services.submission.registration_update`, the fields shown read-only) nor on
补充资料 (`registration.services.supplement`): `identity_confirmed` is the one rule both ask.
Staff correct a mistake with `registration_identity_change`, which needs a reason and leaves it in
the registration's history; the admission ticket follows by itself (its PDF is cached under a
digest of what it shows, `exams.tickets.ticket_version`, so the next download is the new one).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from common.errors import DomainError
from common.idcard import IdNumberError, id_number_parse
from common.normalize import NameInvalid, name_clean
from registration.candidate_data import IdType, id_document_validate
from registration.models import Registration, RegistrationStatus, ReviewStatus
from rounds.guards import round_writable_check

IDENTITY_CONFIRMED = _(
    "辅导员已审核确认您的姓名和身份证号，不能再自行修改。如需更正，请联系辅导员或教务处。"
)
NOT_ALLOWED = _("您无权更正该考生的身份信息。")
REASON_REQUIRED = _("请填写更正原因（如：身份证号录入错误，已核对身份证原件）。")
REASON_TOO_LONG = _("更正原因不能超过 200 个字。")
NOTHING_CHANGED = _("姓名和身份证号都没有变化。")
DUPLICATE = _("本批次已有使用该身份证号的报名，请核对。")
CANCELLED = _("该报名已取消，不能更正身份信息。")
REASON_MAX_LENGTH = 200


class IdentityError(DomainError):
    pass


def identity_confirmed(registration: Registration) -> bool:
    """Whether staff have ever confirmed this registration: confirmed now, or confirmed before
    and returned to 待审核 by a later edit (the history keeps every review state)."""
    if registration.review_status == ReviewStatus.CONFIRMED:
        return True
    if registration.pk is None:
        return False
    return registration.history.filter(review_status=ReviewStatus.CONFIRMED).exists()


@transaction.atomic
def registration_identity_change(
    *, registration: Registration, name: str, id_number: str, reason: str, user
) -> Registration:
    """Staff correct a candidate's name and/or ID number, with the reason kept in the history."""
    registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    if not access.may_review(user, registration):
        raise IdentityError(NOT_ALLOWED)
    round_writable_check(registration.round, error=IdentityError)
    if registration.status != RegistrationStatus.ACTIVE:
        raise IdentityError(CANCELLED)
    reason = " ".join((reason or "").split())
    if not reason:
        raise IdentityError(REASON_REQUIRED, field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise IdentityError(REASON_TOO_LONG, field="reason")
    try:
        clean_name = name_clean(name)
    except NameInvalid as exc:
        raise IdentityError(exc.message, field="name") from None
    today = timezone.localdate()
    try:
        # The document type stays (补充资料 sets it); a resident card also gives gender and birth.
        number = id_document_validate(registration.id_type, id_number, today=today)
        card = (
            id_number_parse(number, today=today)
            if registration.id_type == IdType.RESIDENT
            else None
        )
    except IdNumberError as exc:
        raise IdentityError(exc.message, field="id_number") from None
    if (clean_name, number) == (registration.name, registration.id_number):
        raise IdentityError(NOTHING_CHANGED)
    clash = (
        Registration.objects.active()
        .filter(round_id=registration.round_id, id_number=number)
        .exclude(pk=registration.pk)
        .exists()
    )
    if clash:
        raise IdentityError(DUPLICATE, field="id_number")
    registration.name = clean_name
    registration.id_number = number
    if card is not None:
        registration.gender = card.gender
        registration.birth_date = card.birth_date
    registration._change_reason = f"身份信息更正：{reason}"
    registration._history_user = user
    try:
        registration.full_clean(validate_unique=False, validate_constraints=False)
        with transaction.atomic():
            registration.save(
                update_fields=["name", "id_number", "gender", "birth_date", "updated_at"]
            )
    except IntegrityError:
        raise IdentityError(DUPLICATE, field="id_number") from None
    return registration
