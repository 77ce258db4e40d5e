"""The exchange in results: the score sheet from a layout (only after publication), the
certificate import through a layout's header mapping, the 国家平台数据交换 page, and photo file
names in the candidate sheet equal to the names in the photo zip."""

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from registration.services.supplement import photo_upload
from results import certificates, services
from results.exchange import ExchangeError, score_sheet_export
from results.models import Certificate
from tests.exams.test_photos import _jpeg
from tests.results.test_certificates import xlsx
from tests.results.test_outcomes import graded  # noqa: F401
from workspace.exchange import services as layout_services
from workspace.exchange.render import layout_of
from workspace.models import LayoutKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shipped_layouts(db):
    """The shipped layouts, as migration workspace/0002 installs them (idempotent). A
    transactional test run earlier in the suite empties the tables a data migration filled."""
    from workspace.exchange import defaults as shipped
    from workspace.models import ExchangeColumn as Column
    from workspace.models import ExchangeLayout as Layout

    shipped.install(Layout, Column)


def _published(exam_round, academic):
    services.notice_publish(round=exam_round, working_days=5, user=academic)


def _rows(ws):
    headers = [c.value for c in ws[1]]
    return [dict(zip(headers, row, strict=True)) for row in ws.iter_rows(min_row=2)]


def test_score_sheet_only_after_publication(exam_round, graded, academic):  # noqa: F811
    with pytest.raises(ExchangeError) as refused:
        score_sheet_export(round=exam_round)
    assert "公示发布后" in str(refused.value.message)


def test_score_sheet_has_scores_marks_and_results(exam_round, graded, academic):  # noqa: F811
    _published(exam_round, academic)
    output, count = score_sheet_export(round=exam_round)
    assert count == 4
    ws = load_workbook(output)["成绩"]
    headers = [c.value for c in ws[1]]
    assert headers == [c.header for c in layout_of(LayoutKind.SCORES).columns.all()]
    by_id = {row["证件号码"].value: row for row in _rows(ws)}
    first, second, absent, cheat = (by_id[p.id_number] for p in graded)
    assert first["证件号码"].data_type == "s" and first["证件号码"].number_format == "@"
    assert float(first["理论知识成绩"].value) == 60 and float(first["操作技能成绩"].value) == 75
    assert first["结果"].value == "合格"
    assert second["结果"].value == "不合格" and float(second["理论知识成绩"].value) == 59.5
    assert absent["操作技能考试状态"].value == "缺考" and absent["操作技能成绩"].value is None
    assert cheat["理论知识考试状态"].value == "违纪"
    assert first["理论知识考试状态"].value is None
    for row in ws.iter_rows():
        assert all(cell.data_type != "f" for cell in row)


def test_score_sheet_follows_a_copied_layout(exam_round, graded, academic):  # noqa: F811
    _published(exam_round, academic)
    copy = layout_services.layout_copy(layout=layout_of(LayoutKind.SCORES), province="山东省")
    copy.columns.exclude(field_key__in=["result", "id_number"]).delete()
    copy.columns.filter(field_key="result").update(position=1, header="是否合格")
    output, _count = score_sheet_export(round=exam_round, layout_id=copy.pk)
    ws = load_workbook(output)["成绩"]
    assert [c.value for c in ws[1]] == ["是否合格", "证件号码"]


