"""Install the shipped exchange layouts (docs/exchange.md); idempotent, never overwrites."""

from django.db import migrations


def install(apps, schema_editor):
    from workspace.exchange import defaults

    defaults.install(
        apps.get_model("workspace", "ExchangeLayout"), apps.get_model("workspace", "ExchangeColumn")
    )


class Migration(migrations.Migration):
    dependencies = [("workspace", "0001_exchange_layouts")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
