"""Bring stored ID numbers, phones, student numbers and names into their normalised form.

Before input was normalised at the boundary, a full-width ID number ("４２０１…") could be stored
beside the same person's ASCII one. This migration rewrites each value that normalisation changes,
except where the rewrite would make two active registrations of one round share an ID number: those
are REPORTED (masked ID numbers, registration numbers) for staff to resolve, never deleted or merged.
"""

import logging
from collections import defaultdict

from django.db import migrations

from common.normalize import (
    id_number_normalize,
    name_normalize,
    phone_normalize,
    student_number_normalize,
)

logger = logging.getLogger("registration.migrations")


def _mask(value: str) -> str:
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else "****"


def normalise_rows(apps, schema_editor):
    Registration = apps.get_model("registration", "Registration")
    rows = list(
        Registration.objects.only(
            "id", "number", "session_id", "status", "id_number", "phone", "student_number", "name"
        )
    )
    groups = defaultdict(list)
    for row in rows:
        if row.status == "active":
            groups[(row.session_id, id_number_normalize(row.id_number))].append(row)
    duplicates = {key: group for key, group in groups.items() if len(group) > 1}
    clashing = {row.pk for group in duplicates.values() for row in group}
    for (session_id, id_number), group in duplicates.items():
        message = (
            "Duplicate active registrations of one person in round %s (ID %s): %s. "
            "Left unchanged; staff should cancel all but one."
        )
        args = (session_id, _mask(id_number), ", ".join(sorted(r.number for r in group)))
        logger.warning(message, *args)
        print("  " + message % args)
    for row in rows:
        changed = {}
        id_number = id_number_normalize(row.id_number)
        if id_number != row.id_number and row.pk not in clashing and len(id_number) <= 18:
            changed["id_number"] = id_number
        phone = phone_normalize(row.phone)
        if phone != row.phone and len(phone) <= 11:
            changed["phone"] = phone
        student_number = student_number_normalize(row.student_number)
        if student_number != row.student_number:
            changed["student_number"] = student_number
        name = name_normalize(row.name)
        if name != row.name and name:
            changed["name"] = name
        if changed:
            Registration.objects.filter(pk=row.pk).update(**changed)


class Migration(migrations.Migration):
    dependencies = [("registration", "0009_class_lists")]

    operations = [migrations.RunPython(normalise_rows, migrations.RunPython.noop)]
