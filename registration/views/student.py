"""The student sign-up flow and self-service: thin views over the submission service."""

import dataclasses
import time

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from common import content_cache
from courses.models import TrainingModule
from eligibility import selectors as eligibility
from eligibility.engine.vocabulary import grade_label, pending_text
from fees import pricing
from fees.pricing import current_charge_item_names
from registration import ratelimits
from registration.forms import ClassPickForm, LookupForm, RegistrationForm
from registration.models import PaymentStatus, RegistrationStatus, ReviewStatus
from registration.selectors import student as selectors
from registration.services import submission
from registration.services.identity import IDENTITY_CONFIRMED, identity_confirmed
from registration.services.submission import SubmissionError
from rounds.content import content_version
from rounds.models import CandidateType, SchoolClass
from rounds.selectors import round_current

SUBMITTED = _l("报名成功！请保存本页链接，截止前可凭它查看、修改或取消报名。")
LOOKUP_FAILED = _l("未找到与该身份证号和手机号匹配的报名。请核对后重试，或联系辅导员。")
CANCELLED_NO_CHANGES = _l("该报名已取消，不能再修改。如需报考，请在截止前重新报名。")
# Stands in for the visitor's CSRF token in a cached sign-up page: each request puts its own in.
CSRF_PLACEHOLDER = "kwt-csrf-token-placeholder"


def _refused(form, message) -> bool:
    """Say why a POST is refused on the form, validated so that the page keeps what was typed."""
    if message is None:
        return False
    form.is_valid()
    form.add_error(None, message)
    return True


def _reveal_count(request, link: str, school_class, error: SubmissionError) -> None:
    """Count an answer that told something about someone: already registered, list mismatch."""
    if isinstance(error, submission.AlreadyRegistered):
        kind = "id"
    elif isinstance(error, submission.ClassListMismatch):
        kind = "class"
    else:
        return
    ratelimits.reveal_count(request, link=link, school_class=school_class, subject_kind=kind)


def _open_round():
    exam_round = round_current()
    if exam_round is None or not exam_round.is_open():
        return exam_round, False
    return exam_round, True


def _form_cache_seconds() -> int:
    return getattr(settings, "FORM_FRAGMENT_CACHE_SECONDS", 60)


def _student_levels(exam_round, school_class):
    """Levels offered with the class's verdicts, and the eligible ones (cached per class).

    The verdict depends only on the class (major, year), the day and the round's rules, so every
    student of a class shares it. The key carries the content generation, which any admin edit of
    rules, rounds or classes bumps (common.content_cache). The submission itself always
    re-evaluates, against rules checked with the database (submission._current_rules).
    The class link's own page and sign-up read the same verdicts from _class_link.
    """
    seconds = _form_cache_seconds()
    key = None
    if seconds > 0:
        # One round trip reads the generation and the entry together (VersionedKey).
        key = content_cache.versioned_key(
            "student-levels", exam_round.pk, school_class.pk, timezone.localdate()
        )
        hit = key.get()
        if hit is not None:
            return hit
    result = _student_levels_compute(exam_round, school_class)
    if key is not None:
        key.set(result, seconds)
    return result


@dataclasses.dataclass(frozen=True)
class _ClassLink:
    """What a class link's page and its sign-ups read: the same for every student of the class."""

    school_class: SchoolClass
    rules: submission.RoundRules | None  # the current round's rules; None: there is no round
    rows: list  # (level, verdict) for every level the round offers
    eligible: list  # the levels this class may take
    version: int | None  # the database's count of content edits, read before all of the above


def _class_link(code: str, *, fresh: bool = False) -> _ClassLink | None:
    """The class behind a link with the current round's rules and the class's verdicts, in one
    cache read (content_cache.VersionedKey) per content generation and day; None for an unknown
    code (not cached). `fresh`: read from the database whatever the cache holds.

    All of it is content: an admin edit of a class, major, round, level, rule or fee bumps the
    generation and the database's count of edits (rounds.content), and the date in the key
    follows the verdicts, which depend on the day. A sign-up POST checks the entry's count first
    (_class_link_for_post), and the sign-up service checks its rules again inside its
    transaction (submission._current_rules); the deadline is compared with the clock.
    """
    seconds = _form_cache_seconds()
    key = (
        content_cache.versioned_key("class-link", timezone.localdate(), code)
        if seconds > 0
        else None
    )
    hit = key.get() if key is not None and not fresh else None
    if hit is not None:
        return hit
    version = content_version()  # before the rows: see submission.RoundRules
    school_class = selectors.school_class_by_code(code)
    if school_class is None:
        return None
    # The counselor's user row (password hash included) has no place in a shared cache.
    school_class._state.fields_cache.pop("counselor", None)
    exam_round = round_current()
    rules = (
        submission.round_rules_read(exam_round, just_read=True, version=version)
        if exam_round is not None
        else None
    )
    rows, eligible = (
        _student_levels_compute(rules.exam_round, school_class, conditions=rules.conditions)
        if rules is not None
        else ([], [])
    )
    link = _ClassLink(
        school_class=school_class, rules=rules, rows=rows, eligible=eligible, version=version
    )
    if key is not None:
        key.set(link, seconds)
    return link


