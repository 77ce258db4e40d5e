"""`retention_days` is edited on the round's admin page (docs/archive.md), with history."""

import pytest
from django.urls import reverse

from rounds.models import ExamRound
from tests.factories import ExamRoundFactory, UserFactory

pytestmark = pytest.mark.django_db


def _form_data(response) -> dict:
    """What the browser would send back: every field of the form and of its inlines."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None:
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def test_round_admin_edits_retention_days_and_keeps_the_change_in_history(client):
    admin = UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    exam_round = ExamRoundFactory()
    client.force_login(admin)
    url = reverse("admin:rounds_examround_change", args=[exam_round.pk])
    page = client.get(url)
    assert 'name="retention_days"' in page.content.decode()
    data = _form_data(page)
    assert data["retention_days"] == str(exam_round.retention_days)
    data["retention_days"] = "1825"

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    exam_round.refresh_from_db()
    assert exam_round.retention_days == 1825
    latest = ExamRound.history.filter(id=exam_round.pk).latest("history_date")
    assert (latest.retention_days, latest.history_user) == (1825, admin)
    data["retention_days"] = "3651"  # just past the upper bound
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "retention_days" in refused.context["adminform"].form.errors
