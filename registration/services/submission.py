"""The one write path for a candidate's own registration: submit, update, cancel.

Every rule is enforced here, inside one transaction, whatever the form or the browser did: the
deadline (the whole deadline day, Asia/Shanghai), the round's policy and the eligibility engine,
one active registration per ID number per round (a database constraint, so simultaneous double
submits cannot both win), and the fees quoted at that moment, stored on the registration.
"""

import dataclasses
import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import content_cache
from common.errors import DomainError
from common.idcard import IdNumberError, id_number_parse, phone_normalise
from common.normalize import NameInvalid, name_clean, student_number_normalize
from eligibility import selectors as eligibility
from fees import pricing
from registration.candidate_data import ExamType
from registration.models import Registration, RegistrationStatus, RetakeOffer, ReviewStatus
from registration.payment_state import registration_payment_refresh
from registration.services.classlists import ListMismatch, class_list_match
from registration.services.identity import IDENTITY_CONFIRMED, identity_confirmed
from registration.training.services import training_enroll
from rounds.content import content_version
from rounds.guards import ROUND_ARCHIVED, round_writable_check
from rounds.models import CandidateType, ExamRound, SchoolClass

DEADLINE_PASSED = _("报名已于%(deadline)s截止，本次提交未保存。如有疑问请在咨询时间联系工作人员。")
NOT_OPEN_YET = _("报名尚未开始（%(opens)s开始），本次提交未保存。")
SESSION_NOT_PUBLISHED = _("该考试批次未发布，不能报名。")
CANDIDATE_TYPE_NOT_ACCEPTED = _("本批次不接受%(type)s报名：%(reason)s")
LEVEL_NOT_OFFERED = _("本批次不开考该等级。")
NOT_ELIGIBLE = _("根据报考条件，您暂不能报考%(level)s。")
ALREADY_REGISTERED = _("该身份证号已在本批次报名，不能重复报名。请通过“查询报名”查看或修改。")
CLASS_REQUIRED = _("在校生须通过本班级的报名链接报名。")
CLASS_INACTIVE = _("该班级报名链接已停用，请联系辅导员。")
ALREADY_CANCELLED = _("该报名已取消。")
CHANGES_CLOSED = _("报名已截止，报名信息不能再修改或取消。")
PAID_LOCKED = _(
    "您已缴费，不能再更改申报等级、培训方式或取消报名。如需调整或退费，请联系辅导员和财务处。"
)
NUMBER_EXHAUSTED = _("系统繁忙，请稍后重试。")
RETAKE_NO_EDIT = _(
    "补考报名的等级、科目和费用不能在此修改。如需更改手机号等联系方式，请在咨询时间联系工作人员；"
    "如需放弃补考，可在截止前取消报名后重新报名。"
)


class SubmissionError(DomainError):
    """A rule refused the submission. `field` says which form field it belongs to, if any."""

    def __init__(self, message, *, field: str | None = None, reasons: tuple[str, ...] = ()):
        super().__init__(message, field=field)
        self.reasons = reasons


class AlreadyRegistered(SubmissionError):
    pass


class ClassListMismatch(SubmissionError):
    """The sign-up does not match the class list: the answer tells something, so it is limited."""


@dataclasses.dataclass(frozen=True)
class RegistrationInput:
    """What the candidate declared, already cleaned by the form."""

    name: str
    id_number: str
    ethnicity: str
    phone: str
    level_code: int
    candidate_type: str = CandidateType.STUDENT
    student_number: str = ""
    training_fee_item_id: int | None = None
    work_unit: str = ""
    # Social candidates' answers to the eligibility questions (eligibility.facts_from_dict shape).
    answers: dict[str, Any] = dataclasses.field(default_factory=dict)


def _deadline_check(exam_round: ExamRound, now: dt.datetime) -> None:
    if exam_round.is_archived:
        raise SubmissionError(ROUND_ARCHIVED)
    if not exam_round.is_published:
        raise SubmissionError(SESSION_NOT_PUBLISHED)
    if now >= exam_round.deadline_ends_at:
        deadline = f"{exam_round.registration_deadline:%Y年%-m月%-d日}"
        raise SubmissionError(DEADLINE_PASSED % {"deadline": deadline})
    if exam_round.opens_at is not None and now < exam_round.opens_at:
        opens = f"{exam_round.registration_opens:%Y年%-m月%-d日}"
        raise SubmissionError(NOT_OPEN_YET % {"opens": opens})


