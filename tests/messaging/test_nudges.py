"""The counselor's nudges page: four lists, a reminder per list (once per person and day,
audited), and text for the class group with names only."""

import datetime as dt

import pytest
from django.urls import reverse

from messaging.models import Message
from registration.models import ClassListEntry
from tests.idnumbers import make_id_number
from workspace.models import ReminderLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(exam_round, own_class, make_registration, own_registration):
    ClassListEntry.objects.create(
        school_class=own_class,
        student_number="S900",
        name="赵六",
        id_number=make_id_number(399, birth=dt.date(2003, 3, 3)),
    )
    paid = make_registration(
        exam_round=exam_round,
        school_class=own_class,
        name="钱七",
        payment_status="paid",
        review_status="confirmed",
        education="大专",
        photo="p/q.jpg",
    )
    return own_registration, paid


def _url(own_class, exam_round):
    return reverse("registration:counselor_nudges", args=[own_class.pk]) + (
        f"?session={exam_round.slug}"
    )


def test_nudges_page_lists_names_only(client, counselor, own_class, exam_round, people):
    unpaid, _paid = people
    client.force_login(counselor)
    page = client.get(_url(own_class, exam_round)).content.decode()
    assert "以下同学尚未报名，请尽快处理：赵六" in page
    assert "以下同学尚未缴清费用，请尽快处理：张三" in page
    assert "钱七" not in page.split('id="nudge-unpaid"')[1].split("</section>")[0]
    assert unpaid.id_number not in page
    assert unpaid.phone not in page
    assert 'data-copy-target="copy-unpaid"' in page


def test_send_reminder_twice_a_day_writes_once_and_logs_both_clicks(
    client, counselor, own_class, exam_round, people, django_capture_on_commit_callbacks
):
    unpaid, _paid = people
    client.force_login(counselor)
    for _click in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url(own_class, exam_round), {"kind": "unpaid"}, follow=True)
    assert "正在后台向 1 位同学发送提醒" in response.content.decode()
    reminders = Message.objects.filter(event="reminder")
    assert list(reminders.values_list("recipient_ref", flat=True)) == [unpaid.pk]
    assert "请尽快按报名确认单上的缴费方式缴费" in reminders.get().body
    assert "王老师" in reminders.get().body
    logs = ReminderLog.objects.all()
    assert [(log.user, log.kind, log.recipients) for log in logs] == [(counselor, "unpaid", 1)] * 2


def test_nudges_of_another_counselors_class_is_404(
    client, other_counselor, own_class, exam_round, people
):
    client.force_login(other_counselor)
    assert client.get(_url(own_class, exam_round)).status_code == 404
    assert client.post(_url(own_class, exam_round), {"kind": "unpaid"}).status_code == 404
    assert not Message.objects.exists()


def test_unknown_list_is_refused_with_a_message(client, counselor, own_class, exam_round, people):
    client.force_login(counselor)
    response = client.post(_url(own_class, exam_round), {"kind": "everyone"}, follow=True)
    assert "没有这个名单" in response.content.decode()
    assert not Message.objects.exists()


def test_round_nudges_for_academic_affairs_only(
    client, academic, counselor, exam_round, people, django_capture_on_commit_callbacks
):
    url = reverse("registration:round_nudges") + f"?round={exam_round.slug}"
    client.force_login(counselor)
    assert client.get(url).status_code == 403  # the one 403 page of the gate
    client.force_login(academic)
    page = client.get(url).content.decode()
    assert "以下同学尚未缴清费用，请尽快处理：张三" in page
    assert 'id="nudge-not_signed_up"' not in page  # class lists are per class
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"kind": "supplement"})
    assert Message.objects.filter(event="reminder").count() == 1
    assert ReminderLog.objects.get().school_class is None
