import datetime as dt
import io
import re
import tracemalloc
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from common.xlsx import SHEET_NAME_FORBIDDEN, SheetNames, content_disposition
from tests.factories import SchoolClassFactory, level
from tests.workspace.xlsx_helpers import (
    registrations_bulk,
    response_bytes,
    sheet_xml,
    workbook_from,
)
from workspace import exports

ROSTER_HEADERS = [
    "序号", "报名号", "姓名", "性别", "身份证号", "出生日期", "民族", "手机号", "学号", "班级",
    "专业", "申报等级", "考试类型", "考生类别", "培训方式", "报名费（元）", "培训费（元）",
    "应缴合计（元）",
    "缴费状态", "实缴金额（元）", "缴费日期", "审核状态", "退回原因", "符合的报考条件",
    "条件代码", "有条件符合·待完成", "辅导员备注", "报名时间",
    "培训要求", "培训进度", "已结业", "培训逾期",
]  # fmt: skip
NATIONAL_HEADERS = [
    "序号", "职业工种名称", "认定等级", "申报条件", "证件类型", "证件号码", "姓名", "性别",
    "出生日期", "手机号码", "文化程度", "考生来源", "所在单位", "专业", "考试类型", "民族",
    "理论知识考试类型", "操作技能考试类型", "照片文件名",
]  # fmt: skip


def _class_export(client, school_class, **params):
    url = reverse("registration:counselor_class_export", args=[school_class.pk])
    return client.get(url, params)


def _rows(ws):
    return list(ws.iter_rows(min_row=2, values_only=True))


# --- Text cells: IDs, phones and formula payloads -------------------------------------------------


@pytest.mark.django_db
def test_export_keeps_id_numbers_and_phones_as_text(
    client, counselor, exam_round, own_class, make_registration
):
    registration = make_registration(
        exam_round=exam_round,
        school_class=own_class,
        id_number="42010620020314003X",
        phone="13800000000",
    )
    client.force_login(counselor)
    ws = workbook_from(_class_export(client, own_class))[own_class.name]
    id_cell, phone_cell = ws["E2"], ws["H2"]
    assert id_cell.value == registration.id_number
    assert id_cell.data_type == "s"
    assert id_cell.number_format == "@"
    assert phone_cell.value == "13800000000"
    assert phone_cell.data_type == "s"
    assert phone_cell.number_format == "@"


@pytest.mark.django_db
def test_export_all_digit_id_number_is_not_rounded(
    client, counselor, exam_round, own_class, make_registration
):
    make_registration(exam_round=exam_round, school_class=own_class, id_number="420106200203140013")
    client.force_login(counselor)
    ws = workbook_from(_class_export(client, own_class))[own_class.name]
    assert ws["E2"].value == "420106200203140013"
    assert isinstance(ws["E2"].value, str)


PAYLOADS = {
    "name": '=HYPERLINK("http://e.cn","点")',
    "work_unit": "+cmd|' /C calc'!A0",
    "review_reason": "-2+3+cmd|' /C calc'!A0",
    "counselor_note": "@SUM(1+1)*cmd|' /C calc'!A0",
    "matched_condition_text": "\t=1+1",
    "ethnicity": "\r=1+1",
}


@pytest.mark.django_db
def test_export_writes_formula_payloads_as_inert_text(
    client, counselor, exam_round, own_class, make_registration
):
    make_registration(exam_round=exam_round, school_class=own_class, **PAYLOADS)
    make_registration(exam_round=exam_round, school_class=own_class, name="#REF!")
    client.force_login(counselor)
    response = _class_export(client, own_class)
    data = response_bytes(response)
    assert "<f>" not in sheet_xml(data)
    assert "<f " not in sheet_xml(data)
    ws = load_workbook(io.BytesIO(data))[own_class.name]
    by_header = {cell.value: cell.column for cell in ws[1]}
    header_of = {
        "name": "姓名",
        "work_unit": None,
        "review_reason": "退回原因",
        "counselor_note": "辅导员备注",
        "matched_condition_text": "符合的报考条件",
        "ethnicity": "民族",
    }
    rows = {ws.cell(row=r, column=by_header["姓名"]).value: r for r in (2, 3)}
    payload_row = rows[PAYLOADS["name"]]
    for field, header in header_of.items():
        if header is None:
            continue
        cell = ws.cell(row=payload_row, column=by_header[header])
        # XML readers turn CR into LF; the text stays inert either way.
        assert cell.value == PAYLOADS[field].replace("\r", "\n"), field
        assert cell.data_type == "s", field
        assert cell.quotePrefix, field
    error_like = ws.cell(row=rows["#REF!"], column=by_header["姓名"])
    assert error_like.value == "#REF!"
    assert error_like.data_type == "s"