def _fresh_round(exam_round: ExamRound) -> ExamRound:
    """The round as the database has it now, inside this transaction.

    No row lock: submissions must not queue behind one another on the round's row (a whole year
    group registers in the same minutes). The deadline is checked against this fresh copy; the
    one-registration-per-ID rule is the database constraint's job. Its levels come along: the
    level check and the eligibility decision both read them.
    """
    return ExamRound.objects.prefetch_related("levels").get(pk=exam_round.pk)


@dataclasses.dataclass(frozen=True)
class RoundRules:
    """What a new sign-up is checked and quoted against: the round with its levels, its
    eligibility conditions and its active fee items. All of it is content (common.content_cache):
    the same for every candidate, and any admin edit of it bumps the content generation and the
    database's count of edits (rounds.content), which `version` holds as it was before the rows
    were read (None: unknown, never trusted)."""

    exam_round: ExamRound
    conditions: tuple
    fee_items: tuple
    version: int | None


_UNREAD = object()


def round_rules_read(
    exam_round: ExamRound, *, just_read: bool = False, version=_UNREAD
) -> RoundRules:
    """The round's rules from the database (four or five queries), for a caller that caches
    them with more (the class link view); round_rules() is the cached read.

    `just_read`: the caller has just read the round with its levels prefetched
    (rounds.selectors), so it is not read again; it then passes the `version` it read before it.
    """
    if version is _UNREAD:
        version = content_version()  # first: rows read after it are at least this new
    if not just_read:
        exam_round = _fresh_round(exam_round)
    fee_items = pricing.active_fee_items(exam_round=exam_round)
    # The items' levels are the round's own level rows: a cached copy stores each level once.
    levels = {level.pk: level for level in exam_round.levels.all()}
    for item in fee_items:
        item.level = levels.get(item.level_id, item.level)
    return RoundRules(
        exam_round=exam_round,
        conditions=eligibility.round_conditions(exam_round),
        fee_items=fee_items,
        version=version,
    )


def round_rules(exam_round: ExamRound) -> RoundRules:
    """The round's rules as of the current content generation: five queries on a miss, none on a
    hit (one Redis MGET, content_cache.VersionedKey), so a classroom's sign-ups do not each read
    the same rows. The submission still checks them against the database (_current_rules).
    Without a content cache (tests by default, FORM_FRAGMENT_CACHE_SECONDS=0) the rows are read
    each time.
    """
    seconds = getattr(settings, "FORM_FRAGMENT_CACHE_SECONDS", 60)
    key = content_cache.versioned_key("round-rules", exam_round.pk) if seconds > 0 else None
    rules = key.get() if key is not None else None
    if rules is None:
        rules = round_rules_read(exam_round)
        if key is not None:
            key.set(rules, seconds)
    return rules


def _current_rules(exam_round: ExamRound, rules: RoundRules | None) -> tuple[RoundRules, bool]:
    """Rules no older than the database's, and whether they had to be read afresh.

    Inside the submission's transaction: one query when the caller's (or the cache's) rules were
    read under the database's current count of content edits (rounds.content), which every
    content save bumps in its own transaction; otherwise the rules are read afresh (five more)
    and the caches are invalidated for everyone. So once an edit has committed, no submission is
    checked against older rules, even when the cache's own invalidation was lost (Redis
    unreachable for a moment, a process without Redis); a submission that runs while an edit is
    uncommitted sees the old rules, as a database read would.
    """
    current = content_version()
    if rules is None or rules.exam_round.pk != exam_round.pk:
        rules = round_rules(exam_round)
    if current is not None and rules.version == current:
        return rules, False
    if rules.version is not None:  # the cache missed an edit: make everyone read afresh
        content_cache.bump()
    return round_rules_read(exam_round, version=current), True


def _facts(*, exam_round: ExamRound, school_class: SchoolClass | None, data: RegistrationInput):
    if data.candidate_type == CandidateType.STUDENT:
        if school_class is None:
            raise SubmissionError(CLASS_REQUIRED)
        return eligibility.student_facts(exam_round=exam_round, school_class=school_class)
    try:
        return eligibility.facts_from_dict({**data.answers, "candidate_type": data.candidate_type})
    except ValueError as exc:  # FactsError: the form lets nothing malformed through, but be safe
        raise SubmissionError(str(exc)) from None


