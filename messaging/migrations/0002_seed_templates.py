"""The Chinese text of every event, as data staff edit in admin (messaging.defaults)."""

from django.db import migrations


def seed(apps, schema_editor):
    from messaging.defaults import DEFAULTS

    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for event, (title, body, essential) in DEFAULTS.items():
        MessageTemplate.objects.get_or_create(
            event=str(event), defaults={"title": title, "body": body, "essential": essential}
        )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_outbox")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
