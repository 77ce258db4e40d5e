"""The round kernel moved from `registration` to `rounds` without touching data.

A populated PostgreSQL database is migrated from the new layout back to the old one and forward
again; every table of the moved models (history tables included) keeps its name, its row count
and its rows, and the content types (which group permissions and admin log entries point at)
follow the models.
"""

import psycopg
import pytest

from tests.production.test_migrations import empty_database, manage  # noqa: F401

pytestmark = pytest.mark.postgres

TABLES = [
    "registration_examsession",
    "registration_examsession_levels",
    "registration_historicalexamsession",
    "registration_historicalexamsession_levels",
    "registration_skilllevel",
    "registration_major",
    "registration_historicalmajor",
    "registration_schoolclass",
    "registration_historicalschoolclass",
    "registration_registration",
    "registration_historicalregistration",
    "fees_feeitem",
    "eligibility_eligibilitycondition",
]
MOVED_CONTENT_TYPES = {
    "examsession": "examround",
    "skilllevel": "skilllevel",
    "major": "major",
    "schoolclass": "schoolclass",
}
POPULATE = """
from tests.factories import RegistrationFactory, SchoolClassFactory
from rounds.models import ExamRound, Major
round_ = ExamRound.objects.get(slug="dzsws-2022-1")
for n in range(6):
    RegistrationFactory(round=round_)
round_.title = round_.title + "（修订）"
round_.save()
round_.levels.remove(round_.levels.first())
SchoolClassFactory(name="迁移测试班", major=Major.objects.first())
"""


# Columns that later migrations add to the moved tables (rounds/0003: retention and archive).
# Migrating `rounds` to zero reverses those migrations too, so they are left out of the comparison.
LATER_COLUMNS = {"retention_days", "archived_at", "archived_by_id", "archive_reason", "purged_at"}


def _snapshot(url: str) -> dict:
    snapshot = {}
    with psycopg.connect(url.split("?")[0]) as conn:
        for table in TABLES:
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            order = "history_id" if "historical" in table else "id"
            names = [
                name
                for (name,) in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                    " ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if name not in LATER_COLUMNS
            ]
            columns = ", ".join(f'"{name}"' for name in names)
            sample = conn.execute(
                f"SELECT {columns} FROM {table} ORDER BY {order} LIMIT 25"
            ).fetchall()
            snapshot[table] = (count, sample)
    return snapshot


def _content_types(url: str) -> dict[int, tuple[str, str]]:
    with psycopg.connect(url.split("?")[0]) as conn:
        rows = conn.execute("SELECT id, app_label, model FROM django_content_type").fetchall()
    return {pk: (app, model) for pk, app, model in rows}


def _columns(url: str, table: str) -> set[str]:
    with psycopg.connect(url.split("?")[0]) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table]
        ).fetchall()
    return {name for (name,) in rows}


def test_round_kernel_moves_to_rounds_and_back_without_touching_rows(empty_database):  # noqa: F811
    url = empty_database
    manage(url, "migrate", "--noinput")
    manage(url, "load_announcement")
    manage(url, "load_demo")
    manage(url, "shell", "-c", POPULATE)
    after = _snapshot(url)
    assert after["registration_registration"][0] == 6
    assert after["registration_historicalexamsession"][0] >= 2
    assert after["registration_historicalexamsession_levels"][0] >= 1
    assert all(count for count, _ in after.values())
    types = _content_types(url)
    moved_ids = {pk: model for pk, (app, model) in types.items() if app == "rounds" and model}
    assert "examround" in moved_ids.values()
    assert "examround_id" in _columns(url, "registration_examsession_levels")

    manage(url, "migrate", "rounds", "zero", "--noinput")
    assert _snapshot(url) == after
    assert "examsession_id" in _columns(url, "registration_examsession_levels")
    assert "examsession_id" in _columns(url, "registration_historicalexamsession_levels")
    before_types = _content_types(url)
    for old, new in MOVED_CONTENT_TYPES.items():
        pk = next(pk for pk, model in moved_ids.items() if model == new)
        assert before_types[pk] == ("registration", old)

    manage(url, "migrate", "--noinput")
    assert _snapshot(url) == after
    assert _content_types(url) == types
    # The ORM reads the moved rows through the new models.
    out = manage(
        url,
        "shell",
        "-c",
        "from rounds.models import ExamRound; r = ExamRound.objects.get(slug='dzsws-2022-1');"
        "print(r.levels.count(), r.history.count(), r.registrations.count())",
    )
    levels, history, registrations = (int(x) for x in out.split()[-3:])
    assert registrations == 6 and history >= 2 and levels >= 1


