"""Issue 12's smaller items: a long return reason, export names that say their filters, and the
round-clone form's date inputs."""

import re
import urllib.parse

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.workspace.conftest import level
from workspace.services import review

pytestmark = pytest.mark.django_db


def test_a_return_reason_over_200_characters_gets_a_chinese_message(
    client, counselor, own_registration
):
    client.force_login(counselor)
    url = reverse("registration:counselor_registration_return", args=[own_registration.pk])
    response = client.post(url, {"reason": "请" * 201})
    assert response.status_code == 400
    page = response.content.decode()
    assert str(review.REASON_TOO_LONG) in page
    assert "确保该变量" not in page
    own_registration.refresh_from_db()
    assert own_registration.review_status == "pending"


def _export_name(response) -> str:
    encoded = re.search(r"filename\*=UTF-8''(\S+)", response["Content-Disposition"]).group(1)
    return urllib.parse.unquote(encoded)


def test_a_filtered_round_export_is_named_after_its_filters(
    client, academic, exam_round, own_class
):
    exam_round.levels.add(level(3))
    client.force_login(academic)
    url = reverse("registration:counselor_export")
    filtered = client.get(
        url,
        {"session": exam_round.slug, "major": own_class.major_id, "level": level(3).pk},
    )
    name = _export_name(filtered)
    assert "电子商务" in name
    assert level(3).short_name in name
    assert "全部班级" not in name
    assert "全部班级" in _export_name(client.get(url, {"session": exam_round.slug}))


def test_the_clone_form_fills_date_inputs_in_iso_format(client, exam_round):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(
        reverse("admin:rounds_examround_clone", args=[exam_round.pk])
    ).content.decode()
    deadline = exam_round.registration_deadline.replace(
        year=exam_round.registration_deadline.year + 1
    )
    assert f'value="{deadline:%Y-%m-%d}"' in page
    assert f"{deadline:%Y/%m/%d}" not in page
