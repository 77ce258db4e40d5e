"""Raw input is measured before it is normalised: NFKC costs time in proportion to the input
(650,000 × U+FDFA in 学号 held an anonymous POST for 2.1 s), so nothing long is normalised."""

import time

import pytest

from common import cells, normalize
from common.normalize import RAW_MAX_LENGTH, NameInvalid

LIGATURE = "\ufdfa"  # one character that NFKC expands to 18


@pytest.mark.parametrize(
    "helper",
    [
        normalize.to_ascii_width,
        normalize.id_number_normalize,
        normalize.phone_normalize,
        normalize.student_number_normalize,
        normalize.name_normalize,
        cells.cell_text,
    ],
)
def test_normalisers_do_not_normalise_input_past_the_raw_limit(helper):
    started = time.perf_counter()
    value = helper(LIGATURE * 650_000)
    elapsed = time.perf_counter() - started
    # Cut, not expanded (the normalised text would be 11.7 million characters).
    assert len(value) == RAW_MAX_LENGTH + 1
    assert elapsed < 0.05


@pytest.mark.parametrize(
    "helper",
    [normalize.to_ascii_width, normalize.student_number_normalize, cells.cell_text],
)
def test_normalisers_still_normalise_input_at_the_raw_limit(helper):
    value = helper("２" * RAW_MAX_LENGTH)
    assert value == "2" * RAW_MAX_LENGTH
    assert len(helper("２" * (RAW_MAX_LENGTH + 1))) == RAW_MAX_LENGTH + 1  # just past: cut


def test_name_clean_refuses_a_huge_name_before_normalising():
    started = time.perf_counter()
    with pytest.raises(NameInvalid) as refused:
        normalize.name_clean(LIGATURE * 650_000)
    assert time.perf_counter() - started < 0.05
    assert refused.value.message == normalize.NAME_TOO_LONG
