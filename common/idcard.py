"""Chinese resident ID numbers (GB 11643-1999) and mobile numbers.

python-stdnum checks the length, the digits, the ISO 7064 MOD 11-2 check character, the birth date
and the region code against its database of administrative divisions; we add "birth date not in
the future" and turn each failure into a Chinese message the student can act on.
"""

import dataclasses
import datetime as dt
import functools
import re

from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from common.normalize import id_number_normalize, phone_normalize

ID_LENGTH_ERROR = _("身份证号应为18位，您输入的是%(length)d位。")
ID_FORMAT_ERROR = _("身份证号前17位须为数字，最后一位为数字或X。")
ID_CHECKSUM_ERROR = _("身份证号校验位不正确，请逐位核对是否输错。")
ID_BIRTH_DATE_ERROR = _("身份证号中的出生日期（第7至14位）不是有效日期。")
ID_FUTURE_BIRTH_ERROR = _("身份证号中的出生日期晚于今天，请核对。")
ID_REGION_ERROR = _("身份证号前6位的地区码无效，请核对。")
PHONE_ERROR = _("请输入11位中国大陆手机号（以13至19开头）。")

PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")
ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")


class IdNumberError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclasses.dataclass(frozen=True)
class IdCardFacts:
    number: str
    birth_date: dt.date
    gender: str  # "M" or "F", per the 17th digit (odd = male)


def normalise_id_number(raw: str) -> str:
    """ASCII (full-width digits and X typed by an input method too), no spaces, X upper case."""
    return id_number_normalize(raw)


def id_number_parse(raw: str, *, today: dt.date) -> IdCardFacts:
    number = normalise_id_number(raw)
    if len(number) != 18:
        raise IdNumberError(ID_LENGTH_ERROR % {"length": len(number)})
    if not ID_RE.match(number):
        raise IdNumberError(ID_FORMAT_ERROR)
    if number[-1] != ric.calc_check_digit(number):
        raise IdNumberError(ID_CHECKSUM_ERROR)
    try:
        birth_date = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise IdNumberError(ID_BIRTH_DATE_ERROR) from None
    if birth_date > today:
        raise IdNumberError(ID_FUTURE_BIRTH_ERROR)
    if birth_date.year < 1900:
        raise IdNumberError(ID_BIRTH_DATE_ERROR)
    if not region_known(number[:6], birth_date.year):
        raise IdNumberError(ID_REGION_ERROR)
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IdCardFacts(number=number, birth_date=birth_date, gender=gender)


@functools.lru_cache(maxsize=8192)
def region_known(region: str, year: int) -> bool:
    """Whether python-stdnum's database knows a six-digit region code (the first six digits) as
    assigned in a birth year (some codes were only valid for some years).

    Remembered per code and year: the lookup walks stdnum's tree of administrative divisions and
    was the largest cost of checking a number, and a sign-up checks its number twice (form and
    service). Only the region code and the year are kept, never an ID number.
    """
    try:
        ric.get_birth_place(f"{region}{year:04d}0101")
    except stdnum_errors.ValidationError:
        return False
    return True


def phone_normalise(raw: str) -> str:
    phone = phone_normalize(raw)
    if not PHONE_RE.match(phone):
        raise ValueError(str(PHONE_ERROR))
    return phone
