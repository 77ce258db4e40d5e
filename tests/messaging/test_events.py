"""Each event end to end: a state change through the page → one message per channel, never
twice on a second click; failures retried, then shown to staff."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from messaging.delivery import message_deliver
from messaging.models import Channel, ContactPreference, Message, MessageState

pytestmark = pytest.mark.django_db


def _email(registration, address="zhangsan@qq.com"):
    ContactPreference.objects.create(
        round=registration.round,
        recipient_ref=registration.pk,
        email=address,
        email_consent_at=timezone.now(),
    )


def _daytime(monkeypatch):
    """Outside SMS quiet hours whatever the clock says when the suite runs."""
    noon = dt.datetime(2026, 5, 20, 4, 0, tzinfo=dt.timezone.utc)  # 12:00 in Shanghai
    monkeypatch.setattr("messaging.delivery.timezone.now", lambda: noon)


def test_return_through_the_page_writes_one_message_per_channel_and_never_twice(
    client,
    counselor,
    own_registration,
    fake_sms,
    sms_templates,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    _daytime(monkeypatch)
    _email(own_registration)
    client.force_login(counselor)
    url = reverse("registration:counselor_registration_return", args=[own_registration.pk])
    for _click in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, {"reason": "照片不清晰"}).status_code == 302
    rows = Message.objects.filter(recipient_ref=own_registration.pk)
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "inbox", "sms"]
    assert set(rows.values_list("state", flat=True)) == {MessageState.SENT}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhangsan@qq.com"]
    assert "照片不清晰" in mail.outbox[0].body
    assert f"/me/{own_registration.pk}/{own_registration.token}/" in mail.outbox[0].body
    assert len(fake_sms.requests) == 1
    sms = fake_sms.requests[0]
    assert (sms["PhoneNumbers"], sms["TemplateCode"], sms["SignName"]) == (
        own_registration.phone,
        "SMS_100001",
        "考务通",
    )
    assert "照片不清晰" in sms["TemplateParam"]
    assert "Signature" in sms
    for row in rows:
        assert own_registration.id_number not in row.body  # no ID numbers in any message


def test_confirm_through_the_page_writes_an_inbox_message_with_unread_count(
    client, counselor, own_registration, django_capture_on_commit_callbacks
):
    client.force_login(counselor)
    url = reverse("registration:counselor_registration_confirm", args=[own_registration.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        client.post(url)  # the second click changes nothing and writes nothing
    assert Message.objects.filter(recipient_ref=own_registration.pk).count() == 1
    client.logout()
    private = reverse(
        "registration:registration_detail", args=[own_registration.pk, own_registration.token]
    )
    page = client.get(private).content.decode()
    assert 'id="inbox-link"' in page
    assert '<span class="badge text-bg-light">1</span>' in page
    inbox_url = reverse("registration:inbox", args=[own_registration.pk, own_registration.token])
    inbox = client.get(inbox_url).content.decode()
    assert "报名已审核通过" in inbox
    page = client.get(private).content.decode()
    assert '<span class="badge text-bg-light">' not in page  # read now


def test_inbox_of_another_token_is_404(client, own_registration):
    url = reverse("registration:inbox", args=[own_registration.pk, "wrong-token"])
    assert client.get(url).status_code == 404


def test_sms_failures_are_retried_with_backoff_then_failed_with_the_reason(
    own_registration, fake_sms, sms_templates, settings
):
    from registration.messages import Event, notify

    settings.MESSAGE_MAX_ATTEMPTS = 3
    fake_sms.fail_next = 10
    notify(own_registration, Event.TICKET_READY)
    sms = Message.objects.get(channel=Channel.SMS)
    noon = dt.datetime(2026, 5, 20, 4, 0, tzinfo=dt.timezone.utc)
    again = message_deliver(message_id=sms.pk, now=noon)
    assert again == noon + dt.timedelta(seconds=60)
    sms.refresh_from_db()
    assert (sms.state, sms.attempts) == (MessageState.PENDING, 1)
    assert "isv.BUSINESS_LIMIT_CONTROL" in sms.last_error
    assert message_deliver(message_id=sms.pk, now=noon) is None  # not due yet: nothing sent
    assert len(fake_sms.requests) == 1
    again = message_deliver(message_id=sms.pk, now=again)
    assert again == noon + dt.timedelta(seconds=60 + 120)
    assert message_deliver(message_id=sms.pk, now=again) is None
    sms.refresh_from_db()
    assert (sms.state, sms.attempts) == (MessageState.FAILED, 3)
    assert len(fake_sms.requests) == 3


def test_failed_message_is_shown_to_staff_in_admin_and_can_be_retried(
    admin_client,
    own_registration,
    fake_sms,
    sms_templates,
    settings,
    django_capture_on_commit_callbacks,
):
    from registration.messages import Event, notify

    settings.MESSAGE_MAX_ATTEMPTS = 1
    fake_sms.fail_next = 1
    notify(own_registration, Event.TICKET_READY)
    sms = Message.objects.get(channel=Channel.SMS)
    noon = dt.datetime(2026, 5, 20, 4, 0, tzinfo=dt.timezone.utc)
    message_deliver(message_id=sms.pk, now=noon)
    page = admin_client.get(
        reverse("admin:messaging_message_changelist"), {"state": "failed"}
    ).content.decode()
    assert "发送失败" in page
    assert "触发限流" in page
    assert own_registration.phone not in page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:messaging_message_changelist"),
            {"action": "retry", "_selected_action": [sms.pk]},
        )
    sms.refresh_from_db()
    # Re-queued and (tasks run immediately in tests) delivered — unless it is night in Shanghai.
    assert sms.state in (MessageState.SENT, MessageState.PENDING)
    assert sms.attempts <= 1


def test_sms_waits_for_the_morning_in_quiet_hours(own_registration, fake_sms, sms_templates):
    from registration.messages import Event, notify

    notify(own_registration, Event.TICKET_READY)
    sms = Message.objects.get(channel=Channel.SMS)
    night = dt.datetime(2026, 5, 20, 15, 30, tzinfo=dt.timezone.utc)  # 23:30 in Shanghai
    again = message_deliver(message_id=sms.pk, now=night)
    assert again == dt.datetime(2026, 5, 21, 0, 0, tzinfo=dt.timezone.utc)  # 08:00 next day
    sms.refresh_from_db()
    assert (sms.state, sms.attempts, len(fake_sms.requests)) == (MessageState.PENDING, 0, 0)
    just_before = dt.datetime(2026, 5, 20, 23, 59, tzinfo=dt.timezone.utc)  # 07:59
    assert message_deliver(message_id=sms.pk, now=just_before) is None  # not due
    assert message_deliver(message_id=sms.pk, now=again) is None
    sms.refresh_from_db()
    assert sms.state == MessageState.SENT
    assert len(fake_sms.requests) == 1


def test_provider_rate_limit_defers_the_send_past_the_limit(
    own_registration, make_registration, fake_sms, sms_templates, settings, monkeypatch
):
    from registration.messages import Event, notify

    settings.SMS_RATE_PER_SECOND = 2
    monkeypatch.setattr("messaging.delivery.time.time", lambda: 1_800_000_000.5)  # one second
    people = [own_registration] + [
        make_registration(exam_round=own_registration.round, school_class=None) for _ in range(2)
    ]
    for person in people:
        notify(person, Event.TICKET_READY)
    noon = dt.datetime(2026, 5, 20, 4, 0, tzinfo=dt.timezone.utc)
    outcomes = [
        message_deliver(message_id=m.pk, now=noon)
        for m in Message.objects.filter(channel=Channel.SMS).order_by("pk")
    ]
    assert outcomes == [None, None, noon + dt.timedelta(seconds=1)]
    assert len(fake_sms.requests) == 2
    third = Message.objects.filter(channel=Channel.SMS).order_by("pk").last()
    assert (third.state, third.attempts) == (MessageState.PENDING, 0)


def test_nonessential_messages_can_be_turned_off_but_the_inbox_keeps_them(
    client, own_registration, fake_sms, sms_templates
):
    from registration.messages import Event, notify

    url = reverse("registration:inbox", args=[own_registration.pk, own_registration.token])
    response = client.post(
        url, {"email": "a@qq.com", "email_consent": "on", "nonessential_off": "on"}
    )
    assert response.status_code == 302
    notify(own_registration, Event.SUPPLEMENT_INCOMPLETE, deadline="2026-06-01", days=3)
    notify(own_registration, Event.TICKET_READY)
    channels = set(
        Message.objects.filter(event="supplement_incomplete").values_list("channel", flat=True)
    )
    assert channels == {"inbox"}
    channels = set(Message.objects.filter(event="ticket_ready").values_list("channel", flat=True))
    assert channels == {"inbox", "email", "sms"}


def test_email_without_consent_is_refused_with_a_chinese_message(client, own_registration):
    url = reverse("registration:inbox", args=[own_registration.pk, own_registration.token])
    response = client.post(url, {"email": "a@qq.com"})
    assert response.status_code == 200
    assert "请勾选同意" in response.content.decode()
    assert not ContactPreference.objects.exists()


def test_an_id_number_in_an_edited_template_is_refused_and_masked_if_it_slips_in(
    admin_client, own_registration
):
    from messaging.models import MessageTemplate
    from registration.messages import Event, notify

    template = MessageTemplate.objects.get(event="ticket_ready")
    url = reverse("admin:messaging_messagetemplate_change", args=[template.pk])
    leaky = "{{ name }} 110101200001011234"
    response = admin_client.post(url, {"title": "准考证", "body": leaky, "essential": "on"})
    assert response.status_code == 200
    assert "通知内容中不能包含身份证号" in response.content.decode()
    MessageTemplate.objects.filter(pk=template.pk).update(body=leaky)  # bypassing admin
    notify(own_registration, Event.TICKET_READY)
    body = Message.objects.get(event="ticket_ready").body
    assert "110101200001011234" not in body


def test_photo_returned_through_the_page_writes_one_message_per_reason(
    client, counselor, own_registration, django_capture_on_commit_callbacks
):
    from registration.services import supplement
    from tests.workspace.test_supplement import jpeg

    supplement.photo_upload(registration=own_registration, data=jpeg())
    client.force_login(counselor)
    url = reverse("registration:counselor_photo_return", args=[own_registration.pk])
    for _click in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"reason": "背景不是白色，请重拍"})
    rows = Message.objects.filter(event="photo_returned")
    assert rows.count() == 1
    assert "背景不是白色，请重拍" in rows.get().body
