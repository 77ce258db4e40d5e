"""Where and by when to pay: the overdue flag and the payment platform's QR code."""

from django import template
from django.utils.safestring import mark_safe

from common.qr import qr_svg
from registration.payment_state import owes
from registration.payment_state import payment_overdue as _payment_overdue

register = template.Library()


@register.filter
def payment_overdue(registration) -> bool:
    return _payment_overdue(registration)


@register.filter
def payment_overdue_in(registration, exam_round) -> bool:
    """The same rule for a roster row, with the round already at hand (no query per row)."""
    return owes(registration) and exam_round.is_payment_overdue


@register.simple_tag
def payment_qr(link: str) -> str:
    if not link:
        return ""
    return mark_safe(qr_svg(link, label="缴费平台二维码"))
