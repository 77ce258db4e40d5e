from decimal import Decimal

from django import template

from results.rules import points_text

register = template.Library()


@register.filter
def points(value) -> str:
    if value is None or isinstance(value, Decimal):
        return points_text(value)
    return str(value)
