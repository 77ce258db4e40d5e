"""Workbooks built to hold a worker: a cell budget and a shared-strings budget checked before
openpyxl parses anything, and the header row read first so a missing column stops the read."""

import io
import time

import pytest
from openpyxl import Workbook

from common import workbook
from common.workbook import WorkbookError, header_peek, workbook_rows
from payments.imports import PaymentFileError, payment_file_read
from registration.services.classlists import ClassListError, class_list_parse
from tests.common import attack_workbooks


def _timed(call):
    started = time.perf_counter()
    with pytest.raises((WorkbookError, ClassListError, PaymentFileError)) as refused:
        call()
    return time.perf_counter() - started, refused.value.message


def test_800k_cells_are_refused_before_parsing():
    content = attack_workbooks.many_cells(800_000)
    assert len(content) < workbook.MAX_UPLOAD_BYTES
    elapsed, message = _timed(lambda: workbook_rows(content))
    assert message == workbook.TOO_MANY_CELLS % {"max": workbook.MAX_CELLS}
    assert "单元格过多" in message
    assert elapsed < 1.0  # 10 s before (22 s on a loaded 2-core machine)


def test_cell_budget_boundary():
    # 19,999 rows of 10 cells and a header of 10: exactly the budget, read whole.
    header = tuple("abcdefghij")
    at_budget = attack_workbooks.many_cells(workbook.MAX_CELLS - 10, columns=10, header=header)
    assert len(workbook_rows(at_budget)) == workbook.MAX_CELLS // 10
    past = attack_workbooks.many_cells(workbook.MAX_CELLS - 10, columns=10, header=(*header, "k"))
    with pytest.raises(WorkbookError, match="单元格过多"):
        workbook_rows(past)  # one more header cell takes it just past


def test_28_mb_of_shared_strings_are_refused_before_parsing():
    content = attack_workbooks.big_shared_strings(28)
    assert len(content) < workbook.MAX_UPLOAD_BYTES
    elapsed, message = _timed(lambda: workbook_rows(content))
    assert "文字内容过多" in message
    assert elapsed < 1.0  # 15 s before


def test_a_missing_column_is_found_before_the_rest_is_parsed():
    # Under both budgets: openpyxl alone would parse every shared string and (without a
    # <dimension>) the whole sheet before the first row (3-4 s here).
    for content in (
        attack_workbooks.many_cells(workbook.MAX_CELLS - 1000),
        attack_workbooks.big_shared_strings(3.9),
    ):
        elapsed, message = _timed(
            lambda content=content: class_list_parse(content, school_class=None, classes=[])
        )
        assert "缺少必需的列：身份证号" in message
        assert elapsed < 0.5


def test_payment_list_without_a_column_is_refused_from_the_header():
    content = attack_workbooks.many_cells(
        workbook.MAX_CELLS - 1000, header=("身份证号", "金额", "缴费日期")
    )
    elapsed, message = _timed(lambda: payment_file_read(content))
    assert "收费项目" in message
    assert elapsed < 0.5


def test_header_peek_reads_shared_and_inline_strings():
    book = Workbook()
    book.active.append([None])
    book.active.append(["学号", "姓名", 12, "身份证号"])
    book.active.append(["2021001", "张三", 1, "110105194912310021"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert header_peek(buffer.getvalue()) == ["学号", "姓名", "12", "身份证号"]
    inline = attack_workbooks.many_cells(10, columns=2, header=("学号", "姓名"))
    assert header_peek(inline) == ["学号", "姓名"]
    assert header_peek(b"not a zip") is None
