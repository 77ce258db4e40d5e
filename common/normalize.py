"""Normalisation of what people type, applied at every boundary (forms, lookups, services).

Chinese input methods often produce full-width characters: "４２０１１１…" for an ID number,
"１３８…" for a phone. Unicode NFKC turns those into their ASCII forms, so the same person can
never be stored twice under two spellings, and the uniqueness check compares like with like.

Names follow what a Chinese resident ID card carries: Chinese characters, including the rare
ones of the CJK extension blocks, and the middle dot of many minority names (买买提·艾力).
Latin letters are refused on purpose: everyone this form serves holds a resident ID card (the
18-digit number is required), on which the name is written in Chinese characters.

Pure functions only: no Django models, so the form, the services, the data migration and the
imports all share one definition.
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

NAME_DOT = "\u00b7"  # "·" as printed on resident ID cards
# Dots people type for the middle dot of a minority name, depending on keyboard and input method.
NAME_DOT_VARIANTS = frozenset(
    "\u00b7"  # · middle dot
    "\u0387"  # · Greek ano teleia
    "\u2022"  # • bullet
    "\u2027"  # ‧ hyphenation point
    "\u2219"  # ∙ bullet operator
    "\u22c5"  # ⋅ dot operator
    "\u2e31"  # ⸱ word separator middle dot
    "\u30fb"  # ・ katakana middle dot (what NFKC makes of the half-width ･)
    "\ua78f"  # ꞏ Latin letter sinological dot
    "\uff0e"  # ． full-width full stop (NFKC turns it into ".", handled below)
    "."  # a plain full stop typed on a phone keyboard
)
NAME_MAX_LENGTH = 30

# Code points of Chinese characters: the basic block, extensions A to I, the compatibility
# ideographs (NFKC maps most to the basic block anyway) and 〇, which appears in a few names.
CJK_RANGES = (
    (0x3007, 0x3007),
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # basic block
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x2A6DF),  # extension B
    (0x2A700, 0x2B73F),  # extension C
    (0x2B740, 0x2B81F),  # extension D
    (0x2B820, 0x2CEAF),  # extension E
    (0x2CEB0, 0x2EBEF),  # extension F
    (0x2EBF0, 0x2EE5F),  # extension I
    (0x2F800, 0x2FA1F),  # compatibility supplement
    (0x30000, 0x3134F),  # extension G
    (0x31350, 0x323AF),  # extension H
)

NAME_REQUIRED = _("请输入姓名。")
NAME_TOO_SHORT = _("请输入完整姓名。")
NAME_TOO_LONG = _("姓名不能超过30个字。")
NAME_FORMULA_START = _("姓名不能以 = + - @ 等符号开头，请填写身份证上的姓名。")
NAME_DIGITS = _("姓名中不能含有数字，请填写身份证上的姓名。")
NAME_LATIN = _("请填写身份证上的中文姓名，不能含有英文字母。")
NAME_EMOJI = _("姓名中不能含有表情符号。")
NAME_CONTROL = _("姓名中含有不可见的控制字符，请重新输入。")
NAME_SYMBOL = _("姓名中不能含有“%(char)s”，只能填写汉字；少数民族姓名中间的圆点请用“·”。")
NAME_DOT_PLACEMENT = _("姓名中的圆点“·”只能出现在两个字之间。")

FORMULA_STARTS = ("=", "+", "-", "@")
# No value normalised here is honestly longer than this (names 30, ID numbers 18, phones 20,
# student numbers 30 characters, with room for blanks). NFKC costs about 3 µs per character of
# U+FDFA (which expands to 18): 650,000 of them held a request for 2.1 s. Longer input is not
# normalised at all (`bounded`): it comes back cut to RAW_MAX_LENGTH + 1 characters, which every
# length check downstream refuses.
RAW_MAX_LENGTH = 200
_WHITESPACE = re.compile(r"\s+")


class NameInvalid(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def too_long(value: str | None, limit: int = RAW_MAX_LENGTH) -> bool:
    """Whether raw input is over `limit` characters: checked before any normalisation (cheap)."""
    return value is not None and len(value) > limit


def bounded(value: str | None) -> str | None:
    """`value` cut to RAW_MAX_LENGTH + 1 characters when it is longer than RAW_MAX_LENGTH (then
    no helper here normalises it), else None: the caller normalises as usual."""
    if too_long(value):
        return value[: RAW_MAX_LENGTH + 1]
    return None


def to_ascii_width(value: str) -> str:
    """NFKC: full-width digits and letters (and the ideographic space) become ASCII.

    Input over RAW_MAX_LENGTH characters comes back cut, not normalised (see `bounded`)."""
    cut = bounded(value)
    if cut is not None:
        return cut
    return unicodedata.normalize("NFKC", value or "")


def id_number_normalize(raw: str) -> str:
    """ASCII, no blanks anywhere, a trailing x (full-width or not) as X."""
    cut = bounded(raw)
    if cut is not None:
        return cut
    return _WHITESPACE.sub("", to_ascii_width(raw)).upper()


def phone_normalize(raw: str) -> str:
    """ASCII digits without blanks or dashes, and without a +86 / 0086 country prefix."""
    cut = bounded(raw)
    if cut is not None:
        return cut
    phone = re.sub(r"[\s\-()]+", "", to_ascii_width(raw))
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
            break
    return phone


def student_number_normalize(raw: str) -> str:
    """ASCII without blanks, letters upper case: the school's lists and the form agree."""
    cut = bounded(raw)
    if cut is not None:
        return cut
    return _WHITESPACE.sub("", to_ascii_width(raw)).upper()


