"""Normalisation at the boundary: full-width input, and names as ID cards carry them."""

import pytest

from common import normalize
from common.idcard import id_number_parse, phone_normalise
from tests.idnumbers import make_id_number

FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def test_id_number_normalize_full_width_digits_and_x():
    ascii_id = "11010519491231002X"
    assert normalize.id_number_normalize(full_width(ascii_id)) == ascii_id
    assert normalize.id_number_normalize(full_width(ascii_id.lower())) == ascii_id
    # Mixed widths and an ideographic space from an input method
    assert normalize.id_number_normalize("1101051949\u30001231００2x") == ascii_id


def test_id_number_parse_accepts_a_full_width_valid_id_and_returns_ascii():
    import datetime as dt

    number = make_id_number(7)
    card = id_number_parse(full_width(number), today=dt.date(2022, 5, 1))
    assert card.number == number and card.number.isascii()


def test_id_number_parse_refuses_non_ascii_digits_that_nfkc_keeps():
    import datetime as dt

    from common.idcard import IdNumberError

    arabic_indic = "٤" + make_id_number(7)[1:]
    with pytest.raises(IdNumberError):
        id_number_parse(arabic_indic, today=dt.date(2022, 5, 1))


def test_phone_normalise_full_width_and_prefixes():
    assert phone_normalise("１３８００１３８０００") == "13800138000"
    assert phone_normalise("+86 138-0013-8000") == "13800138000"
    assert phone_normalise("＋８６１３８００１３８０００") == "13800138000"
    with pytest.raises(ValueError):
        phone_normalise("١٣٨٠٠١٣٨٠٠٠")  # Arabic-Indic digits are not a Chinese mobile number


def test_student_number_normalize():
    assert normalize.student_number_normalize(" ２０２０ａｂ-１２ ") == "2020AB-12"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("<script>alert(1)</script>", normalize.NAME_SYMBOL % {"char": "<"}),
        ("=1+1", normalize.NAME_FORMULA_START),
        ("+张三", normalize.NAME_FORMULA_START),
        ("-张三", normalize.NAME_FORMULA_START),
        ("@张三", normalize.NAME_FORMULA_START),
        ("＝张三", normalize.NAME_FORMULA_START),
        ("张三123", normalize.NAME_DIGITS),
        ("张三１２３", normalize.NAME_DIGITS),
        ("张三😀", normalize.NAME_EMOJI),
        ("张三❤", normalize.NAME_EMOJI),
        ("Zhang San", normalize.NAME_LATIN),
        ("张Ｓａｎ", normalize.NAME_LATIN),
        ("张\u200b三", normalize.NAME_CONTROL),
        ("·张三", normalize.NAME_DOT_PLACEMENT),
        ("买买提··艾力", normalize.NAME_DOT_PLACEMENT),
        ("张", normalize.NAME_TOO_SHORT),
        ("", normalize.NAME_REQUIRED),
        ("张" * 31, normalize.NAME_TOO_LONG),
    ],
)
def test_name_clean_refuses_with_a_message(raw, message):
    with pytest.raises(normalize.NameInvalid) as caught:
        normalize.name_clean(raw)
    assert str(caught.value.message) == str(message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        (" 张 三 ", "张三"),
        ("王𠀀", "王𠀀"),  # extension B
        ("刘䶮", "刘䶮"),  # extension A
        ("李〇", "李〇"),
        ("买买提·艾力", "买买提·艾力"),
        ("买买提•艾力", "买买提·艾力"),
        ("买买提・艾力", "买买提·艾力"),
        ("买买提･艾力", "买买提·艾力"),
        ("买买提.艾力", "买买提·艾力"),
        ("买买提．艾力", "买买提·艾力"),
        ("阿依古丽·买买提·艾力", "阿依古丽·买买提·艾力"),
    ],
)
def test_name_clean_accepts_id_card_names(raw, expected):
    assert normalize.name_clean(raw) == expected
