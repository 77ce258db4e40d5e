"""Apps declare their own data (issue 25 item 4): every field that looks personal is declared,
every declaration is one the purge can apply, and lower apps read the declarations."""

from pathlib import Path

import pytest
from django.apps import apps
from django.apps import apps as django_apps
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps

from accounts.roles import (
    ACADEMIC_GROUP,
    GROUP_PERMISSIONS,
    INVIGILATOR_GROUP,
    SCORER_GROUP,
    RolesSetupError,
    group_permissions,
    roles_setup,
)
from archive.purge import declaration_problems
from common import appdata, content_cache
from common.appdata import AppData, Personal, Purge

# The project's own apps: every installed app whose code lives in this repository (a new app is
# covered the day it is installed, with no list here to forget it in).
PROJECT_APPS = {
    config.label
    for config in django_apps.get_app_configs()
    if Path(config.path).resolve().is_relative_to(Path(settings.BASE_DIR).resolve())
    and ".venv" not in Path(config.path).parts
}


def project_models():
    """Every installed model of the project's apps, history models included."""
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def test_declarations_every_personal_looking_field_is_declared():
    models_ = project_models()
    assert any(m.__name__ == "HistoricalRegistration" for m in models_)  # history is checked
    assert appdata.undeclared_personal_fields(models_) == []


def test_declarations_the_check_sees_the_fields_it_must():
    """The heuristic itself: names and kinds of fields that may hold personal data."""
    registration = apps.get_model("registration", "Registration")
    flagged = {f.name for f in registration._meta.concrete_fields if appdata.looks_personal(f)}
    assert {"name", "id_number", "phone", "photo", "student_number", "birth_date"} <= flagged
    assert {"gender", "status", "number"}.isdisjoint(flagged)


@isolate_apps("archive")
def test_declarations_a_new_undeclared_personal_field_fails():
    """A deliberate violation: a new model (as the coming messages app would add) with a phone,
    an e-mail, a free-text body and an attachment, declared nowhere."""

    class Message(models.Model):
        recipient_phone = models.CharField(max_length=20)
        email = models.EmailField()
        body = models.TextField()
        attachment = models.FileField()
        sent = models.BooleanField(default=False)

        class Meta:
            app_label = "archive"

        def __str__(self) -> str:
            return self.email

    assert appdata.undeclared_personal_fields([Message]) == [
        "archive.Message.recipient_phone",
        "archive.Message.email",
        "archive.Message.body",
        "archive.Message.attachment",
    ]


@isolate_apps("registration")
def test_declarations_a_new_field_on_a_declared_model_fails():
    """A field added to a model whose other fields are declared is caught too."""

    class Registration(models.Model):
        name = models.CharField(max_length=20)  # declared (Purge.NAME)
        mobile = models.CharField(max_length=20)  # new, undeclared
        home_address = models.CharField(max_length=200)  # new, undeclared

        class Meta:
            app_label = "registration"

        def __str__(self) -> str:
            return self.name

    assert appdata.undeclared_personal_fields([Registration]) == [
        "registration.Registration.mobile",
        "registration.Registration.home_address",
    ]


def test_declarations_the_purge_can_apply_every_declaration():
    assert declaration_problems() == []


def test_declarations_a_declaration_the_purge_cannot_apply_is_reported(monkeypatch):
    broken = AppData(
        personal=(
            Personal("Seat", {"move_reason": Purge.REDACT}),  # which rows? neither of nor match
            Personal("Seat", {"no_such_field": Purge.CLEAR}, of="registration"),
            Personal("Room", {"name": Purge.NAME}, of="round"),  # leads to a round
        )
    )
    real = appdata.declarations()
    monkeypatch.setattr(appdata, "declarations", lambda: {**real, "exams": broken})
    assert declaration_problems() == [
        "exams.Seat.move_reason: redact needs of= or match=",
        "exams.Seat.no_such_field: no such field",
        "exams.Room: of='round' does not lead to a registration",
    ]


def test_declarations_not_personal_fields_exist_and_say_why():
    for (label, name), why in appdata.not_personal().items():
        model = apps.get_model(label)
        assert name in {f.name for f in model._meta.concrete_fields}, (label, name)
        assert len(why) > 5


def test_declarations_content_models_are_read_from_the_apps():
    content, transactional = content_cache.content_models(), content_cache.transactional_models()
    assert "rounds.ExamRound" in content and "fees.FeeItem" in content
    assert "results.ScoreImport" in transactional and not content & transactional
    for label in content | transactional:
        apps.get_model(label)  # every declared model exists


def test_declarations_every_app_with_models_declares():
    """An app with models names its data module in its AppConfig."""
    for config in apps.get_app_configs():
        if config.label in PROJECT_APPS and list(config.get_models()):
            assert getattr(config, "declarations", None) == f"{config.name}.data", config.label


@pytest.mark.django_db
def test_declarations_role_permissions_declared_by_apps_are_granted():
    groups = roles_setup()
    granted = {
        name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for name, group in groups.items()
    }
    assert "exams.add_checkin" in granted[INVIGILATOR_GROUP]
    assert {"results.add_scoreentry", "exams.view_sitting"} <= granted[SCORER_GROUP]
    assert "exams.change_examplan" in granted[ACADEMIC_GROUP]
    assert "exams.add_checkin" not in GROUP_PERMISSIONS[INVIGILATOR_GROUP]  # declared by exams
    assert granted == {name: set(names) for name, names in group_permissions().items()}


def test_declarations_permissions_for_an_unknown_role_are_refused(monkeypatch):
    from accounts import roles

    real = appdata.role_permissions()
    monkeypatch.setattr(roles, "role_permissions", lambda: {**real, "清洁工": {"x.y"}})
    with pytest.raises(RolesSetupError, match="清洁工"):
        group_permissions()


def test_declarations_history_fields_are_not_personal():
    history = apps.get_model("registration", "HistoricalRegistration")
    reason = history._meta.get_field("history_change_reason")
    assert not appdata.looks_personal(reason)
