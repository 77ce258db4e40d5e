"""Add the 补考 column to the shipped score-sheet layout before its 结果 column (issue 29).

Only the layout the product ships ("成绩表（考务通内置）"), only when it has no 补考 column yet;
copies admins made are theirs to change. Idempotent; reversing removes the column again.
"""

from django.db import migrations

SHIPPED = "成绩表（考务通内置）"


def add_column(apps, schema_editor):
    layout_model = apps.get_model("workspace", "ExchangeLayout")
    column_model = apps.get_model("workspace", "ExchangeColumn")
    for layout in layout_model.objects.filter(kind="scores", name=SHIPPED):
        columns = list(column_model.objects.filter(layout=layout).order_by("-position"))
        if any(c.field_key == "retake" for c in columns):
            continue
        result = next((c for c in columns if c.field_key == "result"), None)
        at = result.position if result else (columns[0].position + 1 if columns else 1)
        for column in columns:  # highest first, so positions never collide
            if column.position >= at:
                column.position += 1
                column.save(update_fields=["position"])
        column_model.objects.create(
            layout=layout, position=at, header="补考", field_key="retake", width=12
        )


def remove_column(apps, schema_editor):
    column_model = apps.get_model("workspace", "ExchangeColumn")
    column_model.objects.filter(
        layout__kind="scores", layout__name=SHIPPED, field_key="retake"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0002_revocation_calendar_review_requests_scorer_rules"),
        ("workspace", "0002_default_exchange_layouts"),
    ]

    operations = [migrations.RunPython(add_column, remove_column)]