@pytest.mark.django_db
def test_national_export_writes_work_unit_payload_as_text(
    client, counselor, exam_round, own_class, make_registration
):
    make_registration(
        exam_round=exam_round, school_class=own_class, work_unit=PAYLOADS["work_unit"]
    )
    client.force_login(counselor)
    response = _class_export(client, own_class, layout="national")
    data = response_bytes(response)
    assert "<f>" not in sheet_xml(data)
    ws = load_workbook(io.BytesIO(data))["报名信息"]
    cell = ws.cell(row=2, column=NATIONAL_HEADERS.index("所在单位") + 1)
    assert cell.value == PAYLOADS["work_unit"]
    assert cell.data_type == "s"


# --- Layout: headers, dates, frozen header, filter, widths ----------------------------------------


@pytest.mark.django_db
def test_roster_export_headers_dates_frozen_filter_and_widths(
    client, counselor, exam_round, own_class, make_registration
):
    make_registration(
        exam_round=exam_round,
        school_class=own_class,
        birth_date=dt.date(2002, 3, 14),
        payment_status="paid",
        paid_amount=Decimal("320.00"),
        paid_on=dt.date(2022, 5, 18),
    )
    make_registration(exam_round=exam_round, school_class=own_class)
    client.force_login(counselor)
    ws = workbook_from(_class_export(client, own_class))[own_class.name]
    assert [c.value for c in ws[1]] == ROSTER_HEADERS
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:AF3"
    assert ws.column_dimensions["E"].width >= 20
    assert all(ws.column_dimensions[col].width for col in "ABCDEFGHIJ")
    birth = ws.cell(row=2, column=ROSTER_HEADERS.index("出生日期") + 1)
    assert birth.is_date and birth.value.date() == dt.date(2002, 3, 14)
    paid_on = ws.cell(row=2, column=ROSTER_HEADERS.index("缴费日期") + 1)
    assert paid_on.is_date and paid_on.value.date() == dt.date(2022, 5, 18)
    created = ws.cell(row=2, column=ROSTER_HEADERS.index("报名时间") + 1)
    assert created.is_date and created.value.tzinfo is None
    assert ws.cell(row=2, column=1).value == 1 and ws.cell(row=3, column=1).value == 2


@pytest.mark.django_db
def test_national_export_has_the_platform_columns_and_blanks(
    client, counselor, exam_round, own_class, make_registration
):
    make_registration(
        exam_round=exam_round,
        school_class=own_class,
        name="王五",
        matched_condition_text="具有本专业大学专科及以上毕业证书",
        ethnicity="回族",
        gender="F",
    )
    client.force_login(counselor)
    wb = workbook_from(_class_export(client, own_class, layout="national"))
    assert wb.sheetnames == ["报名信息"]
    ws = wb["报名信息"]
    assert [c.value for c in ws[1]] == NATIONAL_HEADERS
    row = dict(zip(NATIONAL_HEADERS, _rows(ws)[0], strict=True))
    assert row["序号"] == 1
    assert row["职业工种名称"] == exam_round.occupation
    assert row["认定等级"] == "三级/高级工"
    assert row["申报条件"] == "具有本专业大学专科及以上毕业证书"
    assert row["证件类型"] == "居民身份证"
    assert row["性别"] == "女"
    assert row["专业"] == "电子商务"
    assert row["民族"] == "回族"
    assert row["考生来源"] == "在校生"
    assert row["所在单位"] == exam_round.organizer
    assert row["文化程度"] is None  # not given yet: blank, never guessed
    assert row["考试类型"] == "新考"
    assert ws.freeze_panes == "A2"


@pytest.mark.django_db
def test_national_layout_fills_platform_data_from_supplement(
    client, counselor, exam_round, own_class, make_registration
):
    make_registration(
        exam_round=exam_round,
        school_class=own_class,
        id_type="passport",
        id_number="E12345678",
        education="college",
        exam_type_theory="retake",
        exam_type_skill="retake",
    )
    make_registration(
        exam_round=exam_round, school_class=own_class, education="high", exam_type_skill="retake"
    )
    client.force_login(counselor)
    ws = workbook_from(_class_export(client, own_class, layout="national"))["报名信息"]
    rows = [dict(zip(NATIONAL_HEADERS, row, strict=True)) for row in _rows(ws)]
    by_id = {row["证件号码"]: row for row in rows}
    passport = by_id["E12345678"]
    assert passport["证件类型"] == "护照"
    assert passport["文化程度"] == "大学专科"
    assert passport["考试类型"] == "补考"
    other = next(row for row in rows if row["证件号码"] != "E12345678")
    assert other["证件类型"] == "居民身份证"
    assert other["文化程度"] == "普通高中"
    assert other["考试类型"] == "理论知识新考，操作技能补考"