# Class links that sign-ups of this process have checked against the database's count.
_POST_LINKS = content_cache.ProcessMemo()


def _class_link_for_post(code: str) -> _ClassLink | None:
    """The class link as the database has it now, for a sign-up (one query when remembered).

    A POST is refused or accepted on the entry's round, class and verdicts (closed, not accepted,
    not eligible, which levels may be chosen), so they must be no older than the database's: the
    count of content edits is read first. A link this process already read under that count is
    used as it is (content_cache.ProcessMemo); otherwise the cache's entry is, if it carries the
    count. When it carries an older one (its cache invalidation was lost), the link is read
    afresh and the caches are invalidated for everyone.
    """
    version = content_version()
    memo_key = (translation.get_language(), timezone.localdate(), code)
    link = _POST_LINKS.get(memo_key, version) if _form_cache_seconds() > 0 else None
    if link is not None:
        return link
    link = _class_link(code)
    if link is not None and (link.version is None or link.version != version):
        content_cache.bump()
        link = _class_link(code, fresh=True)
    if link is not None:
        _POST_LINKS.set(memo_key, link, link.version, _form_cache_seconds())
    return link


def _form_page_key(request, *parts) -> content_cache.VersionedKey | None:
    """The cache key of a blank sign-up page, or None when this request must be built afresh.

    A blank form page is the same for every anonymous visitor of a class except for the CSRF
    token, which is cached as a placeholder and filled in per request. Signed-in users, visitors
    with a message waiting and URLs with other query parameters always get a page of their own.
    """
    if (
        request.method != "GET"
        or _form_cache_seconds() <= 0
        or not content_cache.query_is_cacheable(request)
        or not content_cache.anonymous_visitor(request)
    ):
        return None
    return content_cache.versioned_key("form-page", timezone.localdate(), *parts)


def _with_token(request, content: str) -> HttpResponse:
    return HttpResponse(content.replace(CSRF_PLACEHOLDER, get_token(request)))


def _cached_form_page(request, key: content_cache.VersionedKey | None) -> HttpResponse | None:
    # One Redis round trip: the content generation and the page together (cache.get_many).
    hit = key.get() if key is not None else None
    if hit is None:
        return None
    content, valid_until = hit
    if time.time() >= valid_until:  # the round closed since the page was cached
        return None
    return _with_token(request, content)


def _render_form_page(request, context, *, cache_key: content_cache.VersionedKey | None):
    if cache_key is None or context["form"].is_bound or context.get("registration"):
        return render(request, "registration/student/form.html", context)
    response = render(
        request,
        "registration/student/form.html",
        {**context, "csrf_placeholder": CSRF_PLACEHOLDER},
    )
    content = response.content.decode()
    seconds = _form_cache_seconds()
    valid_until = min(time.time() + seconds, context["exam_round"].deadline_ends_at.timestamp())
    cache_key.set((content, valid_until), seconds)
    return _with_token(request, content)


def _student_levels_compute(exam_round, school_class, *, conditions=None):
    facts = eligibility.student_facts(exam_round=exam_round, school_class=school_class)
    decisions = eligibility.decisions_for(exam_round=exam_round, facts=facts, conditions=conditions)
    levels = list(exam_round.levels.all())
    rows = [(level, decisions.get(level.code)) for level in levels]
    eligible = [level for level, decision in rows if decision and decision.eligible]
    return rows, eligible


def _fee_rows(exam_round, candidate_type, levels):
    return pricing.fee_rows(exam_round=exam_round, candidate_type=candidate_type, levels=levels)


