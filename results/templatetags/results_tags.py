from decimal import Decimal

from django import template

from results.rules import points_text

register = template.Library()


@register.filter
def points(value) -> str:
    if value is None or isinstance(value, Decimal):
        return points_text(value)
    return str(value)


@register.simple_tag
def student_results(registration):
    """The candidate's own results once the round's 公示 is published, else None."""
    from django.utils import timezone

    from results import selectors
    from results.certificates import CERTIFICATE_LOOKUP_URL
    from results.forms import ReviewRequestForm
    from results.models import Certificate, Registration, ReviewRequest

    notice = selectors.notice_of(registration.round)
    if notice is None or timezone.localdate() < notice.starts_on:  # a 公示 not yet started
        return None
    found = selectors.round_results(
        round=registration.round, registrations=Registration.objects.filter(pk=registration.pk)
    )
    if not found:
        return None
    today = timezone.localdate()
    result = found[0]
    in_notice = notice.starts_on <= today <= notice.ends_on
    requests = {
        r.subject: r
        for r in ReviewRequest.objects.filter(registration=registration).order_by("subject")
    }
    return {
        "notice": notice,
        "result": result,
        "in_notice": today <= notice.ends_on,
        "certificate": Certificate.objects.filter(registration=registration)
        .select_related("revoked_by")
        .first(),
        "lookup_url": CERTIFICATE_LOOKUP_URL,
        "review_requests": list(requests.values()),
        # Subjects the candidate may still ask 复核 for: during the period, once each.
        "reviewable": [s for s in result.subjects if in_notice and s.subject not in requests],
        "review_form": ReviewRequestForm() if in_notice else None,
    }


@register.simple_tag
def student_retake_offers(registration):
    """Unused retake offers made from this registration into rounds still open for sign-up."""
    from django.utils import timezone

    from registration.models import RetakeOffer

    now = timezone.now()
    offers = (
        RetakeOffer.objects.unused()
        .filter(source_registration=registration, exam_round__archived_at__isnull=True)
        .select_related("exam_round")
        .order_by("exam_round__registration_deadline", "pk")
    )
    return [o for o in offers if o.exam_round.is_open(now)]


@register.simple_tag
def home_results_links(exam_round):
    """The home page: the 公示 running today, and the retake sign-up of the current round."""
    from django.utils import timezone

    from registration.models import RetakeOffer
    from results import selectors

    today = timezone.localdate()
    return {
        "notices": selectors.notice_current(today=today),
        "retake_round": exam_round
        if exam_round is not None
        and RetakeOffer.objects.unused().filter(exam_round=exam_round).exists()
        and exam_round.is_open(timezone.now())
        else None,
    }
