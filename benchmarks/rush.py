"""A classroom rush against two gunicorn nodes: `python -m benchmarks.rush`.

RUSH_STUDENTS (200) distinct students arrive evenly over RUSH_SECONDS (60) and each, in a browser
session of their own (own cookie jar, no cookie at first), loads their class link and submits the
form with the token from that page and a valid ID number of their own, alternating between the two
nodes of scripts/two_nodes.sh (PostgreSQL + Redis, DEBUG off, production settings). Reports how
many were registered (counted in the database), every non-302 answer, and p50/p90/p99/max of the
GETs and the POSTs. The database named by BENCH_DATABASE_URL is dropped and recreated.
"""

import datetime as dt
import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import psycopg

from benchmarks.run import DATABASE_URL, REDIS_URL, ROOT, database_reset, loadavg, log
from tests.idnumbers import make_id_number

STUDENTS = int(os.environ.get("RUSH_STUDENTS", "200"))
SECONDS = float(os.environ.get("RUSH_SECONDS", "60"))
PORTS = os.environ.get("RUSH_PORTS", "8143 8144").split()
CLASSES = 4  # a counselor's classes showing their QR codes in the same minute


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _student(serial: int, url: str, results: list, lock: threading.Lock) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    outcome = {"serial": serial}
    try:
        started = time.perf_counter()
        with opener.open(url, timeout=30) as response:
            html = response.read().decode()
        outcome["get_ms"] = (time.perf_counter() - started) * 1000
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        # The birth year varies with the serial so that 200+ numbers stay unique.
        birth_year = 2000 + serial // 400
        data = {
            "csrfmiddlewaretoken": tokens,
            "name": "张同学",
            "id_number": make_id_number(serial % 400, birth=dt.date(birth_year, 3, 14)),
            "ethnicity": "汉族",
            "phone": f"139{serial:08d}",
            "student_number": f"2020{serial:06d}",
            "level": "3",
            "consent": "on",
        }
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
        started = time.perf_counter()
        try:
            with opener.open(request, timeout=30) as response:
                outcome["status"] = response.status
        except urllib.error.HTTPError as error:
            outcome["status"] = error.code
        outcome["post_ms"] = (time.perf_counter() - started) * 1000
    except Exception as exc:  # reported, never raised: one student's failure is a result
        outcome["error"] = f"{type(exc).__name__}: {exc}"
    with lock:
        results.append(outcome)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _row(name: str, values: list[float]) -> str:
    return (
        f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
        f"{_percentile(values, 0.9):.1f} | {_percentile(values, 0.99):.1f} | {max(values):.1f} |"
    )


def main() -> int:
    database_reset()
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": f"kwt-rush-{uuid.uuid4().hex[:8]}",
        "NODE_PORTS": " ".join(PORTS),
        "NODE_LOG_DIR": tempfile.mkdtemp(prefix="kwt-rush-"),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "PYTHON": sys.executable,
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "4",
    }
    log("setting up the database (migrate, collectstatic) and starting two nodes")
    script = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "two_nodes.sh")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        while True:
            line = script.stdout.readline()
            if not line:
                raise SystemExit("two_nodes.sh exited before it was ready")
            if line.startswith("ready "):
                break
        subprocess.run(
            [sys.executable, "manage.py", "load_demo"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        with psycopg.connect(DATABASE_URL) as db:
            codes = [
                row[0]
                for row in db.execute(
                    "SELECT c.code FROM registration_schoolclass c JOIN registration_major m"
                    " ON m.id = c.major_id WHERE c.name LIKE '%%大二%%'"
                    " AND m.relation IN ('same', 'related')"
                    " ORDER BY c.id"
                )
            ]
        codes = (codes * CLASSES)[:CLASSES]
        # Warm up as a deployed site is warm: every worker has imported, compiled its templates
        # and connected; the first page of each class is cached.
        warm = [f"http://127.0.0.1:{port}{path}" for port in PORTS for path in ("/", "/healthz")]
        warm += [f"http://127.0.0.1:{port}/r/{code}/" for port in PORTS for code in codes]
        for url in warm * 4:
            with urllib.request.urlopen(url, timeout=30) as response:
                response.read()
        load_before = loadavg()
        results: list[dict] = []
        lock = threading.Lock()
        threads = []
        started = time.monotonic()
        for serial in range(STUDENTS):
            port = PORTS[serial % len(PORTS)]
            url = f"http://127.0.0.1:{port}/r/{codes[serial % len(codes)]}/"
            delay = started + serial * SECONDS / STUDENTS - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            thread = threading.Thread(target=_student, args=(serial, url, results, lock))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.monotonic() - started
        with psycopg.connect(DATABASE_URL) as db:
            (registered,) = db.execute("SELECT COUNT(*) FROM registration_registration").fetchone()
    finally:
        script.terminate()
        try:
            script.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(script.pid, signal.SIGKILL)
    gets = [r["get_ms"] for r in results if "get_ms" in r]
    posts = [r["post_ms"] for r in results if "post_ms" in r]
    failures = [r for r in results if r.get("status") != 302]
    print(f"Rush: {STUDENTS} distinct students over {SECONDS:.0f} s ({elapsed:.1f} s elapsed), ")
    print(f"two nodes (2 workers x 4 threads each), {CLASSES} class links; load average before:")
    print(f"{load_before}, after: {loadavg()}.\n")
    print(f"Registered: **{registered}/{STUDENTS}**; answers other than 302: {len(failures)}\n")
    for failure in failures[:10]:
        print(f"- {failure}")
    print("| request | n | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    print(_row("class form GET (new visitor)", gets))
    print(_row("registration POST", posts))
    p99 = max(_percentile(gets, 0.99), _percentile(posts, 0.99))
    ok = registered == STUDENTS and not failures and p99 < 500
    print(f"\nTarget 200/200 registered and p99 < 500 ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
