"""Results, retake offers and certificates reach the candidate's inbox once (docs/messaging.md)."""

import datetime as dt

from django.urls import reverse

from messaging.models import Message
from results import certificates, retakes
from results import services as results_services
from tests.results.test_outcomes import graded  # noqa: F401
from tests.results.test_retakes import target  # noqa: F401


def _inbox(event):
    return Message.objects.filter(event=event, channel="inbox")


def test_publishing_results_tells_every_seated_candidate_once(
    exam_round,
    graded,  # noqa: F811
    academic,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        results_services.notice_publish(round=exam_round, working_days=5, user=academic)
    assert set(_inbox("results_published").values_list("recipient_ref", flat=True)) == {
        r.pk for r in graded
    }
    assert "成绩已公布" in _inbox("results_published").first().body


def test_a_retake_offer_links_to_the_retake_page_and_is_sent_once(
    exam_round,
    graded,  # noqa: F811
    target,  # noqa: F811
    academic,
):
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    retakes.offer_retakes(source_round=exam_round, target_round=target, actor=academic)
    offers = _inbox("retake_offered")
    assert offers.count() == 3
    link = reverse("registration:retake", args=[target.slug])
    assert all(m.link.endswith(link) and link in m.body for m in offers)
    assert {m.recipient_ref for m in offers} == {graded[1].pk, graded[2].pk, graded[3].pk}


def test_a_certificate_ready_message_on_its_first_number_only(
    exam_round,
    graded,  # noqa: F811
    academic,
):
    results_services.notice_publish(round=exam_round, working_days=5, user=academic)
    own = graded[0]
    for number in ("S000123456789", "S000123456789", "S000123456788"):
        certificates.certificate_enter(
            registration=own, number=number, issued_on=dt.date(2025, 12, 1), user=academic
        )
    assert list(_inbox("certificate_ready").values_list("recipient_ref", flat=True)) == [own.pk]
