"""The shared cell readers name the column they read in their messages."""

import datetime as dt

import pytest

from common.cells import RowError, cell_date, cell_person


def test_a_bad_date_names_its_column():
    with pytest.raises(RowError, match=r"^发证日期“明天”不是有效日期"):
        cell_date("明天", label="发证日期")
    assert cell_date("2025年12月1日", label="发证日期") == dt.date(2025, 12, 1)
    assert cell_date(45992, label="发证日期") == dt.date(2025, 12, 1)


def test_person_prefers_the_id_number_and_refuses_one_excel_made_numeric():
    assert cell_person(" 11010519491231002x ", "R1") == "11010519491231002X"
    assert cell_person(None, 2022000101.0) == "2022000101"
    assert cell_person("", None) == ""
    with pytest.raises(RowError, match="存成了数字"):
        cell_person(110105194912310020, None)
