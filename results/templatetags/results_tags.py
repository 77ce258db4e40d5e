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
    from results.models import Certificate, Registration

    notice = selectors.notice_of(registration.round)
    if notice is None:
        return None
    found = selectors.round_results(
        round=registration.round, registrations=Registration.objects.filter(pk=registration.pk)
    )
    if not found:
        return None
    return {
        "notice": notice,
        "result": found[0],
        "in_notice": timezone.localdate() <= notice.ends_on,
        "certificate": Certificate.objects.filter(registration=registration).first(),
    }