def is_cjk(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in CJK_RANGES)


def _is_emoji(char: str) -> bool:
    point = ord(char)
    return (
        unicodedata.category(char) == "So"
        or 0x1F000 <= point <= 0x1FAFF
        or 0x2600 <= point <= 0x27BF
        or point in (0xFE0F, 0x200D, 0x20E3)
    )


def name_normalize(raw: str) -> str:
    """NFKC, no blanks, every middle-dot variant as "·". Does not validate: see name_clean."""
    cut = bounded(raw)
    if cut is not None:
        return cut
    value = _WHITESPACE.sub("", to_ascii_width(raw))
    return "".join(NAME_DOT if ch in NAME_DOT_VARIANTS else ch for ch in value)


def name_clean(raw: str) -> str:
    """The normalised name, or NameInvalid with a message telling the person what to fix."""
    if too_long(raw):  # before strip() and NFKC, which cost time in proportion to the input
        raise NameInvalid(NAME_TOO_LONG)
    stripped = (raw or "").strip()
    if not stripped:
        raise NameInvalid(NAME_REQUIRED)
    if to_ascii_width(stripped).startswith(FORMULA_STARTS):
        raise NameInvalid(NAME_FORMULA_START)
    name = name_normalize(stripped)
    for char in name:
        if is_cjk(char) or char == NAME_DOT:
            continue
        if char.isdigit() or unicodedata.category(char).startswith("N"):
            raise NameInvalid(NAME_DIGITS)
        if (char.isascii() and char.isalpha()) or unicodedata.category(char) in {"Lu", "Ll"}:
            raise NameInvalid(NAME_LATIN)
        if _is_emoji(char):
            raise NameInvalid(NAME_EMOJI)
        if unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs", "Cn"}:
            raise NameInvalid(NAME_CONTROL)
        raise NameInvalid(NAME_SYMBOL % {"char": char})
    if name.startswith(NAME_DOT) or name.endswith(NAME_DOT) or NAME_DOT * 2 in name:
        raise NameInvalid(NAME_DOT_PLACEMENT)
    if len(name.replace(NAME_DOT, "")) < 2:
        raise NameInvalid(NAME_TOO_SHORT)
    if len(name) > NAME_MAX_LENGTH:
        raise NameInvalid(NAME_TOO_LONG)
    return name
