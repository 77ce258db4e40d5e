"""Every model registered in Django admin opens its changelist, add page and change page.

Iterating over the admin registry covers models added later without touching this file.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import RegistrationFactory, UserFactory

REGISTERED = sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)
IDS = [model._meta.label for model, _ in REGISTERED]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root-admin", is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def populated(announcement):
    # Rows of every kind the project makes, so changelists render rows, not just the empty state.
    RegistrationFactory(round=announcement)
    Group.objects.get_or_create(name="辅导员")
    return announcement


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_admin_registry_covers_the_domain_models():
    labels = set(IDS)
    for label in [
        "rounds.ExamRound",
        "rounds.SkillLevel",
        "rounds.Major",
        "rounds.SchoolClass",
        "registration.Registration",
        "fees.FeeItem",
        "courses.TrainingModule",
        "eligibility.EligibilityCondition",
    ]:
        assert label in labels


def test_admin_index_opens(superuser_client):
    assert superuser_client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_admin_changelist_opens(superuser_client, populated, model, model_admin):
    url = admin_url(model, "changelist")
    assert superuser_client.get(url).status_code == 200
    # Searching exercises search_fields (a wrong lookup there only fails on search).
    assert superuser_client.get(url, {"q": "电子商务"}).status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_admin_add_page_opens(superuser_client, superuser, populated, model, model_admin, rf):
    request = rf.get("/")
    request.user = superuser
    response = superuser_client.get(admin_url(model, "add"))
    # Read-only logs (e.g. login attempts) refuse additions by design; everything else opens.
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert response.status_code == expected


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_admin_change_page_opens(superuser_client, populated, model, model_admin):
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        pytest.skip(f"the test data has no {model._meta.label} row to open")
    response = superuser_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200
