"""补充资料: candidates complete their platform data and upload a photo; counselors return photos.

Every write locks the registration row, validates, and saves through the model so that
django-simple-history records a history row. A photo's bytes are written to storage before the
row changes; if the row change fails the new file is deleted, and the replaced file is deleted only
once the transaction commits, so a failure never leaves a row pointing at a missing file.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from common.idcard import IdNumberError, id_number_parse
from registration.candidate_data import (
    SELF_DECLARED_EXAM_TYPES,
    Education,
    ExamType,
    IdType,
    id_document_validate,
)
from registration.messages import Event, notify
from registration.models import PhotoStatus, Registration, RegistrationStatus
from registration.photos import PhotoBusy, PhotoError, PhotoSpec, photo_process
from registration.services.classlists import class_has_list
from registration.services.identity import identity_confirmed
from rounds.guards import ROUND_ARCHIVED

CLOSED = _("补充资料已于 {date} 截止，如需修改请联系辅导员。")
CANCELLED = _("该报名已取消，不能补充资料。")
# Neutral on purpose: it must not tell a link holder whether a number is registered in the round.
DUPLICATE_ID = _("该证件号码不能用于本报名，请核对；如有疑问请联系辅导员。")
ID_CONFIRMED = _("辅导员已审核确认您的证件信息，如需更正请联系辅导员。")
ID_ON_CLASS_LIST = _("本班按班级名单报名，证件号码须与名单一致，如需更正请联系辅导员。")
BAD_CHOICE = _("请从列表中选择。")
NOT_ALLOWED = _("您无权退回该考生的照片。")
NO_PHOTO = _("该考生尚未上传照片。")
REASON_REQUIRED = _("退回照片时请填写原因，考生会在自助页看到。")
REASON_TOO_LONG = _("退回原因不能超过 200 个字。")


class SupplementError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def supplement_open(exam_round, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return exam_round.supplement_deadline is None or today <= exam_round.supplement_deadline


def _locked(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("round")
        .get(pk=registration.pk)
    )


def _check_open(registration: Registration, today: dt.date, *, photo: bool = False) -> None:
    if registration.status != RegistrationStatus.ACTIVE:
        raise SupplementError(CANCELLED)
    exam_round = registration.round
    if exam_round.is_archived:
        raise SupplementError(ROUND_ARCHIVED)
    # A photo the counselor returned may be replaced after the cut-off: the return reopens it.
    if photo and registration.photo_status == PhotoStatus.RETURNED:
        return
    if not supplement_open(exam_round, today=today):
        raise SupplementError(CLOSED.format(date=exam_round.supplement_deadline.isoformat()))


def _choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise SupplementError(BAD_CHOICE, field)
    return value


def _exam_type(value: str, field: str) -> str:
    if value not in dict(SELF_DECLARED_EXAM_TYPES):
        raise SupplementError(BAD_CHOICE, field)
    return value


@transaction.atomic
def registration_supplement(
    *,
    registration: Registration,
    id_type: str,
    id_number: str,
    education: str,
    exam_type_theory: str,
    exam_type_skill: str,
    today: dt.date | None = None,
) -> Registration:
    """Record the candidate's ID document, education and exam type per subject."""
    today = today or timezone.localdate()
    registration = _locked(registration)
    _check_open(registration, today)
    id_type = _choice(id_type, IdType, "id_type")
    try:
        number = id_document_validate(id_type, id_number, today=today)
    except IdNumberError as exc:
        raise SupplementError(exc.message, "id_number") from None
    clash = (
        Registration.objects.active()
        .filter(round_id=registration.round_id, id_number=number)
        .exclude(pk=registration.pk)
        .exists()
    )
    if clash:
        raise SupplementError(DUPLICATE_ID, "id_number")
    fields = ["id_type", "id_number", "education", "exam_type_theory", "exam_type_skill"]
    if (id_type, number) != (registration.id_type, registration.id_number):
        # The document is who the candidate is: once a counselor has confirmed it, or where the
        # class signs up against its official list, it changes only through staff.
        if identity_confirmed(registration):
            raise SupplementError(ID_CONFIRMED, "id_number")
        if registration.school_class_id and class_has_list(registration.school_class):
            raise SupplementError(ID_ON_CLASS_LIST, "id_number")
        if id_type == IdType.RESIDENT:
            card = id_number_parse(number, today=today)
            registration.gender = card.gender
            registration.birth_date = card.birth_date
            fields += ["gender", "birth_date"]
    registration.id_type = id_type
    registration.id_number = number
    registration.education = _choice(education, Education, "education")
    if ExamType.EXEMPT not in (registration.exam_type_theory, registration.exam_type_skill):
        # A retake registration's exam types were set by its offer (registration.services.
        # retakes) and stay; anyone else declares 新考 or 补考 per subject, never 免考.
        registration.exam_type_theory = _exam_type(exam_type_theory, "exam_type_theory")
        registration.exam_type_skill = _exam_type(exam_type_skill, "exam_type_skill")
    try:
        registration.full_clean(validate_unique=False, validate_constraints=False)
        with transaction.atomic():
            registration.save(update_fields=[*fields, "updated_at"])
    except ValidationError as exc:
        raise SupplementError("；".join(exc.messages)) from exc
    except IntegrityError:
        raise SupplementError(DUPLICATE_ID, "id_number") from None
    return registration