# The round foreign keys were renamed from `session` to `round` in the state only: every table
# holding one keeps its `session_id` column, its rows and its count, both ways.
RENAMED_TABLES = [
    "registration_registration",
    "registration_historicalregistration",
    "fees_feeitem",
    "fees_historicalfeeitem",
    "eligibility_eligibilitycondition",
    "eligibility_historicaleligibilitycondition",
    "courses_trainingmodule",
    "courses_historicaltrainingmodule",
    "courses_trainingclass",
    "courses_historicaltrainingclass",
    "courses_trainingcutoff",
    "courses_historicaltrainingcutoff",
]
BEFORE_RENAME = [
    ("registration", "0012"),
    ("fees", "0007"),
    ("eligibility", "0006"),
    ("courses", "0005"),
    ("rounds", "0001"),
]
POPULATE_RENAMED = """
import datetime as dt
from tests.factories import RegistrationFactory
from courses.models import TrainingClass, TrainingCutoff
from eligibility.models import EligibilityCondition
from fees.models import FeeItem
from rounds.models import ExamRound, SkillLevel
round_ = ExamRound.objects.get(slug="dzsws-2022-1")
for n in range(5):
    RegistrationFactory(round=round_)
TrainingClass.objects.create(round=round_, level=SkillLevel.objects.get(code=4), name="迁移班",
                             required_hours=40)
TrainingCutoff.objects.create(round=round_, cutoff_date=dt.date(2022, 5, 1))
item = FeeItem.objects.filter(round=round_).first()
item.order += 1
item.save()
condition = EligibilityCondition.objects.filter(round=round_).first()
condition.order += 1
condition.save()
"""


def _snapshot_renamed(url: str) -> dict:
    snapshot = {}
    with psycopg.connect(url.split("?")[0]) as conn:
        for table in RENAMED_TABLES:
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            order = "history_id" if "historical" in table else "id"
            sample = conn.execute(f"SELECT * FROM {table} ORDER BY {order} LIMIT 25").fetchall()
            snapshot[table] = (count, sample)
    return snapshot


def test_session_to_round_rename_keeps_every_row_and_column_both_ways(empty_database):  # noqa: F811
    url = empty_database
    manage(url, "migrate", "--noinput")
    manage(url, "load_announcement")
    manage(url, "load_demo")
    manage(url, "shell", "-c", POPULATE_RENAMED)
    after = _snapshot_renamed(url)
    assert after["registration_registration"][0] >= 5
    assert all(count for count, _ in after.values()), after
    for table in RENAMED_TABLES:
        assert "session_id" in _columns(url, table)
        assert "round_id" not in _columns(url, table)

    for app, migration in BEFORE_RENAME:
        manage(url, "migrate", app, migration, "--noinput")
    assert _snapshot_renamed(url) == after
    out = manage(url, "showmigrations", "registration", "fees", "eligibility", "courses")
    assert "[ ] 0013_rename_session_to_round" in out

    manage(url, "migrate", "--noinput")
    assert _snapshot_renamed(url) == after
    for table in RENAMED_TABLES:
        assert "session_id" in _columns(url, table)
    # The ORM reads the same rows through the renamed field.
    out = manage(
        url,
        "shell",
        "-c",
        "from rounds.models import ExamRound; from registration.models import Registration;"
        "r = ExamRound.objects.get(slug='dzsws-2022-1');"
        "print(Registration.objects.filter(round=r).count(), r.training_classes.count(),"
        " r.fee_items.count())",
    )
    registrations, classes, items = (int(x) for x in out.split()[-3:])
    assert registrations == after["registration_registration"][0]
    assert classes == 1 and items >= 1
