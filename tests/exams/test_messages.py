"""Publishing the exam plan tells each candidate their ticket is ready, once."""

from exams import services
from exams.models import DrawMethod
from messaging.models import Message
from tests.exams.conftest import seatable


def test_publish_tells_each_candidate_the_ticket_is_ready(
    exam_round, level3, sitting, skill_sitting, django_capture_on_commit_callbacks
):
    people = [seatable(exam_round, level3) for _ in range(3)]
    services.seats_assign(sitting=sitting, method=DrawMethod.RANDOM, seed=3)
    services.seats_assign(sitting=skill_sitting, method=DrawMethod.BY_CLASS)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_publish(round=exam_round)
    messages = Message.objects.filter(event="ticket_ready", channel="inbox")
    assert sorted(messages.values_list("recipient_ref", flat=True)) == sorted(p.pk for p in people)
    assert "准考证已生成" in messages.first().body