def _replace_photo(registration: Registration, jpeg: bytes, fields: list[str]) -> Registration:
    old_name = registration.photo.name if registration.photo else ""
    storage = registration.photo.storage
    registration.photo.save("photo.jpg", ContentFile(jpeg), save=False)
    new_name = registration.photo.name
    try:
        with transaction.atomic():
            registration.save(update_fields=["photo", *fields, "updated_at"])
    except Exception:
        storage.delete(new_name)
        raise
    if old_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return registration


def photo_upload(
    *, registration: Registration, data: bytes, today: dt.date | None = None
) -> Registration:
    """Replace the candidate's photo with `data`, processed to the round's specification.

    The image is decoded and re-encoded before the row is locked (that work takes up to a
    second), then the checks run again under the lock and the row changes atomically."""
    today = today or timezone.localdate()
    _check_open(registration, today, photo=True)
    try:
        jpeg = photo_process(data, PhotoSpec.of_round(registration.round))
    except PhotoBusy:
        raise  # not about the photo: the view asks the student to retry (503)
    except PhotoError as exc:
        raise SupplementError(exc.message, "photo") from None
    with transaction.atomic():
        registration = _locked(registration)
        _check_open(registration, today, photo=True)
        registration.photo_status = PhotoStatus.SUBMITTED
        registration.photo_return_reason = ""
        return _replace_photo(registration, jpeg, ["photo_status", "photo_return_reason"])


@transaction.atomic
def photo_return(*, registration: Registration, reviewer, reason: str) -> Registration:
    """Send the photo back: the candidate sees `reason` and uploads a new one."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise SupplementError(REASON_REQUIRED, "reason")
    if len(reason) > 200:
        raise SupplementError(REASON_TOO_LONG, "reason")
    registration = _locked(registration)
    if not access.may_review(reviewer, registration):
        raise SupplementError(NOT_ALLOWED)
    if registration.status != RegistrationStatus.ACTIVE:
        raise SupplementError(CANCELLED)
    if registration.round.is_archived:
        raise SupplementError(ROUND_ARCHIVED)
    if not registration.photo:
        raise SupplementError(NO_PHOTO)
    registration.photo_status = PhotoStatus.RETURNED
    registration.photo_return_reason = reason
    registration.save(update_fields=["photo_status", "photo_return_reason", "updated_at"])
    # Once per uploaded photo and reason: returning the same photo twice writes one message.
    notify(
        registration,
        Event.PHOTO_RETURNED,
        occasion=f"{registration.photo.name}:{reason}",
        reason=reason,
    )
    return registration
