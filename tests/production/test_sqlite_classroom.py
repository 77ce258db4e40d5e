"""`make run`'s default engine holds a classroom: 40 students sign up at once on SQLite.

A real gunicorn (2 workers x 4 threads, so requests truly overlap) serves a file-backed SQLite
database prepared the way `make setup` prepares it; 40 threads, each a browser of its own (own
cookie jar, own CSRF token, own ID number), load the class link and then submit together.
Without WAL, a busy timeout and IMMEDIATE transactions most of them got "database is locked".
"""

import os
import sqlite3
import subprocess
import sys
import threading

import pytest

from tests.idnumbers import make_id_number
from tests.production.conftest import student_form
from tests.production.nodes import ROOT, Browser, free_ports, node_start

STUDENTS = 40


@pytest.fixture(scope="module")
def sqlite_node(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-classroom")
    database = f"sqlite:///{folder / 'classroom.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("REDIS_URL", None)
    for command in (["migrate", "--noinput"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    node = node_start(
        port=free_ports(1)[0],
        database=database,
        redis="",
        log_dir=folder,
        workers=2,
        threads=4,
        extra_env={"FORM_FRAGMENT_CACHE_SECONDS": "60"},
    )
    try:
        yield node, folder / "classroom.sqlite3"
    finally:
        node.stop()


def test_sqlite_file_forty_simultaneous_sign_ups_all_succeed(sqlite_node):
    node, path = sqlite_node
    with sqlite3.connect(path) as db:
        (code,) = db.execute(
            "SELECT c.code FROM registration_schoolclass c JOIN registration_major m"
            " ON m.id = c.major_id WHERE c.name LIKE '%大二%'"
            " AND m.relation IN ('same', 'related') ORDER BY c.id"
        ).fetchone()
        (journal,) = db.execute("PRAGMA journal_mode").fetchone()
    url = f"{node.url}/r/{code}/"
    students = [Browser() for _ in range(STUDENTS)]
    tokens = [student.form_token(url) for student in students]
    barrier = threading.Barrier(STUDENTS)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(serial: int) -> None:
        data = {
            **student_form(make_id_number(serial), serial=serial),
            "csrfmiddlewaretoken": tokens[serial],
        }
        barrier.wait(timeout=30)
        reply = students[serial].request(url, data, timeout=60)
        with lock:
            statuses.append(reply.status)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(STUDENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [302] * STUDENTS, node.log()[-3000:]
    with sqlite3.connect(path) as db:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM registration_registration r"
            " JOIN registration_schoolclass c ON c.id = r.school_class_id WHERE c.code = ?",
            (code,),
        ).fetchone()
    assert count == STUDENTS
    assert journal == "wal"
