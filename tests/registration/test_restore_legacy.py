"""A backup written before the round foreign keys were renamed (`session`) still restores."""

import json

import pytest
from django.core.management import call_command

from registration.management.commands.restore_round import round_delete
from registration.models import Registration
from tests.factories import ExamRoundFactory, FeeItemFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _as_before_the_rename(data: dict) -> dict:
    """The file as backup_round wrote it when the field was called `session`."""
    renamed = 0
    for item in data["objects"] + data["references"]:
        fields = item.get("fields", {})
        if "round" in fields:
            fields["session"] = fields.pop("round")
            renamed += 1
    assert renamed  # control: the backup does carry round fields to rename
    return data


def test_restore_round_maps_a_legacy_session_field_onto_round(tmp_path):
    exam_round = ExamRoundFactory(slug="legacy-round")
    FeeItemFactory(round=exam_round)
    registrations = [RegistrationFactory(round=exam_round) for _ in range(3)]
    path = tmp_path / "round.json"
    call_command("backup_round", exam_round.slug, output=str(path))
    path.write_text(json.dumps(_as_before_the_rename(json.loads(path.read_text()))))
    round_delete(exam_round)
    assert not Registration.objects.exists()

    call_command("restore_round", str(path))

    restored = Registration.objects.filter(round__slug="legacy-round").order_by("pk")
    assert [r.pk for r in restored] == [r.pk for r in registrations]
    assert exam_round.fee_items.count() == 1
