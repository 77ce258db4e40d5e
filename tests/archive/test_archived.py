"""An archived round refuses the writes that matter; its export is for 教务 only."""

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse

from archive.services import round_archive
from registration.models import Registration
from registration.services.submission import SubmissionError, registration_cancel_by_staff
from registration.services.supplement import SupplementError, photo_upload
from results import certificates, services
from results.certificates import CertificateError
from results.models import Certificate, Score
from results.services import ScoreError
from tests.factories import UserFactory


@pytest.fixture
def archived(exam_round, finished, academic):
    round_archive(exam_round=exam_round, user=academic)
    return finished


def test_archived_round_refuses_registration_scores_and_certificates(
    exam_round, archived, academic
):
    with pytest.raises(SubmissionError, match="已归档"):
        registration_cancel_by_staff(registration=archived[1])
    with pytest.raises(SupplementError, match="已归档"):
        photo_upload(registration=Registration.objects.get(pk=archived[1].pk), data=b"x")
    score = Score.objects.filter(seat__registration=archived[1]).first()
    with pytest.raises(ScoreError, match="已归档"):
        services.score_amend(
            score=score, outcome="scored", points="70", reason="复核", user=academic
        )
    with pytest.raises(CertificateError, match="已归档"):
        certificates.certificates_collect(
            certificates=[c.pk for c in Certificate.objects.all()],
            collected_on=dt.date(2025, 9, 11),
            user=academic,
        )
    with pytest.raises(CertificateError, match="已归档"):
        certificates.certificate_enter(
            registration=archived[0], number="2530000000000001", issued_on=None, user=academic
        )


def test_archive_export_only_for_academic(client, exam_round, archived, academic):
    url = reverse("archive:download", args=[exam_round.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory(username="somebody"))
    assert client.get(url).status_code == 403
    client.force_login(academic)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {"全国考生信息表.xlsx", "证书名单.xlsx", "报名成绩证书.xlsx", "考生照片.zip"} <= set(
        names
    )


def test_archive_page_archives_with_a_reason_and_shows_problems(
    client, exam_round, graded, academic
):
    client.force_login(academic)
    page = client.get(reverse("archive:home"), {"round": exam_round.slug})
    assert "成绩尚未公示" in page.content.decode()
    url = reverse("archive:archive", args=[exam_round.pk])
    refused = client.post(url, {"reason": ""}, follow=True)
    assert "如确需归档" in refused.content.decode()
    done = client.post(url, {"reason": "成绩在国家平台办理"}, follow=True)
    assert "已归档" in done.content.decode()
    assert "下载归档文件" in done.content.decode()


def test_student_page_tells_how_long_data_is_kept(client, exam_round, finished, academic):
    registration = finished[1]
    url = reverse("registration:registration_detail", args=[registration.pk, registration.token])
    assert "本批次考务结束并归档后保存 1825 天" in client.get(url).content.decode()
    round_archive(exam_round=exam_round, user=academic)
    exam_round.refresh_from_db()
    until = exam_round.retention_ends_on
    assert (
        f"自 {until.year}年{until.month}月{until.day}日 起匿名化"
        in client.get(url).content.decode()
    )


def test_archive_page_names_purge_counts_in_chinese(client, exam_round, archived, academic):
    from archive.models import PurgeRecord

    PurgeRecord.objects.create(
        exam_round=exam_round, ran_by="cron", counts={"phones": 3, "photos": 0, "later_kind": 2}
    )
    client.force_login(academic)
    page = client.get(reverse("archive:home"), {"round": exam_round.slug}).content.decode()
    assert "手机号 3" in page
    assert "证件照字段" not in page  # zero counts are left out
    assert "later_kind 2" in page  # a kind without a name yet still shows
    assert "phones" not in page