def _decision(*, exam_round: ExamRound, facts, level_code: int, conditions=None):
    # .all(): the fresh round's prefetched levels.
    level = next((lvl for lvl in exam_round.levels.all() if lvl.code == level_code), None)
    if level is None:
        raise SubmissionError(LEVEL_NOT_OFFERED, field="level")
    decision = eligibility.decision_for(
        exam_round=exam_round, level_code=level_code, facts=facts, conditions=conditions
    )
    if not decision.policy_allows:
        raise SubmissionError(
            decision.policy_reason or LEVEL_NOT_OFFERED, reasons=tuple(decision.reasons)
        )
    if not decision.eligible:
        raise SubmissionError(
            NOT_ELIGIBLE % {"level": level.name}, field="level", reasons=tuple(decision.reasons)
        )
    return level, decision


def _policy_check(exam_round: ExamRound, candidate_type: str) -> None:
    if candidate_type not in exam_round.accepted_candidate_types():
        reason = exam_round.social_refusal_reason if candidate_type == CandidateType.SOCIAL else ""
        raise SubmissionError(
            CANDIDATE_TYPE_NOT_ACCEPTED
            % {"type": CandidateType(candidate_type).label, "reason": reason or "—"}
        )


def _new_number(exam_round: ExamRound) -> str:
    """The round's year and seven random digits: nothing in it goes stale when a level changes."""
    return f"{exam_round.registration_deadline:%Y}{secrets.randbelow(10**7):07d}"


def _apply(
    registration: Registration,
    *,
    exam_round: ExamRound,
    school_class: SchoolClass | None,
    data: RegistrationInput,
    now: dt.datetime,
    rules: RoundRules | None = None,
) -> None:
    """Check every rule and copy the declared data and the quote onto `registration`.

    `rules`: the round's conditions and fee items when the caller has them (round_rules);
    otherwise they are read from the database."""
    _policy_check(exam_round, data.candidate_type)
    if school_class is not None and not school_class.is_active:
        raise SubmissionError(CLASS_INACTIVE)
    # Normalised here as well as in the form, so no caller can store a full-width ID number,
    # phone or student number, or a name no ID card carries.
    try:
        card = id_number_parse(data.id_number, today=timezone.localdate(now))
    except IdNumberError as exc:
        raise SubmissionError(exc.message, field="id_number") from None
    try:
        name = name_clean(data.name)
    except NameInvalid as exc:
        raise SubmissionError(exc.message, field="name") from None
    try:
        phone = phone_normalise(data.phone)
    except ValueError as exc:
        raise SubmissionError(str(exc), field="phone") from None
    student_number = student_number_normalize(data.student_number)
    if data.candidate_type == CandidateType.STUDENT and school_class is not None:
        try:
            class_list_match(
                school_class=school_class,
                student_number=student_number,
                name=name,
                id_number=card.number,
            )
        except ListMismatch as exc:
            raise ClassListMismatch(exc.message, field=exc.field) from None
    facts = _facts(exam_round=exam_round, school_class=school_class, data=data)
    level, decision = _decision(
        exam_round=exam_round,
        facts=facts,
        level_code=data.level_code,
        conditions=rules.conditions if rules else None,
    )
    try:
        quote = pricing.fee_quote(
            exam_round=exam_round,
            level_code=data.level_code,
            candidate_type=data.candidate_type,
            training_fee_item_id=data.training_fee_item_id,
            items=rules.fee_items if rules else None,
        )
    except pricing.PricingError as exc:
        raise SubmissionError(exc.message, field=exc.field) from None
    requote = (
        registration.pk is None
        or registration.level_id != level.pk
        or registration.training_fee_item_id
        != (quote.training_item.pk if quote.training_item else None)
        or registration.candidate_type != data.candidate_type
    )
    if requote and registration.pk is not None and registration.payments.exists():
        # Money was received against the old quote: changing what is owed is finance's job.
        raise SubmissionError(PAID_LOCKED)
    matched = decision.matched[0]
    registration.round = exam_round
    registration.school_class = school_class
    registration.candidate_type = data.candidate_type
    registration.level = level
    registration.name = name
    registration.id_number = card.number
    registration.gender = card.gender
    registration.birth_date = card.birth_date
    registration.ethnicity = data.ethnicity
    registration.phone = phone
    registration.student_number = student_number
    registration.work_unit = data.work_unit
    registration.matched_condition_code = matched.code
    registration.matched_condition_text = matched.text
    # Frozen with the verdict: what a conditionally eligible candidate must still do (training).
    registration.pending_requirement = decision.pending_requirement
    registration.declared_facts = eligibility.facts_to_dict(facts)
    if requote:
        registration.registration_fee_item = quote.registration_item
        registration.training_fee_item = quote.training_item
        registration.quoted_registration_fee = quote.registration_fee
        registration.quoted_training_fee = quote.training_fee
        registration.quoted_charge_items = quote.charge_items()


