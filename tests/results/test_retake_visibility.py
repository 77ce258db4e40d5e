"""Retakes the candidate can see: the offer on their private page and on the home page; only
open, unarchived rounds as targets; a 补考 column in the shipped score sheet."""

import io

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from registration.models import Registration
from results import retakes
from tests.results.test_outcomes import graded  # noqa: F401
from tests.results.test_retakes import target  # noqa: F401


def test_candidate_page_shows_the_offer_with_its_link(exam_round, graded, target, academic):  # noqa: F811
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    failed, passed = graded[1], graded[0]
    page = (
        Client()
        .get(reverse("registration:registration_detail", args=[failed.pk, failed.token]))
        .content.decode()
    )
    assert 'id="student-retakes"' in page
    assert reverse("registration:retake", args=[target.slug]) in page
    assert "补考理论知识" in page
    page = (
        Client()
        .get(reverse("registration:registration_detail", args=[passed.pk, passed.token]))
        .content.decode()
    )
    assert 'id="student-retakes"' not in page


def test_offer_disappears_when_the_target_is_archived(exam_round, graded, target, academic):  # noqa: F811
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    target.archived_at = timezone.now()
    target.save(update_fields=["archived_at"])
    failed = graded[1]
    page = (
        Client()
        .get(reverse("registration:registration_detail", args=[failed.pk, failed.token]))
        .content.decode()
    )
    assert 'id="student-retakes"' not in page


def test_archived_round_is_not_a_retake_target(exam_round, graded, target):  # noqa: F811
    assert target in retakes.open_target_rounds(source_round=exam_round)
    target.archived_at = timezone.now()
    target.save(update_fields=["archived_at"])
    assert target not in retakes.open_target_rounds(source_round=exam_round)


def test_home_page_links_the_retake_sign_up(exam_round, graded, target, academic, settings):  # noqa: F811
    from results.templatetags.results_tags import home_results_links

    assert home_results_links(target)["retake_round"] is None
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    assert home_results_links(target)["retake_round"] == target
    assert home_results_links(exam_round)["retake_round"] is None


def test_shipped_score_sheet_has_a_retake_column(exam_round, graded, target, academic):  # noqa: F811
    from registration.candidate_data import ExamType

    Registration.objects.filter(pk=graded[1].pk).update(exam_type_theory=ExamType.RETAKE)
    client = Client()
    client.force_login(academic)
    response = client.get(reverse("results:score_sheet"), {"round": exam_round.slug})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("补考")
    by_name = {row[rows[0].index("姓名")]: row[column] for row in rows[1:]}
    assert by_name[graded[1].name] == "理论知识"
    assert by_name[graded[0].name] in (None, "")