@pytest.mark.django_db
def test_national_layout_source_is_the_platforms_wording(exam_round, own_class, make_registration):
    from workspace.exports import national_columns

    student = make_registration(exam_round=exam_round, school_class=own_class)
    social = make_registration(
        exam_round=exam_round, school_class=own_class, candidate_type="social"
    )
    (column,) = [c for c in national_columns(lambda r: 0, exam_round) if c.header == "考生来源"]
    assert [column.get(student), column.get(social)] == ["在校生", "社会"]


# --- Sheets and totals ----------------------------------------------------------------------------


def test_sheet_names_follow_excel_rules():
    names = SheetNames()
    names.make("汇总")
    made = [
        names.make("2020级电子商务[1]班:春/秋*?\\测试"),
        names.make("一" * 40),
        names.make("一" * 40),
        names.make("汇总"),
        names.make("History"),
        names.make("'引号'"),
        names.make(""),
        names.make("ABC"),
        names.make("abc"),
    ]
    assert all(1 <= len(n) <= 31 for n in made)
    assert not any(SHEET_NAME_FORBIDDEN.search(n) for n in made)
    assert len({n.lower() for n in made}) == len(made)
    assert "汇总" not in made
    assert made[4].lower() != "history"
    assert not made[5].startswith("'") and not made[5].endswith("'")
    assert made[1] == "一" * 31
    assert len(made[2]) == 31 and made[2].endswith("(2)")


@pytest.mark.django_db
def test_round_export_has_a_sheet_per_class_and_right_totals(
    client, counselor, exam_round, own_class, make_registration
):
    second = SchoolClassFactory(
        name="跨境电商1班:[2020]/春季?超长的班级名称用来测试截断规则", counselor=counselor
    )
    make_registration(exam_round=exam_round, school_class=own_class, level=level(4),
                      quoted_registration_fee=Decimal("260.00"), payment_status="paid",
                      paid_amount=Decimal("260.00"))  # fmt: skip
    make_registration(exam_round=exam_round, school_class=own_class, review_status="confirmed",
                      quoted_registration_fee=Decimal("320.00"))  # fmt: skip
    make_registration(exam_round=exam_round, school_class=second,
                      quoted_registration_fee=Decimal("320.00"),
                      quoted_training_fee=Decimal("1000.00"))  # fmt: skip
    make_registration(exam_round=exam_round, school_class=second, status="cancelled")
    client.force_login(counselor)
    wb = workbook_from(client.get(reverse("registration:counselor_export")))
    assert wb.sheetnames[0] == "汇总"
    assert len(wb.sheetnames) == 3
    for name in wb.sheetnames:
        assert len(name) <= 31 and not SHEET_NAME_FORBIDDEN.search(name)
    summary = wb["汇总"]
    header = [c.value for c in summary[1]]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in _rows(summary)}
    own = rows["电子商务2班"]
    assert own["报名人数"] == 2
    assert own["班级人数"] == 40
    assert own["四级/中级工"] == 1 and own["三级/高级工"] == 1
    assert own["已确认"] == 1 and own["待审核"] == 1
    assert own["已缴费"] == 1 and own["未缴费"] == 1
    assert own["报名费合计（元）"] == 580
    assert own["实缴合计（元）"] == 260
    other = rows[second.name]
    assert other["报名人数"] == 1
    assert other["应缴合计（元）"] == 1320
    total = rows["合计"]
    assert total["报名人数"] == 3
    assert total["报名费合计（元）"] == 900
    assert total["培训费合计（元）"] == 1000
    assert total["应缴合计（元）"] == 1900
    assert total["班级人数"] == 80
    # every active registration is on its class sheet, the cancelled one nowhere
    data_rows = sum(len(_rows(wb[name])) for name in wb.sheetnames[1:])
    assert data_rows == 3


@pytest.mark.django_db
def test_academic_round_export_covers_every_class_and_unassigned(
    client, academic, exam_round, own_class, other_class, make_registration
):
    make_registration(exam_round=exam_round, school_class=own_class)
    make_registration(exam_round=exam_round, school_class=other_class)
    make_registration(exam_round=exam_round, school_class=None, candidate_type="social")
    client.force_login(academic)
    wb = workbook_from(client.get(reverse("registration:counselor_export")))
    assert set(wb.sheetnames) == {"汇总", "电子商务2班", "市场营销1班", "未分班"}
    total = _rows(wb["汇总"])[-1]
    assert total[0] == "合计" and total[4] == 3
    national = workbook_from(
        client.get(reverse("registration:counselor_export"), {"layout": "national"})
    )
    assert len(_rows(national["报名信息"])) == 3


