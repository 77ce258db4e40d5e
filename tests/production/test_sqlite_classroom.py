"""`make run` holds a classroom: 40 students sign up at once on SQLite, served as make run serves.

`make run` runs `make setup` (migrate, load_announcement, load_demo) and then
scripts/run_demo.sh (gunicorn with config/gunicorn.conf.py and the base settings, DEBUG on). This
test runs that very script on a file-backed SQLite database prepared the same way; 40 threads,
each a browser of its own (own cookie jar, own CSRF token, own ID number), load the class link and
then submit together. Without WAL, a busy timeout and IMMEDIATE transactions most of them got
"database is locked"; under runserver (what make run used to serve with), whose listen backlog
is 10, 9–13 of the 40 were reset.
"""

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from tests.idnumbers import make_id_number
from tests.production.conftest import demo_sqlite_copy, student_form
from tests.production.nodes import ROOT, Browser, free_ports

STUDENTS = 40
STARTUP_SECONDS = 60


@pytest.fixture
def make_run_server(demo_sqlite_template, tmp_path):
    """scripts/run_demo.sh, as make run starts it, on a copy of the prepared demo database."""
    path, code = demo_sqlite_copy(demo_sqlite_template, tmp_path)
    port = free_ports(1)[0]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REDIS_", "GUNICORN_"))
    }
    env.update({"DATABASE_URL": f"sqlite:///{path}", "PORT": str(port), "PYTHON": sys.executable})
    log = (tmp_path / "run_demo.log").open("wb")
    process = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "run_demo.sh")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "run_demo.log").read_text()
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError((tmp_path / "run_demo.log").read_text())
        yield url, code, path, tmp_path / "run_demo.log"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def test_make_run_serves_forty_simultaneous_sign_ups_on_sqlite(make_run_server):
    url, code, path, log = make_run_server
    # What make run serves is the demo: DEBUG on, static files served, gunicorn in front.
    home = Browser().request(f"{url}/")
    assert home.status == 200
    assert Browser().request(f"{url}/static/css/app.css").status == 200
    assert "gunicorn" in log.read_text(errors="replace").lower()
    with sqlite3.connect(path) as db:
        (journal,) = db.execute("PRAGMA journal_mode").fetchone()
    class_url = f"{url}/r/{code}/"
    students = [Browser() for _ in range(STUDENTS)]
    tokens = [student.form_token(class_url) for student in students]
    barrier = threading.Barrier(STUDENTS)
    statuses: list[int | str] = []
    lock = threading.Lock()

    def submit(serial: int) -> None:
        data = {
            **student_form(make_id_number(serial), serial=serial),
            "csrfmiddlewaretoken": tokens[serial],
        }
        barrier.wait(timeout=30)
        try:
            status: int | str = students[serial].request(class_url, data, timeout=60).status
        except OSError as error:
            status = type(error).__name__
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(STUDENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [302] * STUDENTS, statuses
    with sqlite3.connect(path) as db:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM registration_registration r"
            " JOIN registration_schoolclass c ON c.id = r.school_class_id WHERE c.code = ?",
            (code,),
        ).fetchone()
    assert count == STUDENTS
    assert journal == "wal"


def test_make_run_serves_the_demo_script():
    """The Makefile's run target is the script this test runs, nothing else."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun: setup\n", 1)[1].split("\n\n", 1)[0]
    assert "scripts/run_demo.sh" in recipe
    assert "runserver" not in recipe
