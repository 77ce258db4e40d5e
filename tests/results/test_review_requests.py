"""复核 during the 公示: the candidate asks from the private link, within the period, once per
subject, rate-limited; 教务 record the outcome (unchanged, or corrected through the audited
amendment); the notice shows the count."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from results import services
from results.models import ResultNotice, ReviewRequest, ReviewRequestStatus, Score
from results.services import ScoreError
from tests.results.test_outcomes import graded  # noqa: F401


@pytest.fixture
def published(exam_round, graded, academic):  # noqa: F811
    caches["ratelimit"].clear()
    return services.notice_publish(round=exam_round, working_days=5, user=academic)


def _ask(client, registration, subject="theory", reason="分数与估分差距大"):
    return client.post(
        reverse("results:review_request", args=[registration.pk, registration.token]),
        {"subject": subject, "reason": reason},
    )


def test_candidate_asks_once_per_subject(published, graded):  # noqa: F811
    own = graded[1]
    client = Client()
    detail = reverse("registration:registration_detail", args=[own.pk, own.token])
    assert 'id="review-request"' in client.get(detail).content.decode()
    assert _ask(client, own).status_code == 302
    assert _ask(client, own).status_code == 302
    assert ReviewRequest.objects.filter(registration=own).count() == 1
    page = client.get(detail).content.decode()
    assert "申请复核" in page and "<strong>待处理</strong>" in page
    _ask(client, own, subject="skill")
    assert ReviewRequest.objects.filter(registration=own).count() == 2
    assert 'id="review-request"' not in client.get(detail).content.decode()


def test_wrong_token_is_404(published, graded):  # noqa: F811
    own = graded[1]
    response = Client().post(
        reverse("results:review_request", args=[own.pk, "x" * 20]),
        {"subject": "theory", "reason": "x"},
    )
    assert response.status_code == 404 and not ReviewRequest.objects.exists()


def test_only_within_the_period(published, graded):  # noqa: F811
    own = graded[1]
    with pytest.raises(ScoreError) as refused:
        services.review_request_submit(
            registration=own,
            subject="theory",
            reason="x",
            today=published.ends_on + dt.timedelta(days=1),
        )
    assert str(refused.value) == str(services.REVIEW_NOT_IN_NOTICE)
    services.review_request_submit(
        registration=own, subject="theory", reason="x", today=published.ends_on
    )


def test_not_before_publication(exam_round, graded):  # noqa: F811
    with pytest.raises(ScoreError):
        services.review_request_submit(registration=graded[1], subject="theory", reason="x")


def test_rate_limited(published, graded):  # noqa: F811
    own = graded[1]
    client = Client()
    for _ in range(5):
        _ask(client, own, reason="")  # invalid, but counted
    _ask(client, own)
    assert not ReviewRequest.objects.exists()


def test_unchanged_outcome_and_the_notice_count(exam_round, published, graded, academic):  # noqa: F811
    own = graded[1]
    review = services.review_request_submit(registration=own, subject="theory", reason="x")
    client = Client()
    client.force_login(academic)
    queue = client.get(reverse("results:review_requests"), {"round": exam_round.slug})
    assert own.name in queue.content.decode()
    client.post(
        reverse("results:review_decide", args=[review.pk]),
        {"status": "unchanged", "answer": "经复核，分数无误"},
    )
    review.refresh_from_db()
    assert (review.status, review.answer, review.decided_by) == (
        ReviewRequestStatus.UNCHANGED,
        "经复核，分数无误",
        academic,
    )
    notice = Client().get(reverse("results:notice", args=[exam_round.slug])).content.decode()
    assert "已收到成绩复核申请 1 件，已处理 1 件，其中更正成绩 0 件" in notice
    page = (
        Client()
        .get(reverse("registration:registration_detail", args=[own.pk, own.token]))
        .content.decode()
    )
    assert "经复核，分数无误" in page


def test_corrected_outcome_goes_through_the_amendment(exam_round, published, graded, academic):  # noqa: F811
    own = graded[1]  # 59.5 / 90: fails theory
    review = services.review_request_submit(registration=own, subject="theory", reason="漏分")
    with pytest.raises(ScoreError):
        services.review_request_decide(
            review_request=review, status=ReviewRequestStatus.CORRECTED, answer="x", user=academic
        )
    score = Score.objects.get(seat__registration=own, seat__sitting__subject="theory")
    client = Client()
    client.force_login(academic)
    url = reverse("results:amend", args=[score.pk])
    assert 'id="amend-review"' in client.get(url, {"review": review.pk}).content.decode()
    client.post(
        url, {"outcome": "scored", "points": "61", "reason": "复核发现漏分", "review": review.pk}
    )
    review.refresh_from_db()
    score.refresh_from_db()
    assert score.points == 61 and review.status == ReviewRequestStatus.CORRECTED
    assert review.answer == "复核发现漏分"
    assert score.history.first().history_change_reason == "复核发现漏分"
    notice = Client().get(reverse("results:notice", args=[exam_round.slug])).content.decode()
    assert "其中更正成绩 1 件" in notice
    assert ResultNotice.objects.count() == 1


def test_review_queue_query_count_is_fixed(
    exam_round,
    published,
    graded,  # noqa: F811
    django_assert_num_queries,
):
    from results import selectors

    for person in graded:
        services.review_request_submit(registration=person, subject="theory", reason="x")
    with django_assert_num_queries(2):
        requests = selectors.review_requests_of(round=exam_round)
    assert len(requests) == 4 and all(r.score_pk for r in requests)