def test_score_sheet_view_for_academic_only(client, exam_round, graded, academic, invigilator):  # noqa: F811
    url = reverse("results:score_sheet")
    client.force_login(academic)
    early = client.get(url, {"round": exam_round.slug})
    assert early.status_code == 302 and reverse("results:exchange") in early["Location"]
    _published(exam_round, academic)
    response = client.get(url, {"round": exam_round.slug, "layout": "abc"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["成绩"]
    assert ws.max_row == 5
    client.force_login(invigilator)
    assert client.get(url, {"round": exam_round.slug}).status_code == 403


def _certificate_layout():
    copy = layout_services.layout_copy(
        layout=layout_of(LayoutKind.CERTIFICATES), name="某省证书名单", province="某省"
    )
    copy.columns.filter(field_key="id_number").update(header="公民身份号码")
    copy.columns.filter(field_key="number").update(header="证书流水号")
    copy.columns.filter(field_key="name").update(header="考生姓名")
    copy.columns.filter(field_key="issued_on").update(header="颁证时间")
    return copy


def test_certificate_import_through_a_custom_mapping(exam_round, graded, academic):  # noqa: F811
    layout = _certificate_layout()
    first = graded[0]
    content = xlsx(
        [
            ["颁证时间", "证书流水号", "考生姓名", "公民身份号码"],
            ["2025-12-01", "S000123456789", first.name, first.id_number],
            [None, "S000123456780", "无名", "110101199001011234"],
            [None, "S000123456781", "别人", graded[1].id_number],
        ]
    )
    report = certificates.certificates_import(
        round=exam_round, content=content, user=academic, layout=layout
    )
    assert (report.created, report.unchanged) == (1, 0)
    assert [row for row, _shown, _message in report.problems] == [3, 4]
    assert "查无此身份证号" in report.problems[0][2]
    assert "姓名" in report.problems[1][2]
    certificate = Certificate.objects.get(registration=first)
    assert certificate.number == "S000123456789" and str(certificate.issued_on) == "2025-12-01"
    again = certificates.certificates_import(
        round=exam_round, content=content, user=academic, layout=layout
    )
    assert (again.created, again.unchanged) == (0, 1) and len(again.problems) == 2
    assert Certificate.objects.count() == 1 and certificate.history.count() == 1


def test_certificate_import_with_a_layout_names_missing_headers(exam_round, graded, academic):  # noqa: F811
    layout = _certificate_layout()
    content = xlsx([["身份证号", "证书编号"], [graded[0].id_number, "S000123456789"]])
    with pytest.raises(certificates.CertificateError) as refused:
        certificates.certificates_import(
            round=exam_round, content=content, user=academic, layout=layout
        )
    assert "公民身份号码" in str(refused.value) and "某省证书名单" in str(refused.value)
    assert not Certificate.objects.exists()


def test_certificate_page_imports_with_the_chosen_layout(exam_round, graded, academic):  # noqa: F811
    layout = _certificate_layout()
    client = Client()
    client.force_login(academic)
    url = f"{reverse('results:certificates')}?round={exam_round.slug}"
    page = client.get(f"{url}&layout={layout.pk}").content.decode()
    assert "某省证书名单" in page
    content = xlsx([["公民身份号码", "证书流水号"], [graded[0].id_number, "S000123456789"]])
    upload = io.BytesIO(content)
    upload.name = "list.xlsx"
    response = client.post(url, {"file": upload, "layout": layout.pk})
    assert response.status_code == 302
    assert Certificate.objects.get(registration=graded[0]).number == "S000123456789"


def test_exchange_page_lists_the_four_exchanges(exam_round, graded, academic, invigilator):  # noqa: F811
    client = Client()
    url = reverse("results:exchange")
    assert client.get(url).status_code == 302
    client.force_login(invigilator)
    assert client.get(url).status_code == 403
    client.force_login(academic)
    page = client.get(url, {"round": exam_round.slug}).content.decode()
    for part in [
        "exchange-candidates",
        "exchange-photos",
        "exchange-scores",
        "exchange-certificates",
    ]:
        assert part in page
    assert "scores-not-ready" in page
    assert reverse("exams:photos_zip", args=[exam_round.pk]) in page
    _published(exam_round, academic)
    page = client.get(url, {"round": exam_round.slug}).content.decode()
    assert "download-scores" in page and reverse("results:score_sheet") in page


def test_photo_names_in_the_sheet_equal_the_names_in_the_zip(exam_round, graded, academic):  # noqa: F811
    from registration.services.supplement import photo_return

    for person in graded[:3]:
        photo_upload(registration=person, data=_jpeg((20, 200, 20)))
    photo_return(registration=graded[2], reviewer=academic, reason="不清晰")
    client = Client()
    client.force_login(academic)
    zipped = client.get(reverse("exams:photos_zip", args=[exam_round.pk]))
    names = set(zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content))).namelist())
    sheet = client.get(
        reverse("registration:counselor_export"),
        {"layout": "national", "session": exam_round.slug},
    )
    ws = load_workbook(io.BytesIO(b"".join(sheet.streaming_content)))["报名信息"]
    in_sheet = {row["照片文件名"].value for row in _rows(ws)} - {None}
    assert in_sheet == names and len(names) == 2
