"""The data migration that normalises stored personal data and reports duplicates."""

import importlib
import logging

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from registration.models import Registration
from tests.common.test_normalize import full_width
from tests.factories import RegistrationFactory
from tests.idnumbers import make_id_number

pytestmark = pytest.mark.django_db

migration = importlib.import_module("registration.migrations.0010_normalise_personal_data")


def _state_apps():
    """The models as the migration sees them (the round field was still called `session`)."""
    loader = MigrationLoader(connection)
    return loader.project_state(("registration", "0010_normalise_personal_data")).apps


def test_migration_normalises_rows_and_reports_duplicates_without_deleting(
    announcement, sophomore_class, caplog, capsys
):
    duplicate_id = make_id_number(1)
    ascii_row = RegistrationFactory(
        round=announcement, school_class=sophomore_class, id_number=duplicate_id
    )
    twin = RegistrationFactory(
        round=announcement, school_class=sophomore_class, id_number=make_id_number(50)
    )
    lone = RegistrationFactory(
        round=announcement, school_class=sophomore_class, id_number=make_id_number(51)
    )
    # Stored before input was normalised: written past the form and the service.
    Registration.objects.filter(pk=twin.pk).update(id_number=full_width(duplicate_id))
    Registration.objects.filter(pk=lone.pk).update(
        id_number=full_width(make_id_number(2).lower()),
        phone="１３８００１３８０００",
        student_number="２０２０ab",
        name="买买提•艾力",
    )
    with caplog.at_level(logging.WARNING, logger="registration.migrations"):
        migration.normalise_rows(_state_apps(), None)

    assert Registration.objects.count() == 3  # nothing deleted
    lone.refresh_from_db()
    assert (lone.id_number, lone.phone, lone.student_number, lone.name) == (
        make_id_number(2),
        "13800138000",
        "2020AB",
        "买买提·艾力",
    )
    twin.refresh_from_db()
    assert twin.id_number == full_width(duplicate_id)  # left for staff: never merged silently
    report = caplog.text + capsys.readouterr().out
    assert ascii_row.number in report and twin.number in report
    assert duplicate_id not in report  # the ID number is masked in the report
    assert duplicate_id[:4] in report
