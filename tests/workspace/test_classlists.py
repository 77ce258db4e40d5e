"""Class lists in the counselor workspace: import with preview, scope, who has not signed up."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from registration.models import ClassListEntry, ClassListImport
from registration.services import classlists as service
from registration.workbook import WorkbookError, workbook_rows
from tests.idnumbers import make_id_number
from tests.workspace.xlsx_helpers import workbook_from
from workspace.selectors import classlists as selectors

pytestmark = pytest.mark.django_db

HEADER = ["学号", "姓名", "身份证号"]


def xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, url, content: bytes, name="名单.xlsx"):
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


GOOD = [
    ["2021001", "张三", make_id_number(1)],
    ["2021002", "买买提·艾力", make_id_number(2)],
    ["２０２１００３", "王𠀀", make_id_number(3).lower()],  # full width / lower-case x are fine
]
BAD = [
    ["2021004", "李四123", make_id_number(4)],  # digits in the name
    ["2021005", "赵六", "420106200203140030"],  # wrong check digit
    ["2021001", "张三三", make_id_number(6)],  # student number twice in the file
    ["2021007", "孙七", 420106200203140071],  # the ID typed as a number: digits lost
]


def list_url(school_class):
    return reverse("registration:class_list", args=[school_class.pk])


def test_import_preview_shows_good_and_bad_rows_then_applies_once(
    client, counselor, exam_round, own_class
):
    client.force_login(counselor)
    response = upload(client, list_url(own_class), xlsx(GOOD + BAD))
    record = ClassListImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:class_list_import", args=[record.pk])
    assert not ClassListEntry.objects.exists()  # a preview writes nothing but the upload

    page = client.get(response["Location"]).content.decode()
    assert "确认导入（新增或更新 3 人）" in page
    assert "姓名无效：姓名中不能含有数字" in page
    assert "身份证号无效：身份证号校验位不正确" in page
    assert "与第2行重复（学号相同）" in page
    assert "身份证号被 Excel 存成了数字" in page
    assert make_id_number(1) not in page  # ID numbers are masked in the preview

    client.post(reverse("registration:class_list_import_apply", args=[record.pk]))
    entries = {e.student_number: e for e in ClassListEntry.objects.filter(school_class=own_class)}
    assert set(entries) == {"2021001", "2021002", "2021003"}
    assert entries["2021003"].id_number == make_id_number(3).upper()
    assert entries["2021002"].name == "买买提·艾力"
    assert entries["2021001"].history.count() == 1

    again = client.post(reverse("registration:class_list_import_apply", args=[record.pk]))
    assert again.status_code == 302  # applied once only; a message says so
    assert ClassListEntry.objects.count() == 3


def test_import_of_the_same_file_again_changes_nothing(client, counselor, exam_round, own_class):
    client.force_login(counselor)
    for _ in range(2):
        upload(client, list_url(own_class), xlsx(GOOD))
        record = ClassListImport.objects.latest("id")
        client.post(reverse("registration:class_list_import_apply", args=[record.pk]))
    assert record.rows and ClassListImport.objects.count() == 2
    record.refresh_from_db()
    assert record.applied_count == 0
    assert ClassListEntry.objects.count() == 3
    assert all(e.history.count() == 1 for e in ClassListEntry.objects.all())


def test_import_updates_a_corrected_name_and_keeps_history(
    client, counselor, exam_round, own_class
):
    client.force_login(counselor)
    upload(client, list_url(own_class), xlsx(GOOD))
    service.class_list_import_apply(record=ClassListImport.objects.get(), user=counselor)
    upload(client, list_url(own_class), xlsx([["2021001", "张叁", make_id_number(1)]]))
    record = ClassListImport.objects.latest("id")
    assert [r.outcome for r in service.import_rows(record)] == [service.Outcome.UPDATE]
    service.class_list_import_apply(record=record, user=counselor)
    entry = ClassListEntry.objects.get(student_number="2021001")
    assert entry.name == "张叁"
    assert [h.name for h in entry.history.order_by("history_date")] == ["张三", "张叁"]


def test_import_refuses_an_id_number_already_on_another_class_list(
    client, counselor, other_counselor, exam_round, own_class, other_class
):
    ClassListEntry.objects.create(
        school_class=other_class, student_number="2020999", name="张三", id_number=make_id_number(1)
    )
    client.force_login(counselor)
    upload(client, list_url(own_class), xlsx(GOOD[:1]))
    record = ClassListImport.objects.get()
    rows = service.import_rows(record, sees_other_classes=True)
    assert rows[0].outcome == service.Outcome.ERROR
    assert rows[0].error == str(service.ROW_ID_ELSEWHERE)


def test_a_counselor_is_not_told_an_id_number_is_on_another_class_list(
    client, counselor, academic, exam_round, own_class, other_class
):
    ClassListEntry.objects.create(
        school_class=other_class, student_number="2020999", name="张三", id_number=make_id_number(1)
    )
    client.force_login(counselor)
    upload(client, list_url(own_class), xlsx(GOOD[:1]))
    record = ClassListImport.objects.get()
    page = client.get(reverse("registration:class_list_import", args=[record.pk])).content.decode()
    assert str(service.ROW_ID_NEEDS_REVIEW) in page
    assert str(service.ROW_ID_ELSEWHERE) not in page
    assert other_class.name not in page
    # 教务, who see every class's list, are told where the number is.
    client.force_login(academic)
    page = client.get(reverse("registration:class_list_import", args=[record.pk])).content.decode()
    assert str(service.ROW_ID_ELSEWHERE) in page


def test_import_file_errors_are_clear_and_nothing_is_stored(
    client, counselor, exam_round, own_class
):
    client.force_login(counselor)
    response = upload(client, list_url(own_class), xlsx(GOOD, header=["学号", "名字", "证件"]))
    assert response.status_code == 400
    assert "缺少必需的列：姓名、身份证号" in response.content.decode()
    response = upload(client, list_url(own_class), b"not a workbook at all")
    assert "不是有效的 Excel" in response.content.decode()
    assert not ClassListImport.objects.exists()


def test_workbook_reader_does_not_trust_the_dimension():
    content = xlsx([[f"20210{i:02d}", "张三", make_id_number(i)] for i in range(1, 30)])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:C2"', data)
            target.writestr(item, data)
    assert len(list(workbook_rows(out.getvalue()))) == 30  # header + 29 rows, not 2


def test_workbook_reader_refuses_a_zip_bomb_quickly():
    import time

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/styles.xml", b"<a/>" * 20_000_000)  # 80 MB of nothing
    started = time.monotonic()
    with pytest.raises(WorkbookError):
        list(workbook_rows(out.getvalue()))
    assert time.monotonic() - started < 1


def _listed(school_class, count=3):
    for i in range(1, count + 1):
        ClassListEntry.objects.create(
            school_class=school_class,
            student_number=f"202100{i}",
            name=["张三", "李四", "王五"][i - 1],
            id_number=make_id_number(i),
        )


def test_not_signed_up_list_and_export(
    client, counselor, exam_round, own_class, make_registration, django_assert_num_queries
):
    _listed(own_class)
    make_registration(exam_round=exam_round, school_class=own_class, id_number=make_id_number(2))
    with django_assert_num_queries(1):
        missing = list(selectors.not_signed_up(school_class=own_class, exam_round=exam_round))
    assert [e.name for e in missing] == ["张三", "王五"]

    client.force_login(counselor)
    page = client.get(list_url(own_class)).content.decode()
    table = page[
        page.index('id="not-signed-up"') : page.index("</table>", page.index('id="not-signed-up"'))
    ]
    assert "张三" in table and "王五" in table and "李四" not in table
    assert "名单共 <strong>3</strong> 人，其中 <strong>2</strong> 人尚未报名" in page
    assert "data-print" in page

    export = client.get(reverse("registration:class_list_missing_export", args=[own_class.pk]))
    assert "no-store" in export["Cache-Control"]
    sheet = workbook_from(export).active
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        [1, "2021001", "张三"],
        [2, "2021003", "王五"],
    ]


def test_counselor_cannot_see_another_counselors_class_list(
    client, counselor, other_counselor, exam_round, own_class, other_class
):
    _listed(other_class)
    client.force_login(counselor)
    assert client.get(list_url(other_class)).status_code == 404
    assert upload(client, list_url(other_class), xlsx(GOOD)).status_code == 404
    export = reverse("registration:class_list_missing_export", args=[other_class.pk])
    assert client.get(export).status_code == 404
    # Nor another counselor's upload, nor the many-classes upload of 教务.
    record = service.class_list_import_preview(
        file_name="x.xlsx", content=xlsx(GOOD), user=other_counselor,
        school_class=other_class, classes=[other_class],
    )  # fmt: skip
    assert (
        client.get(reverse("registration:class_list_import", args=[record.pk])).status_code == 404
    )
    apply = client.post(reverse("registration:class_list_import_apply", args=[record.pk]))
    assert apply.status_code == 404
    assert client.get(reverse("registration:class_list_upload_many")).status_code == 403
    assert not ClassListEntry.objects.filter(school_class=own_class).exists()


def test_academic_imports_many_classes_with_a_class_column(
    client, academic, exam_round, own_class, other_class
):
    client.force_login(academic)
    content = xlsx(
        [
            [own_class.name, "2021001", "张三", make_id_number(1)],
            [other_class.name, "2021001", "李四", make_id_number(2)],
            ["不存在的班", "2021009", "王五", make_id_number(3)],
        ],
        header=["班级", *HEADER],
    )
    response = upload(client, reverse("registration:class_list_upload_many"), content)
    record = ClassListImport.objects.get()
    assert response["Location"] == reverse("registration:class_list_import", args=[record.pk])
    page = client.get(response["Location"]).content.decode()
    assert "班级“不存在的班”不存在或不在您的管理范围内" in page
    client.post(reverse("registration:class_list_import_apply", args=[record.pk]))
    assert ClassListEntry.objects.get(school_class=own_class).name == "张三"
    assert ClassListEntry.objects.get(school_class=other_class).name == "李四"
    assert ClassListEntry.objects.count() == 2


def test_dashboard_warns_about_classes_without_a_list(client, counselor, exam_round, own_class):
    client.force_login(counselor)
    page = client.get(reverse("registration:counselor_dashboard")).content.decode()
    assert 'id="unlisted-warning"' in page and "无班级名单" in page
    _listed(own_class)
    page = client.get(reverse("registration:counselor_dashboard")).content.decode()
    assert 'id="unlisted-warning"' not in page and "无班级名单" not in page


def test_class_list_page_queries_do_not_grow_with_the_list(
    client, counselor, exam_round, own_class, django_assert_num_queries
):
    client.force_login(counselor)
    _listed(own_class)
    with CaptureQueriesContext(connection) as few:
        assert client.get(list_url(own_class)).status_code == 200
    for i in range(10, 40):
        ClassListEntry.objects.create(
            school_class=own_class,
            student_number=f"20219{i:02d}",
            name="学生",
            id_number=make_id_number(i),
        )
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(list_url(own_class)).status_code == 200
