"""One truth per candidate: a correction that turns a pass into a fail revokes the certificate in
the same step (reason, history); every page agrees; the certificates page lists revoked and
uncollected certificates; 领取 dates are never in the future and can be corrected."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from results import certificates, services
from results.certificates import CertificateError
from results.models import Certificate, Score
from results.services import ScoreError
from tests.results.test_outcomes import graded  # noqa: F401


@pytest.fixture
def certified(exam_round, graded, academic):  # noqa: F811
    """graded[0] passed (60 / 75), is published and holds a certificate."""
    services.notice_publish(round=exam_round, working_days=5, user=academic)
    certificates.certificate_enter(
        registration=graded[0], number="S000123456789", issued_on=None, user=academic
    )
    return graded[0]


def _theory(registration) -> Score:
    return Score.objects.get(seat__registration=registration, seat__sitting__subject="theory")


def test_correction_into_a_fail_needs_the_revocation(certified, academic):
    score = _theory(certified)
    with pytest.raises(ScoreError) as refused:
        services.score_amend(
            score=score, outcome="scored", points="50", reason="登分错误", user=academic
        )
    assert "须同时撤销证书" in str(refused.value)
    score.refresh_from_db()
    assert score.points == 60  # nothing written
    certificate = Certificate.objects.get(registration=certified)
    assert certificate.revoked_at is None
    services.score_amend(
        score=score,
        outcome="scored",
        points="50",
        reason="登分错误",
        user=academic,
        revoke_reason="复核后成绩不合格",
    )
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_by == academic
    assert certificate.revoked_reason == "复核后成绩不合格"
    assert certificate.history.first().history_change_reason.startswith("revoked")


def test_correction_that_keeps_a_pass_leaves_the_certificate(certified, academic):
    services.score_amend(
        score=_theory(certified), outcome="scored", points="70", reason="加分", user=academic
    )
    assert Certificate.objects.get(registration=certified).revoked_at is None


def test_every_page_agrees_after_revocation(exam_round, certified, academic):
    services.score_amend(
        score=_theory(certified),
        outcome="scored",
        points="50",
        reason="登分错误",
        user=academic,
        revoke_reason="成绩更正",
    )
    student = Client()
    page = student.get(
        reverse("registration:registration_detail", args=[certified.pk, certified.token])
    ).content.decode()
    assert 'id="student-result">不合格<' in page
    assert 'id="student-certificate-revoked"' in page and 'id="student-certificate"' not in page
    staff = Client()
    staff.force_login(academic)
    page = staff.get(reverse("results:certificates"), {"round": exam_round.slug}).content.decode()
    assert "S000123456789" in page and "已撤销" in page and "暂无合格考生" not in page
    revoked_only = staff.get(
        reverse("results:certificates"), {"round": exam_round.slug, "state": "revoked"}
    ).content.decode()
    assert "S000123456789" in revoked_only


def test_amend_page_revokes_in_one_step(certified, academic):
    client = Client()
    client.force_login(academic)
    score = _theory(certified)
    url = reverse("results:amend", args=[score.pk])
    assert 'id="amend-certificate"' in client.get(url).content.decode()
    response = client.post(url, {"outcome": "scored", "points": "50", "reason": "登分错误"})
    assert response.status_code == 400 and "须同时撤销证书" in response.content.decode()
    response = client.post(
        url,
        {"outcome": "scored", "points": "50", "reason": "登分错误", "revoke_reason": "更正"},
    )
    assert response.status_code == 302
    assert Certificate.objects.get(registration=certified).revoked_at is not None


def test_certificates_page_lists_uncollected_and_a_held_certificate_of_a_fail(
    exam_round,
    graded,  # noqa: F811
    academic,
):
    # A certificate recorded before the 公示 for someone whose scores fail: still listed.
    certificates.certificate_enter(
        registration=graded[1], number="S000000000002", issued_on=None, user=academic
    )
    client = Client()
    client.force_login(academic)
    page = client.get(reverse("results:certificates"), {"round": exam_round.slug}).content.decode()
    assert "S000000000002" in page and "成绩不合格：请撤销证书" in page
    uncollected = client.get(
        reverse("results:certificates"), {"round": exam_round.slug, "state": "missing"}
    ).content.decode()
    assert "S000000000002" not in uncollected


def test_collection_date_in_the_future_is_refused(certified, academic):
    certificate = Certificate.objects.get(registration=certified)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(CertificateError) as refused:
        certificates.certificates_collect(
            certificates=[certificate.pk], collected_on=tomorrow, user=academic
        )
    assert "不能晚于今天" in str(refused.value)
    with pytest.raises(CertificateError):
        certificates.certificates_collect(
            certificates=[certificate.pk], collected_on=dt.date(2099, 1, 1), user=academic
        )
    today = timezone.localdate()
    assert (
        certificates.certificates_collect(
            certificates=[certificate.pk], collected_on=today, user=academic
        )
        == 1
    )


def test_collection_date_is_correctable_with_history(certified, academic):
    certificate = Certificate.objects.get(registration=certified)
    certificates.certificates_collect(
        certificates=[certificate.pk], collected_on=dt.date(2026, 1, 5), user=academic
    )
    client = Client()
    client.force_login(academic)
    url = reverse("results:certificate_collection", args=[certificate.pk])
    client.post(url, {"collected_on": "2026-01-06", "reason": "登记错日期"})
    certificate.refresh_from_db()
    assert certificate.collected_on == dt.date(2026, 1, 6)
    assert certificate.history.first().history_change_reason == "collection corrected: 登记错日期"
    client.post(url, {"collected_on": "2099-01-01", "reason": "试试"})
    certificate.refresh_from_db()
    assert certificate.collected_on == dt.date(2026, 1, 6)
    client.post(url, {"collected_on": "", "reason": "尚未领取"})
    certificate.refresh_from_db()
    assert certificate.collected_on is None and certificate.handed_out_by is None
    page = client.get(reverse("results:certificate_edit", args=[certified.pk])).content.decode()
    assert "登记错日期" in page


def test_revoked_certificate_is_not_collected_nor_reimported(exam_round, certified, academic):
    certificate = Certificate.objects.get(registration=certified)
    services.certificate_revoke(certificate=certificate, reason="误发", user=academic)
    with pytest.raises(CertificateError):
        certificates.certificates_collect(
            certificates=[certificate.pk], collected_on=timezone.localdate(), user=academic
        )
    from tests.results.test_certificates import xlsx

    report = certificates.certificates_import(
        round=exam_round,
        content=xlsx([["身份证号", "证书编号"], [certified.id_number, "S000123456789"]]),
        user=academic,
    )
    assert report.created == 0 and "已撤销" in report.problems[0][2]


def test_page_after_an_import_with_problem_rows_shows_what_was_written(
    exam_round,
    graded,  # noqa: F811
    academic,
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.results.test_certificates import xlsx

    services.notice_publish(round=exam_round, working_days=5, user=academic)
    content = xlsx(
        [
            ["身份证号", "证书编号"],
            [graded[0].id_number, "S000123456789"],
            ["110101199001011234", "S000123456780"],
        ]
    )
    client = Client()
    client.force_login(academic)
    response = client.post(
        f"{reverse('results:certificates')}?round={exam_round.slug}",
        {"file": SimpleUploadedFile("c.xlsx", content)},
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="import-problems"' in page
    row = page[page.index("S000123456789") - 400 : page.index("S000123456789")]
    assert "张三1" in row
    assert page.count("未登记</span>") == 0  # the one passed candidate is registered now


def test_a_revoked_certificate_does_not_hold_the_archive_back(exam_round, certified, academic):
    from archive.selectors import round_unfinished

    certificate = Certificate.objects.get(registration=certified)
    assert "1 本证书尚未领取" in round_unfinished(exam_round)
    services.score_amend(
        score=_theory(certified),
        outcome="scored",
        points="50",
        reason="登分错误",
        user=academic,
        revoke_reason="成绩更正",
    )
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert not any("尚未领取" in problem for problem in round_unfinished(exam_round))


def test_certificate_rows_query_count_is_fixed(
    exam_round,
    certified,
    academic,
    django_assert_num_queries,
):
    from registration.models import Registration
    from results import selectors

    registrations = Registration.objects.filter(round=exam_round)
    with django_assert_num_queries(4):
        rows = selectors.certificate_rows(round=exam_round, registrations=registrations)
    assert [row["state"] for row in rows] == ["uncollected"]