def _form_context(*, exam_round, school_class, candidate_type, form, rows=(), registration=None):
    levels = [level for level, decision in rows if decision is None or decision.eligible]
    grade = school_class.grade_on(exam_round.registration_deadline) if school_class else None
    return {
        "exam_round": exam_round,
        "school_class": school_class,
        "candidate_type": candidate_type,
        "form": form,
        "level_rows": rows,
        "fee_items": _fee_rows(exam_round, candidate_type, levels or list(exam_round.levels.all())),
        "registration": registration,
        "grade": grade,
        "grade_label": grade_label(grade) if grade else "",
    }


def _apply_error(form, error: SubmissionError) -> None:
    form.already_registered = isinstance(error, submission.AlreadyRegistered)
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    for reason in error.reasons:
        form.add_error(field, reason)


def _closed(request, exam_round):
    """The round is not open: before its first day, after its deadline, or there is none."""
    not_yet_open = bool(exam_round and exam_round.opens_at and timezone.now() < exam_round.opens_at)
    context = {
        "exam_round": exam_round,
        "not_yet_open": not_yet_open,
        # A form sent after the deadline: say plainly that nothing was saved.
        "submission_refused": request.method == "POST",
    }
    return render(request, "registration/student/closed.html", context)


def _submit_or_render(request, form: RegistrationForm, *, rows, cache_key=None, rules=None):
    """Submit a valid new registration and go to its private page, or show the form again."""
    # Limits per link, per subject asked about, and a per-address backstop that only slows
    # (registration.ratelimits): one cache round trip.
    refused = request.method == "POST" and _refused(
        form, ratelimits.signup_refusal(request, school_class=form.school_class)
    )
    if request.method == "POST" and not refused and form.is_valid():
        try:
            registration = submission.registration_submit(
                exam_round=form.exam_round,
                school_class=form.school_class,
                data=form.to_input(),
                rules=rules,
            )
        except SubmissionError as error:
            link = ratelimits.signup_link(form.school_class)
            _reveal_count(request, link, form.school_class, error)
            _apply_error(form, error)
        else:
            messages.success(request, SUBMITTED)
            return redirect(self_service_url(registration))
    context = _form_context(
        exam_round=form.exam_round,
        school_class=form.school_class,
        candidate_type=form.candidate_type,
        form=form,
        rows=rows,
    )
    return _render_form_page(request, context, cache_key=cache_key)


@never_cache
@require_http_methods(["GET", "POST"])
def class_entry(request, code: str):
    cache_key = _form_page_key(request, "class", code)
    cached = _cached_form_page(request, cache_key)
    if cached is not None:
        return cached
    link = _class_link_for_post(code) if request.method == "POST" else _class_link(code)
    if link is None:
        return render(request, "registration/student/bad_link.html", status=404)
    school_class = link.school_class
    exam_round = link.rules.exam_round if link.rules is not None else None
    if exam_round is None or not exam_round.is_open():
        return _closed(request, exam_round)
    if CandidateType.STUDENT not in exam_round.accepted_candidate_types():
        return render(
            request,
            "registration/student/not_accepted.html",
            {"exam_round": exam_round},
            status=200,
        )
    if not link.eligible:
        return render(
            request,
            "registration/student/not_eligible.html",
            {"exam_round": exam_round, "school_class": school_class, "level_rows": link.rows},
        )
    form = RegistrationForm(
        request.POST or None,
        exam_round=exam_round,
        candidate_type=CandidateType.STUDENT,
        levels=link.eligible,
        school_class=school_class,
    )
    return _submit_or_render(request, form, rows=link.rows, cache_key=cache_key, rules=link.rules)


@never_cache
@require_http_methods(["GET", "POST"])
def social_entry(request):
    cache_key = _form_page_key(request, "social")
    cached = _cached_form_page(request, cache_key)
    if cached is not None:
        return cached
    exam_round, is_open = _open_round()
    if not is_open:
        return _closed(request, exam_round)
    if CandidateType.SOCIAL not in exam_round.accepted_candidate_types():
        return render(request, "registration/student/not_accepted.html", {"exam_round": exam_round})
    levels = list(exam_round.levels.all())
    form = RegistrationForm(
        request.POST or None,
        exam_round=exam_round,
        candidate_type=CandidateType.SOCIAL,
        levels=levels,
        training_items=pricing.training_options_for_round(
            exam_round=exam_round, candidate_type=CandidateType.SOCIAL
        ),
    )
    return _submit_or_render(
        request, form, rows=[(level, None) for level in levels], cache_key=cache_key
    )


