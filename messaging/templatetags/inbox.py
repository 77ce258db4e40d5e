from django import template

from messaging.selectors import inbox_unread_count

register = template.Library()


@register.simple_tag
def unread_count(recipient_ref: int) -> int:
    return inbox_unread_count(recipient_ref)
