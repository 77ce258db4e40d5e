"""The money filter, a template builtin (config.settings.base.TEMPLATES): see common.money."""

from django import template

from common.money import yuan as format_yuan

register = template.Library()


@register.filter
def yuan(value, arg: str = "") -> str:
    """``{{ amount|yuan }}`` → "82.50" / "320"; ``{{ amount|yuan:"cents" }}`` → "320.00"."""
    return format_yuan(value, cents=arg == "cents")