# Set from rows this service has just read (the round, its levels, the class, the fee items):
# full_clean() need not query each one again to prove that it exists.
_FETCHED_RELATIONS = [
    "round",
    "level",
    "school_class",
    "registration_fee_item",
    "training_fee_item",
]


def _full_clean(registration: Registration) -> None:
    registration.full_clean(
        exclude=["number", "token", *_FETCHED_RELATIONS],
        validate_unique=False,
        validate_constraints=False,
    )


class _Clash(Exception):
    """The insert hit a unique constraint; raised out of the attempt's transaction."""


def _save_unique(registration: Registration, *, exclude_pk: int | None = None) -> None:
    """Save; a clash on the one-active-registration constraint becomes AlreadyRegistered."""
    for _attempt in range(5):
        if registration.pk is None:
            registration.number = _new_number(registration.round)
        _full_clean(registration)
        try:
            with transaction.atomic():
                registration.save()
            return
        except IntegrityError:
            clash = Registration.objects.active().filter(
                round=registration.round, id_number=registration.id_number
            )
            if exclude_pk is not None:
                clash = clash.exclude(pk=exclude_pk)
            if clash.exists():
                raise AlreadyRegistered(ALREADY_REGISTERED, field="id_number") from None
            if registration.pk is not None:
                raise
            # Otherwise the random registration number collided: draw another.
    raise SubmissionError(NUMBER_EXHAUSTED)


def registration_submit(
    *,
    exam_round: ExamRound,
    school_class: SchoolClass | None,
    data: RegistrationInput,
    now: dt.datetime | None = None,
    rules: RoundRules | None = None,
) -> Registration:
    """Check and save a new registration; AlreadyRegistered when the ID number has one.

    `rules`: the round's rules as round_rules() gives them, when the caller read them already
    (the class link view reads them with the class, in one cache read); otherwise they are read
    here. Either way they are checked against the database's count of content edits inside the
    transaction (_current_rules).

    Each attempt is one transaction (_submit_attempt), so the insert needs no savepoint of its
    own: when it hits the one-active-registration constraint the attempt is rolled back whole
    and the clash is looked up afterwards; a collision of the random registration number (the
    other unique constraint) is retried with a new number.
    """
    now = now or timezone.now()
    for _attempt in range(5):
        try:
            return _submit_attempt(
                exam_round=exam_round, school_class=school_class, data=data, now=now, rules=rules
            )
        except _Clash as clash:
            registration = clash.args[0]
            if (
                Registration.objects.active()
                .filter(round=registration.round, id_number=registration.id_number)
                .exists()
            ):
                raise AlreadyRegistered(ALREADY_REGISTERED, field="id_number") from None
    raise SubmissionError(NUMBER_EXHAUSTED)


@transaction.atomic
def _submit_attempt(
    *,
    exam_round: ExamRound,
    school_class: SchoolClass | None,
    data: RegistrationInput,
    now: dt.datetime,
    rules: RoundRules | None,
) -> Registration:
    rules, refreshed = _current_rules(exam_round, rules)
    exam_round = rules.exam_round
    if refreshed and school_class is not None:
        # The class came from the same stale cache: its state and its major decide too.
        school_class = (
            SchoolClass.objects.select_related("major").filter(pk=school_class.pk).first()
        )
        if school_class is None:  # deleted meanwhile
            raise SubmissionError(CLASS_INACTIVE)
    _deadline_check(exam_round, now)
    registration = Registration(consent_at=now)
    _apply(
        registration,
        exam_round=exam_round,
        school_class=school_class,
        data=data,
        now=now,
        rules=rules,
    )
    registration.number = _new_number(exam_round)
    _full_clean(registration)
    try:
        registration.save()
    except IntegrityError as error:
        raise _Clash(registration) from error
    training_enroll(registration=registration)  # courses: a training class if training is pending
    return registration


