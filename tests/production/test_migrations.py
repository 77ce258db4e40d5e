"""Migrations apply to an empty PostgreSQL database, reverse to zero, and apply again."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.production.nodes import database_url

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = ["registration", "eligibility", "courses", "fees"]


def _admin_connection():
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def empty_database():
    """A database of its own, named after the test database, dropped afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_migrations"
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = database_url().rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with _admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def project_tables(url: str) -> set[str]:
    with psycopg.connect(url.split("?")[0]) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return {name for (name,) in rows if name.split("_")[0] in PROJECT_APPS}


def test_migrations_apply_to_empty_postgres_reverse_to_zero_and_apply_again(empty_database):
    manage(empty_database, "migrate", "--noinput")
    tables = project_tables(empty_database)
    assert {
        "registration_registration",
        "fees_feeitem",
        "eligibility_eligibilitycondition",
    } <= tables

    for app in PROJECT_APPS:
        manage(empty_database, "migrate", app, "zero", "--noinput")
    assert project_tables(empty_database) == set()
    plan = manage(empty_database, "showmigrations", *PROJECT_APPS)
    assert "[X]" not in plan

    manage(empty_database, "migrate", "--noinput")
    assert project_tables(empty_database) == tables
    assert "[ ]" not in manage(empty_database, "showmigrations", *PROJECT_APPS)