@pytest.mark.django_db
def test_academic_round_export_filters_by_major_and_level(
    client, academic, exam_round, own_class, other_class, make_registration
):
    make_registration(exam_round=exam_round, school_class=own_class, level=level(4))
    make_registration(exam_round=exam_round, school_class=own_class, level=level(3))
    make_registration(exam_round=exam_round, school_class=other_class, level=level(4))
    client.force_login(academic)
    url = reverse("registration:counselor_export")
    wb = workbook_from(client.get(url, {"major": own_class.major_id, "level": level(4).pk}))
    assert wb.sheetnames == ["汇总", "电子商务2班"]
    assert len(_rows(wb["电子商务2班"])) == 1


@pytest.mark.django_db
def test_export_rejects_an_unknown_layout_without_500(client, counselor, exam_round, own_class):
    client.force_login(counselor)
    response = _class_export(client, own_class, layout="csv")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "未知的导出格式" in follow.content.decode()


# --- Download headers -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_filename_is_rfc5987_with_ascii_fallback(client, counselor, exam_round, own_class):
    client.force_login(counselor)
    response = _class_export(client, own_class)
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    fallback = re.search(r'filename="([^"]+)"', header).group(1)
    assert fallback.isascii() and fallback.endswith(".xlsx")
    encoded = re.search(r"filename\*=UTF-8''(\S+)", header).group(1)
    assert encoded.isascii()
    assert unquote(encoded).startswith(f"{exam_round.title}-{own_class.name}-报名名单-")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_content_disposition_strips_path_and_quote_characters():
    header = content_disposition('a/b\\c"d\r\n.xlsx', "x y.xlsx")
    assert "\r" not in header and "\n" not in header
    assert 'filename="x_y.xlsx"' in header
    assert unquote(header.split("UTF-8''")[1]) == "a_b_c_d_.xlsx"


# --- Scale: constant queries, flat memory ---------------------------------------------------------


def _export_query_count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        response_bytes(response)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_export_query_count_does_not_grow_with_registrations(
    client, counselor, exam_round, own_class, django_assert_max_num_queries
):
    second = SchoolClassFactory(name="第二班", counselor=counselor)
    registrations_bulk(exam_round=exam_round, school_class=own_class, count=2)
    client.force_login(counselor)
    url = reverse("registration:counselor_export")
    class_url = reverse("registration:counselor_class_export", args=[own_class.pk])
    few = _export_query_count(client, url)
    few_national = _export_query_count(client, class_url, {"layout": "national"})
    registrations_bulk(exam_round=exam_round, school_class=own_class, count=300, start=10)
    registrations_bulk(exam_round=exam_round, school_class=second, count=300, start=1000)
    with django_assert_max_num_queries(few):
        wb = workbook_from(client.get(url))
    assert len(_rows(wb[own_class.name])) == 302
    assert len(_rows(wb["第二班"])) == 300
    with django_assert_max_num_queries(few_national):
        wb = workbook_from(client.get(class_url, {"layout": "national"}))
    assert len(_rows(wb["报名信息"])) == 302


@pytest.mark.django_db
def test_export_memory_stays_flat_as_rows_grow(counselor, exam_round, own_class, monkeypatch):
    """Peak Python memory for 5x the rows stays close: rows stream through in chunks."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 100)

    def peak(rows_total: int, start: int) -> int:
        registrations_bulk(
            exam_round=exam_round,
            school_class=own_class,
            count=rows_total - start_count[0],
            start=start,
        )
        start_count[0] = rows_total
        tracemalloc.start()
        export = exports.registrations_export(
            user=counselor,
            exam_round=exam_round,
            layout=exports.LAYOUT_ROSTER,
            school_class=own_class,
        )
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        export.file.close()
        return top

    start_count = [0]
    small = peak(250, 0)
    large = peak(1250, 10_000)
    assert large < small * 1.5, (small, large)


def test_roster_export_shows_the_conditional_verdict_and_its_pending_requirement(
    client, counselor, exam_round, own_class, make_registration
):
    make_registration(
        exam_round=exam_round,
        school_class=own_class,
        name="有条件",
        level=level(4),
        matched_condition_code="L4-4",
        matched_condition_text="经本职业四级/中级工正规培训达规定标准学时数,并取得结业证书。",
        pending_requirement="training",
    )
    make_registration(exam_round=exam_round, school_class=own_class, name="直接符合")
    client.force_login(counselor)

    ws = workbook_from(_class_export(client, own_class))[own_class.name]

    by_header = {cell.value: cell.column for cell in ws[1]}
    rows = {ws.cell(row=r, column=by_header["姓名"]).value: r for r in (2, 3)}
    pending = by_header["有条件符合·待完成"]
    code = by_header["条件代码"]
    assert ws.cell(row=rows["有条件"], column=pending).value == "需完成本校培训并取得结业证书"
    assert ws.cell(row=rows["有条件"], column=code).value == "L4-4"
    assert ws.cell(row=rows["直接符合"], column=pending).value in (None, "")
