"""The admission-ticket number format (`ExamPlan.ticket_number_format`), checked before use.

It is a Python format string, and Python's formatting does whatever the spec asks:
`{seq:>300000000}` pads to 300 million characters (354 MB in one request), `{seq.__class__}`
reaches attributes. So the string is parsed first (`string.Formatter.parse`, linear in its
length, allocates nothing large) and only a whitelist passes: the fields `year`, `round`,
`level` and `seq`, no attribute or index, no conversion, and a spec that is at most a zero-padded
width of up to MAX_WIDTH digits with an optional `d` (`{seq:05d}`, `{round:03}`). Literal text
outside the fields may be letters, digits and `-`. The model field's validator and the service
that formats (`exams.services.ticket_number`) both call `ticket_format_check`.
"""

import re
import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIELDS = ("year", "round", "level", "seq")
MAX_WIDTH = 20
_SPEC = re.compile(r"0?([1-9][0-9]?)?d?")
_LITERAL = re.compile(r"[A-Za-z0-9-]*")

UNKNOWN_FIELD = _("准考证号格式中只能使用 {year}、{round}、{level}、{seq}，不能使用“%(field)s”。")
BAD_SPEC = _(
    "准考证号格式“%(field)s”的宽度写法无效：只能写成如 {seq:05d} 的补零宽度（最多%(max)d位）。"
)
BAD_LITERAL = _("准考证号格式中除占位符外只能有字母、数字和“-”。")
UNBALANCED = _("准考证号格式的花括号不成对：%(error)s")
NO_SEQ = _("准考证号格式须包含 {seq}，否则号码会重复。")


def ticket_format_check(template: str) -> None:
    """Raise ValidationError (Chinese message) unless `template` is on the whitelist."""
    try:
        parts = list(string.Formatter().parse(template or ""))
    except ValueError as error:
        raise ValidationError(UNBALANCED, params={"error": error}) from None
    has_seq = False
    for literal, field, spec, conversion in parts:
        if not _LITERAL.fullmatch(literal or ""):
            raise ValidationError(BAD_LITERAL)
        if field is None:
            continue
        if field not in FIELDS or conversion is not None:
            shown = field if conversion is None else f"{field}!{conversion}"
            raise ValidationError(UNKNOWN_FIELD, params={"field": "{" + shown[:20] + "}"})
        match = _SPEC.fullmatch(spec or "")
        if match is None or int(match.group(1) or 0) > MAX_WIDTH:
            raise ValidationError(
                BAD_SPEC, params={"field": "{" + f"{field}:{spec}"[:30] + "}", "max": MAX_WIDTH}
            )
        has_seq = has_seq or field == "seq"
    if not has_seq:
        raise ValidationError(NO_SEQ)
