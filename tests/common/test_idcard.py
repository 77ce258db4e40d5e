import datetime as dt

import pytest

from common import idcard
from tests.idnumbers import check_char, make_id_number

TODAY = dt.date(2022, 5, 10)


def _with_check(first17: str) -> str:
    return first17 + check_char(first17)


@pytest.mark.parametrize(
    ("raw", "expected_number", "gender", "birth"),
    [
        (make_id_number(1), make_id_number(1), "M", dt.date(2002, 3, 14)),
        (make_id_number(2, male=False), make_id_number(2, male=False), "F", dt.date(2002, 3, 14)),
        ("11010519491231002x", "11010519491231002X", "F", dt.date(1949, 12, 31)),
        (" 1101 0519 4912 3100 2X ", "11010519491231002X", "F", dt.date(1949, 12, 31)),
    ],
)
def test_id_number_parse_accepts_valid_numbers(raw, expected_number, gender, birth):
    card = idcard.id_number_parse(raw, today=TODAY)
    assert card.number == expected_number
    assert card.gender == gender
    assert card.birth_date == birth


def _bad_checksum() -> str:
    good = make_id_number(1)
    wrong = "0" if good[-1] != "0" else "1"
    return good[:-1] + wrong


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", idcard.ID_LENGTH_ERROR % {"length": 0}),
        (make_id_number(1)[:17], idcard.ID_LENGTH_ERROR % {"length": 17}),
        (make_id_number(1) + "1", idcard.ID_LENGTH_ERROR % {"length": 19}),
        ("42010620020314003A", idcard.ID_FORMAT_ERROR),
        ("4201062002031400X7", idcard.ID_FORMAT_ERROR),
        (_bad_checksum(), idcard.ID_CHECKSUM_ERROR),
        (_with_check("42010620020230003"), idcard.ID_BIRTH_DATE_ERROR),  # 30 February
        (_with_check("42010620021301003"), idcard.ID_BIRTH_DATE_ERROR),  # month 13
        (_with_check("42010620220511003"), idcard.ID_FUTURE_BIRTH_ERROR),  # the day after TODAY
        (_with_check("99999920020314003"), idcard.ID_REGION_ERROR),
        (_with_check("42010618990314003"), idcard.ID_BIRTH_DATE_ERROR),
    ],
)
def test_id_number_parse_rejects_with_a_chinese_reason(raw, message):
    with pytest.raises(idcard.IdNumberError) as caught:
        idcard.id_number_parse(raw, today=TODAY)
    assert str(caught.value) == str(message)


def test_id_number_parse_accepts_a_birth_date_of_today():
    card = idcard.id_number_parse(_with_check("42010620220510003"), today=TODAY)
    assert card.birth_date == TODAY


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("19912345678", "19912345678"),
        ("138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
    ],
)
def test_phone_normalise_accepts_mainland_mobiles(raw, expected):
    assert idcard.phone_normalise(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "12800138000", "1380013800", "138001380001", "23800138000", "1380013800a", "10086"]
)
def test_phone_normalise_rejects_bad_numbers(raw):
    with pytest.raises(ValueError, match="11位"):
        idcard.phone_normalise(raw)


def test_region_codes_are_checked_against_the_birth_year():
    # 110103 (崇文区) was abolished in 2010: valid for someone born in 2005, not in 2011. The
    # remembered region check (idcard.region_known) is keyed by the year as well as the code.
    today = dt.date(2026, 1, 1)
    born_2005 = _with_check("11010320050314003")
    born_2011 = _with_check("11010320110314003")
    assert idcard.id_number_parse(born_2005, today=today).birth_date == dt.date(2005, 3, 14)
    with pytest.raises(idcard.IdNumberError) as caught:
        idcard.id_number_parse(born_2011, today=today)
    assert str(caught.value) == str(idcard.ID_REGION_ERROR)
    # Asked again (from the cache), the answers stay the same.
    assert idcard.id_number_parse(born_2005, today=today).number == born_2005
    with pytest.raises(idcard.IdNumberError):
        idcard.id_number_parse(born_2011, today=today)
