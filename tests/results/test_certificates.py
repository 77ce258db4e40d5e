"""Certificates: the platform list matched by ID number, unmatched rows reported, idempotent;
the number format validated; bulk 领取 per class; the student sees number and lookup address."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from results import certificates
from results.certificates import CertificateError
from results.models import Certificate, CertificateFormat
from tests.results.test_outcomes import graded  # noqa: F401


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_import_matches_by_id_reports_unmatched_and_is_idempotent(exam_round, graded, academic):  # noqa: F811
    first, second = graded[0], graded[1]
    content = xlsx(
        [
            ["姓名", "身份证号", "证书编号", "发证日期"],
            ["张三1", first.id_number, "s0001 2345 6789", "2025-12-01"],
            ["无名", "110101199001011234", "S000123456780", None],
            ["张三2", second.id_number, "短", None],
            ["数字", 110101199001011234, "S000123456781", None],
        ]
    )
    report = certificates.certificates_import(round=exam_round, content=content, user=academic)
    assert (report.created, report.unchanged) == (1, 0)
    assert [row for row, _, _ in report.problems] == [3, 4, 5]
    assert "查无此身份证号" in report.problems[0][2]
    assert "编号格式" in report.problems[1][2]
    assert "文本" in report.problems[2][2]
    certificate = Certificate.objects.get(registration=first)
    assert (certificate.number, certificate.issued_on) == ("S000123456789", dt.date(2025, 12, 1))
    again = certificates.certificates_import(round=exam_round, content=content, user=academic)
    assert (again.created, again.unchanged) == (0, 1)
    assert Certificate.objects.count() == 1 and certificate.history.count() == 1
    # A different number for the same person is reported, never overwritten.
    other = xlsx([["身份证号", "证书编号"], [first.id_number, "S999999999999"]])
    report = certificates.certificates_import(round=exam_round, content=other, user=academic)
    assert report.created == 0 and "已登记证书编号" in report.problems[0][2]


def test_format_is_configurable(exam_round, graded, academic):  # noqa: F811
    CertificateFormat.objects.create(round=exam_round, pattern=r"^S\d{21}$")
    with pytest.raises(CertificateError):
        certificates.certificate_enter(
            registration=graded[0], number="S0001", issued_on=None, user=academic
        )
    certificates.certificate_enter(
        registration=graded[0], number="S" + "1" * 21, issued_on=None, user=academic
    )
    with pytest.raises(CertificateError) as clash:
        certificates.certificate_enter(
            registration=graded[1], number="S" + "1" * 21, issued_on=None, user=academic
        )
    assert "其他考生" in str(clash.value)


def test_bulk_collect_and_student_sees_number(exam_round, graded, academic):  # noqa: F811
    from results import services

    services.notice_publish(round=exam_round, working_days=5, user=academic)
    own = graded[0]
    certificates.certificate_enter(
        registration=own, number="S000123456789", issued_on=dt.date(2025, 12, 1), user=academic
    )
    client = Client()
    client.force_login(academic)
    page = client.get(reverse("results:certificates"), {"round": exam_round.slug}).content
    assert "S000123456789" in page.decode()
    certificate = Certificate.objects.get(registration=own)
    response = client.post(
        reverse("results:collect"),
        {"round": exam_round.pk, "certificate": [certificate.pk], "collected_on": "2025-12-20"},
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.collected_on, certificate.handed_out_by) == (
        dt.date(2025, 12, 20),
        academic,
    )
    student = Client()
    page = student.get(
        reverse("registration:registration_detail", args=[own.pk, own.token])
    ).content.decode()
    assert "S000123456789" in page and "http://zscx.osta.org.cn" in page and "pjjg" not in page


def test_manual_entry_page(exam_round, graded, academic):  # noqa: F811
    client = Client()
    client.force_login(academic)
    url = reverse("results:certificate_edit", args=[graded[0].pk])
    response = client.post(url, {"number": "bad number!", "issued_on": ""})
    assert response.status_code == 400
    assert not Certificate.objects.exists()
    response = client.post(url, {"number": "S000123456789", "issued_on": "2025-12-01"})
    assert response.status_code == 302
    assert Certificate.objects.get().number == "S000123456789"


def test_collect_bad_input_is_not_a_500(exam_round, graded, academic, client):  # noqa: F811
    client.force_login(academic)
    assert client.post(reverse("results:collect"), {"round": "abc"}).status_code == 404
    response = client.post(
        reverse("results:collect"), {"round": exam_round.pk, "collected_on": "2025-13-45"}
    )
    assert response.status_code == 302
    assert not Certificate.objects.filter(collected_on__isnull=False).exists()


def test_no_certificate_for_a_candidate_the_published_results_fail(exam_round, graded, academic):  # noqa: F811
    from results import services

    services.notice_publish(round=exam_round, working_days=5, user=academic)
    passed, failed = graded[0], graded[1]
    with pytest.raises(CertificateError) as refused:
        certificates.certificate_enter(
            registration=failed, number="S000123456780", issued_on=None, user=academic
        )
    assert "未合格" in str(refused.value)
    content = xlsx(
        [
            ["身份证号", "证书编号"],
            [passed.id_number, "S000123456781"],
            [failed.id_number, "S000123456782"],
        ]
    )
    report = certificates.certificates_import(round=exam_round, content=content, user=academic)
    assert report.created == 1
    [(row, shown, message)] = report.problems
    assert row == 3 and "未合格" in message and failed.id_number not in shown
    assert not Certificate.objects.filter(registration=failed).exists()

    passed.status = "cancelled"
    passed.save()
    with pytest.raises(CertificateError, match="已取消"):
        certificates.certificate_enter(
            registration=passed, number="S000123456783", issued_on=None, user=academic
        )


def test_a_passport_number_is_masked_in_the_problem_list(exam_round, graded, academic):  # noqa: F811
    content = xlsx([["证件号码", "证书编号"], ["E12345678", "S000123456789"]])
    report = certificates.certificates_import(round=exam_round, content=content, user=academic)
    [(_, shown, _)] = report.problems
    assert shown == "E123*5678" and "E12345678" not in shown


@pytest.mark.parametrize("value", ["²", "٣", "１２"])
def test_unicode_digits_in_parameters_are_refused_without_an_error_page(
    exam_round, academic, value
):
    client = Client()
    client.force_login(academic)
    response = client.post(
        reverse("results:notice_publish", args=[exam_round.pk]), {"working_days": value}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("results:collect"), {"round": value, "certificate": [value], "class": value}
    )
    assert response.status_code == 404


def test_a_bad_issue_date_is_reported_as_the_issue_date(exam_round, graded, academic):  # noqa: F811
    content = xlsx(
        [["身份证号", "证书编号", "发证日期"], [graded[0].id_number, "S000123456789", "下月"]]
    )
    report = certificates.certificates_import(round=exam_round, content=content, user=academic)
    [(row, _, message)] = report.problems
    assert row == 2 and message.startswith("发证日期“下月”") and "缴费" not in message


def test_a_minority_name_matches_whatever_middle_dot_the_list_uses(exam_round, graded, academic):  # noqa: F811
    first = graded[0]
    type(first).objects.filter(pk=first.pk).update(name="买买提·艾力")
    content = xlsx(
        [["姓名", "身份证号", "证书编号"], ["买买提•艾力", first.id_number, "S000123456789"]]
    )
    report = certificates.certificates_import(round=exam_round, content=content, user=academic)
    assert (report.created, report.problems) == (1, [])
    assert certificates._same_name("买买提．艾力", "买买提·艾力")
    assert not certificates._same_name("买买提·艾力江", "买买提·艾力")
