"""Class lists as schools really keep them: other header names, a title row, repeated rows,
and a template to start from."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from registration.models import ClassListEntry, ClassListImport
from registration.services import classlists as service
from tests.idnumbers import make_id_number
from tests.workspace.test_classlists import list_url, upload

pytestmark = pytest.mark.django_db


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rows_of_last_import():
    return service.import_rows(ClassListImport.objects.latest("id"))


def test_header_synonyms_from_student_information_systems_are_read(
    client, counselor, exam_round, own_class
):
    client.force_login(counselor)
    content = _xlsx([["学籍号", "学生姓名", "身份证号码"], ["2021001", "张三", make_id_number(1)]])
    response = upload(client, list_url(own_class), content)
    assert response.status_code == 302
    [row] = _rows_of_last_import()
    assert (row.student_number, row.name, row.outcome) == ("2021001", "张三", service.Outcome.NEW)


def test_a_title_row_above_the_header_is_tolerated(client, counselor, exam_round, own_class):
    client.force_login(counselor)
    content = _xlsx(
        [
            ["2026级电子商务2班学生名单"],
            [],
            ["学号", "姓名", "身份证号"],
            ["2021001", "张三", make_id_number(1)],
        ]
    )
    assert upload(client, list_url(own_class), content).status_code == 302
    [row] = _rows_of_last_import()
    assert row.row == 4 and row.outcome == service.Outcome.NEW


def test_a_header_below_the_first_five_rows_is_not_searched_for(
    client, counselor, exam_round, own_class
):
    client.force_login(counselor)
    content = _xlsx([["说明"]] * 5 + [["学号", "姓名", "身份证号"]])
    response = upload(client, list_url(own_class), content)
    assert response.status_code == 400
    assert "缺少必需的列：学号、姓名、身份证号" in response.content.decode()
    assert not ClassListImport.objects.exists()


def test_an_exact_duplicate_row_is_merged_and_a_conflicting_one_is_not(
    client, counselor, exam_round, own_class
):
    client.force_login(counselor)
    same = ["2021001", "张三", make_id_number(1)]
    content = _xlsx(
        [["学号", "姓名", "身份证号"], same, list(same), ["2021001", "张叁", make_id_number(2)]]
    )
    response = upload(client, list_url(own_class), content)
    rows = _rows_of_last_import()
    assert [r.outcome for r in rows] == [
        service.Outcome.NEW,
        service.Outcome.MERGED,
        service.Outcome.ERROR,
    ]
    page = client.get(response["Location"]).content.decode()
    assert "重复行，已合并" in page and "与第2行完全相同" in page
    client.post(
        reverse("registration:class_list_import_apply", args=[ClassListImport.objects.get().pk])
    )
    assert list(ClassListEntry.objects.values_list("student_number", "name")) == [
        ("2021001", "张三")
    ]


@pytest.mark.parametrize("many", [False, True])
def test_template_downloads_with_text_columns_and_imports_once_filled(
    client, counselor, academic, exam_round, own_class, many
):
    client.force_login(academic if many else counselor)
    url = reverse("registration:class_list_template") + ("?many=1" if many else "")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["班级名单"]
    header = [c.value for c in sheet[1]]
    assert header == (["班级"] if many else []) + ["学号", "姓名", "身份证号"]
    id_column = header.index("身份证号") + 1
    assert sheet.cell(row=2, column=id_column).number_format == "@"
    assert "填写说明" in workbook.sheetnames
    # Filled in as a counselor would, the template is accepted as it is.
    sheet.append(([own_class.name] if many else []) + ["2021001", "张三", make_id_number(1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    target = reverse("registration:class_list_upload_many") if many else list_url(own_class)
    assert upload(client, target, buffer.getvalue()).status_code == 302
    assert [r.outcome for r in _rows_of_last_import()] == [service.Outcome.NEW]


def test_template_needs_the_workspace(client, db):
    response = client.get(reverse("registration:class_list_template"))
    assert response.status_code == 302 and "/login" in response["Location"]