@require_http_methods(["GET", "POST"])
def register_pick(request):
    exam_round, is_open = _open_round()
    form = ClassPickForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("registration:class_entry", code=form.cleaned_data["school_class"].code)
    return render(
        request,
        "registration/student/pick.html",
        {"form": form, "exam_round": exam_round, "is_open": is_open},
    )


def self_service_url(registration) -> str:
    return reverse(
        "registration:registration_detail",
        kwargs={"pk": registration.pk, "token": registration.token},
    )


def _registration_or_404(pk: int, token: str):
    registration = selectors.registration_by_link(pk, token)
    if registration is None:
        raise Http404
    return registration


@never_cache
def registration_detail(request, pk: int, token: str):
    registration = _registration_or_404(pk, token)
    exam_round = registration.round
    modules = (
        TrainingModule.objects.filter(round=exam_round, level=registration.level)
        .prefetch_related("topics")
        .order_by("number")
    )
    round_open = exam_round.is_open()
    cancelled = registration.status == RegistrationStatus.CANCELLED
    can_change = not cancelled and round_open
    has_payments = registration.payments.exists()
    charge_items = []
    if not cancelled:
        current_names = current_charge_item_names([registration])
        # Show the finance office's current name for each item the student owes.
        charge_items = [
            {**item, "name": current_names.get(item.get("fee_item_id"), item["name"])}
            for item in registration.quoted_charge_items
        ]
    return render(
        request,
        "registration/student/detail.html",
        {
            "registration": registration,
            "exam_round": exam_round,
            "modules": modules,
            "can_change": can_change,
            "can_edit": can_change and not submission.is_retake(registration),
            "can_cancel": can_change and not has_payments,
            "cancelled": cancelled,
            # Money received before the cancellation is owed back: say so instead of a fee table.
            "money_received": cancelled
            and (has_payments or registration.payment_status != PaymentStatus.UNPAID),
            "reregister_url": _reregister_url(registration) if cancelled and round_open else "",
            "charge_items": charge_items,
            "pending_text": pending_text(registration.pending_requirement, registration.level.code),
            "private_url": request.build_absolute_uri(self_service_url(registration)),
        },
    )


def _reregister_url(registration) -> str:
    """Where a cancelled candidate signs up again: their class's link, or the social form."""
    exam_round = registration.round
    if registration.candidate_type == CandidateType.STUDENT:
        school_class = registration.school_class
        if school_class is None or not school_class.is_active:
            return ""
        if CandidateType.STUDENT not in exam_round.accepted_candidate_types():
            return ""
        return reverse("registration:class_entry", kwargs={"code": school_class.code})
    if CandidateType.SOCIAL not in exam_round.accepted_candidate_types():
        return ""
    return reverse("registration:social_entry")


