"""A round that refuses social candidates says so in its own words, names the next round and
keeps an interest list 教务 can export."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import ACADEMIC_GROUP, COUNSELOR_GROUP, roles_setup, user_role_add
from registration.models import SocialInterest
from registration.services.interest import InterestError, social_interest_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("registration:social_interest")


@pytest.fixture
def refusing(announcement):
    announcement.next_round_note = "预计2027年春季开放社会人员报名"
    announcement.save()
    return announcement


def test_refusal_pages_show_the_rounds_own_text_and_the_next_round(client, refusing):
    home = client.get("/").content.decode()
    assert refusing.social_refusal_reason in home
    assert "预计2027年春季开放社会人员报名" in home and URL in home
    page = client.get(URL).content.decode()
    assert "预计2027年春季开放社会人员报名" in page and "无需提供身份证号" in page


def test_interest_is_recorded_once_per_phone_and_needs_consent(client, refusing):
    data = {"name": "李四", "phone": "13800138000", "level_code": "4"}
    refused = client.post(URL, data)
    assert refused.status_code == 400 and "请勾选同意" in refused.content.decode()
    assert not SocialInterest.objects.exists()
    assert client.post(URL, {**data, "consent": "on"}).status_code == 302
    assert client.post(URL, {**data, "name": "李肆", "consent": "on"}).status_code == 302
    interest = SocialInterest.objects.get()
    assert (interest.name, interest.phone, interest.level_code) == ("李肆", "13800138000", 4)
    assert interest.consent_at is not None


def test_interest_form_refuses_bad_input_in_chinese_and_keeps_it(client, refusing):
    response = client.post(URL, {"name": "Li4", "phone": "123", "consent": "on"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "姓名" in html and "手机号" in html
    assert 'value="123"' in html  # nothing typed is lost
    assert not SocialInterest.objects.exists()


def test_interest_is_not_collected_when_the_round_accepts_social(client, refusing):
    refusing.accepts_social = True
    refusing.save()
    assert client.get(URL)["Location"] == reverse("registration:social_entry")
    with pytest.raises(InterestError):
        social_interest_record(
            exam_round=refusing, name="李四", phone="13800138000", level_code=None, consent=True
        )


def test_academic_exports_the_interest_list_and_a_counselor_cannot(refusing):
    roles_setup()
    social_interest_record(
        exam_round=refusing, name="李四", phone="13800138000", level_code=4, consent=True
    )
    export = reverse("registration:counselor_social_interest_export") + f"?round={refusing.slug}"
    counselor = UserFactory(username="wang")
    user_role_add(user=counselor, group_name=COUNSELOR_GROUP)
    academic = UserFactory(username="jiaowu")
    user_role_add(user=academic, group_name=ACADEMIC_GROUP)
    as_counselor = Client()
    as_counselor.force_login(counselor)
    assert as_counselor.get(export).status_code == 403
    as_academic = Client()
    as_academic.force_login(academic)
    response = as_academic.get(export)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "姓名", "手机号")
    assert rows[1][1:4] == ("李四", "13800138000", "四级/中级工")


def test_interest_list_goes_with_the_rounds_purge(refusing):
    from django.utils import timezone

    from archive.purge import round_purge
    from tests.factories import ExamRoundFactory

    social_interest_record(
        exam_round=refusing, name="李四", phone="13800138000", level_code=4, consent=True
    )
    other = ExamRoundFactory()
    social_interest_record(
        exam_round=other, name="王五", phone="13900139000", level_code=None, consent=True
    )
    refusing.archived_at = timezone.now()
    refusing.save()
    counts = round_purge(exam_round=refusing, ran_by="test")
    assert counts["registration.SocialInterest"] == 1
    assert list(SocialInterest.objects.values_list("name", flat=True)) == ["王五"]