def is_retake(registration: Registration) -> bool:
    """A retake (补考) registration: made from a RetakeOffer, or carrying a 免考 subject.

    Its level, subjects and fee come from the offer, not from the sign-up form: the normal edit
    (which re-runs eligibility and requotes 报名费 plus training) must never touch it.
    """
    if ExamType.EXEMPT in (registration.exam_type_theory, registration.exam_type_skill):
        return True
    return RetakeOffer.objects.filter(used_registration_id=registration.pk).exists()


def _retake_offer_release(registration: Registration) -> None:
    """A cancelled retake registration gives its offer back: the candidate may sign up again."""
    offer = RetakeOffer.objects.select_for_update().filter(used_registration=registration).first()
    if offer is None:
        return
    offer.used_registration = None
    offer._change_reason = "retake registration cancelled"
    offer.save(update_fields=["used_registration"])


def _changes_allowed(registration: Registration, now: dt.datetime) -> ExamRound:
    exam_round = _fresh_round(registration.round)
    if exam_round.is_archived:
        raise SubmissionError(ROUND_ARCHIVED)
    if registration.status == RegistrationStatus.CANCELLED:
        raise SubmissionError(ALREADY_CANCELLED)
    if now >= exam_round.deadline_ends_at or not exam_round.is_published:
        raise SubmissionError(CHANGES_CLOSED)
    return exam_round


# What a student may change without sending a reviewed registration back to review: contact
# details, which the reviewer does not check against anything. Everything else the sign-up form
# writes (identity, level, class facts, training option, what the verdict rests on) is reviewed.
REVIEW_KEEPING_FIELDS = frozenset({"phone"})


def _reviewed_state(registration: Registration) -> dict:
    """The values `_apply` writes that a reviewer looked at."""
    return {
        field: getattr(registration, field)
        for field in REVIEWED_FIELDS
        if field not in REVIEW_KEEPING_FIELDS
    }


REVIEWED_FIELDS = (
    "candidate_type",
    "level_id",
    "name",
    "id_number",
    "gender",
    "birth_date",
    "ethnicity",
    "phone",
    "student_number",
    "work_unit",
    "matched_condition_code",
    "pending_requirement",
    "declared_facts",
    "training_fee_item_id",
    "registration_fee_item_id",
    "quoted_registration_fee",
    "quoted_training_fee",
)


@transaction.atomic
def registration_update(
    *, registration: Registration, data: RegistrationInput, now: dt.datetime | None = None
) -> Registration:
    """Re-check everything as for a new submission. The counselor reviews the result again when
    anything they checked changed; a change of contact details alone keeps the review."""
    now = now or timezone.now()
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    exam_round = _changes_allowed(registration, now)
    if is_retake(registration):
        raise SubmissionError(RETAKE_NO_EDIT)
    if (data.name, data.id_number) != (registration.name, registration.id_number) and (
        identity_confirmed(registration)
    ):
        # Who the candidate is was checked by staff: only staff change it (with a reason).
        raise SubmissionError(IDENTITY_CONFIRMED)
    before = _reviewed_state(registration)
    _apply(
        registration,
        exam_round=exam_round,
        school_class=registration.school_class,
        data=data,
        now=now,
    )
    if _reviewed_state(registration) != before:
        registration.review_status = ReviewStatus.PENDING
        registration.reviewed_at = None
        registration.reviewed_by = None
    _save_unique(registration, exclude_pk=registration.pk)
    training_enroll(registration=registration)  # courses: a training class if training is pending
    registration_payment_refresh(registration)  # the quote may have changed
    return registration


@transaction.atomic
def registration_cancel(
    *, registration: Registration, now: dt.datetime | None = None
) -> Registration:
    now = now or timezone.now()
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    _changes_allowed(registration, now)
    if registration.payments.exists():
        raise SubmissionError(PAID_LOCKED)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    _retake_offer_release(registration)
    registration_payment_refresh(registration)
    return registration


@transaction.atomic
def registration_cancel_by_staff(
    *, registration: Registration, now: dt.datetime | None = None
) -> Registration:
    """Staff cancel at any time, paid or not: money received then shows as 待退费 until refunded."""
    now = now or timezone.now()
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    round_writable_check(registration.round, error=SubmissionError)
    if registration.status == RegistrationStatus.CANCELLED:
        raise SubmissionError(ALREADY_CANCELLED)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    _retake_offer_release(registration)
    registration_payment_refresh(registration)
    return registration
