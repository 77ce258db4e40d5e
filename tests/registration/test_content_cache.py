"""Admin edits reach cached pages at once: every model is content (bumps) or transactional."""

from pathlib import Path

import pytest
from django.apps import apps
from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client
from django.urls import reverse

from common import content_cache
from eligibility.models import EligibilityCondition
from registration.models import Registration

pytestmark = pytest.mark.django_db

# The project's own apps: every installed app whose code lives in this repository (a new app is
# covered the day it is installed, with no list here to forget it in).
PROJECT_APPS = {
    config.label
    for config in django_apps.get_app_configs()
    if Path(config.path).resolve().is_relative_to(Path(settings.BASE_DIR).resolve())
    and ".venv" not in Path(config.path).parts
}


def test_content_cache_every_project_model_is_classified():
    unclassified = [
        f"{model._meta.app_label}.{model.__name__}"
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and not model.__name__.startswith("Historical")
        and not content_cache.is_classified(model)
    ]
    assert unclassified == []


def test_content_cache_rule_edit_shows_on_the_next_form_view(
    client, sophomore_class, during_round, settings
):
    settings.FORM_FRAGMENT_CACHE_SECONDS = 60
    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    assert 'name="level" value="3"' in client.get(url).content.decode()
    rule = EligibilityCondition.objects.get(code="L3-S")
    rule.is_active = False
    rule.save()  # the admin's save path
    assert 'name="level" value="3"' not in Client().get(url).content.decode()


def test_content_cache_round_edit_shows_on_the_next_home_view(announcement, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    Client().get(reverse("registration:home"))
    announcement.consultation_qq = "123454321"
    announcement.save()
    assert "123454321" in Client().get(reverse("registration:home")).content.decode()


def test_content_cache_sign_ups_do_not_empty_the_cache(sophomore_class, during_round):
    before = content_cache.generation()
    from tests.registration.test_classroom_rush import _student

    url = reverse("registration:class_entry", kwargs={"code": sophomore_class.code})
    assert Client().post(url, _student(5)).status_code == 302
    assert content_cache.generation() == before
    assert Registration.objects.count() == 1