@never_cache
@require_http_methods(["GET", "POST"])
def registration_edit(request, pk: int, token: str):
    registration = _registration_or_404(pk, token)
    exam_round = registration.round
    if registration.status == RegistrationStatus.CANCELLED:
        # Not "报名已截止": the round may well be open, and the page offers signing up again.
        messages.error(request, CANCELLED_NO_CHANGES)
        return redirect(self_service_url(registration))
    if not exam_round.is_open():
        messages.error(request, submission.CHANGES_CLOSED)
        return redirect(self_service_url(registration))
    if submission.is_retake(registration):
        # Level, subjects and fee come from the retake offer: nothing here may change them.
        messages.error(request, submission.RETAKE_NO_EDIT)
        return redirect(self_service_url(registration))
    school_class = registration.school_class
    ctype = registration.candidate_type
    if ctype == CandidateType.STUDENT and school_class is not None:
        rows, levels = _student_levels(exam_round, school_class)
        training_items = ()
    else:
        levels = list(exam_round.levels.all())
        rows = [(level, None) for level in levels]
        training_items = pricing.training_options_for_round(
            exam_round=exam_round, candidate_type=ctype
        )
    form = RegistrationForm(
        request.POST or None,
        initial=RegistrationForm.initial_from(registration),
        exam_round=exam_round,
        candidate_type=ctype,
        levels=levels or [registration.level],
        training_items=training_items,
        school_class=school_class,
    )
    locked = identity_confirmed(registration)
    if locked:
        # Confirmed by staff: shown, not editable; the browser's value is ignored (disabled
        # fields take their initial value) and the service refuses a change anyway.
        for field_name in ("name", "id_number"):
            field = form.fields[field_name]
            field.disabled = True
            field.help_text = IDENTITY_CONFIRMED
            field.widget.attrs["readonly"] = True
    # Nobody needs 30 edits in 15 minutes; a loop probing other ID numbers does.
    refused = request.method == "POST" and _refused(
        form,
        ratelimits.edit_refusal(request, registration=registration, school_class=school_class),
    )
    if request.method == "POST" and not refused and form.is_valid():
        try:
            updated = submission.registration_update(
                registration=registration, data=form.to_input()
            )
        except SubmissionError as error:
            link = ratelimits.private_link(registration)
            _reveal_count(request, link, school_class, error)
            _apply_error(form, error)
        else:
            if updated.review_status == ReviewStatus.CONFIRMED:
                messages.success(request, _("报名信息已更新，审核结果不变。"))
            else:
                messages.success(request, _("报名信息已更新，将重新审核。"))
            return redirect(self_service_url(registration))
    context = _form_context(
        exam_round=exam_round,
        school_class=school_class,
        candidate_type=ctype,
        form=form,
        rows=rows,
        registration=registration,
    )
    return render(request, "registration/student/form.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def registration_cancel(request, pk: int, token: str):
    registration = _registration_or_404(pk, token)
    if registration.status == RegistrationStatus.CANCELLED:
        return redirect(self_service_url(registration))
    if request.method == "POST":
        try:
            submission.registration_cancel(registration=registration)
        except SubmissionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("报名已取消。截止前如需报考，可重新报名。"))
        return redirect(self_service_url(registration))
    return render(
        request,
        "registration/student/cancel.html",
        {"registration": registration, "exam_round": registration.round},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request):
    form = LookupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        id_number = form.cleaned_data["id_number"]
        if ratelimits.lookup_refused(request, scope="lookup", id_number=id_number):
            form.add_error(None, ratelimits.LOOKUP_RATE_LIMITED)
            status = 429
        else:
            registration = selectors.registration_lookup(
                id_number=form.cleaned_data["id_number"], phone=form.cleaned_data["phone"]
            )
            if registration is not None:
                return redirect(self_service_url(registration))
            ratelimits.lookup_failure_count(request, scope="lookup", id_number=id_number)
            form.add_error(None, LOOKUP_FAILED)
    return render(request, "registration/student/lookup.html", {"form": form}, status=status)


def signup_form_after_csrf_failure(request, *, url_name: str, kwargs: dict):
    """The sign-up form again, filled with what was posted, after a failed CSRF check.

    Called by the CSRF failure view (registration.views.errors) when a sign-up POST was refused,
    typically because the page sat open past its token's life or cookies were cleared. Nothing is
    submitted or saved: the student checks the form and sends it again with the fresh token this
    page carries. Returns None when the request was not a sign-up or the round is not open.
    """
    if request.method != "POST" or url_name not in ("class_entry", "social_entry"):
        return None
    exam_round, is_open = _open_round()
    if not is_open:
        return None
    if url_name == "class_entry":
        school_class = selectors.school_class_by_code(kwargs.get("code", ""))
        if (
            school_class is None
            or CandidateType.STUDENT not in exam_round.accepted_candidate_types()
        ):
            return None
        rows, eligible = _student_levels(exam_round, school_class)
        if not eligible:
            return None
        form = RegistrationForm(
            request.POST,
            exam_round=exam_round,
            candidate_type=CandidateType.STUDENT,
            levels=eligible,
            school_class=school_class,
        )
    else:
        if CandidateType.SOCIAL not in exam_round.accepted_candidate_types():
            return None
        levels = list(exam_round.levels.all())
        rows = [(level, None) for level in levels]
        form = RegistrationForm(
            request.POST,
            exam_round=exam_round,
            candidate_type=CandidateType.SOCIAL,
            levels=levels,
            training_items=pricing.training_options_for_round(
                exam_round=exam_round, candidate_type=CandidateType.SOCIAL
            ),
        )
    context = _form_context(
        exam_round=exam_round,
        school_class=form.school_class,
        candidate_type=form.candidate_type,
        form=form,
        rows=rows,
    )
    context["csrf_expired"] = True
    return render(request, "registration/student/form.html", context, status=403)
