"""Benchmarks against a bare baseline on the same gunicorn: `python -m benchmarks.run`.

What it does, in order (about 4 minutes on a 2-core machine):
  1. recreates the PostgreSQL database BENCH_DATABASE_URL, migrates it, loads the 2022 and demo
     rounds, and collects static files into a temporary STATIC_ROOT (manifest + compressed);
  2. starts gunicorn (config/gunicorn.conf.py, 2 workers, --no-control-socket) with DEBUG off,
     PostgreSQL and Redis (cache, sessions, rate limits), serving the app plus /bench/bare;
  3. measures with wrk, each figure beside the bare view measured in the same run:
     - throughput, closed loop, BENCH_CONNECTIONS connections (default 16);
     - latency at paced rates above the scenario's need (2,000 registrations in 10 minutes =
       3.3/s; paced at about 3x and 10x that);
     for: home GET, class form GET (no cookie: every request a new visitor), registration POST
     (every request a distinct student: own cookie and form token from a real GET, own valid ID
     number; BENCH_STUDENTS of them),
     eligibility API POST;
  4. times the counselor export of 10,000 registrations against bare openpyxl, and measures peak
     memory, each in fresh processes;
  5. prints a Markdown report and writes it to benchmarks/last_run.md (RESULTS.md quotes it).

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kaowutong_bench; the
database is dropped and recreated), BENCH_REDIS_URL (redis://127.0.0.1:6379/0; keys use a prefix
of their own), BENCH_PORT (8140), BENCH_DURATION seconds per run (10), BENCH_CONNECTIONS (16),
BENCH_EXPORT_ROWS (10000), GUNICORN_THREADS (4).
"""

import contextlib
import datetime as dt
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
WRK_DIR = HERE / "wrk"

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kaowutong_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PORT = int(os.environ.get("BENCH_PORT", "8140"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WRK_THREADS = 2
EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "10000"))
WORKERS = 2
THREADS = int(os.environ.get("GUNICORN_THREADS", "4"))
# Paced runs: N connections, each waiting DELAY ms between requests, so the offered rate is at
# most N / DELAY: about 3x and 10x the 3.3 requests/s that 2,000 registrations in 10 minutes need.
PACED_LEVELS = [(4, 400), (8, 240)]
SCENARIO_RATE = 2000 / 600
# Distinct students for the registration POST: each has its own cookie jar and form token.
STUDENTS = int(os.environ.get("BENCH_STUDENTS", "2000"))

TARGETS = {"page_ratio": 0.5, "post_ratio": 0.10, "p99_ms": 300, "export_ratio": 1.5, "mb": 60}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- setup -----------------------------------------------------------------------------------


def database_reset() -> None:
    cfg = dj_database_url.parse(DATABASE_URL)
    name = cfg["NAME"]
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"refusing odd database name {name!r}")
    with psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or "postgres",
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def app_env(static_root: str, prefix: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DJANGO_DEBUG": "false",
        # wrk's closed loop keeps BENCH_CONNECTIONS connections busy at once, straight to
        # gunicorn; production's worker_connections (= threads) would leave the rest in the
        # backlog for the whole run. Behind nginx every connection is one request.
        "GUNICORN_WORKER_CONNECTIONS": "1000",
        "DJANGO_SECRET_KEY": "bench-" + os.urandom(24).hex(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_FORMAT": "json",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": prefix,
        "BENCH_STATIC_ROOT": static_root,
        "PORT": str(PORT),
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "GUNICORN_MAX_REQUESTS": "0",
    }


def manage(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def gunicorn_start(env, log_path: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.conf.py",
            "--no-control-socket",
            "--workers",
            str(WORKERS),
            "--access-logfile",
            str(log_path.with_suffix(".access.log")),
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(150):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log_path.read_text()}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2) as r:
                if r.status == 200:
                    return process
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start:\n{log_path.read_text()}")


def gunicorn_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def csrf_pairs(url: str, count: int) -> list[dict[str, str]]:
    """A real GET of the form per student: their csrftoken cookie and the form's masked token."""
    pairs = []
    for _ in range(count):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(url, timeout=10) as response:
            html = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        cookie = next(c.value for c in jar if c.name == "csrftoken")
        pairs.append({"cookie": cookie, "token": token})
    return pairs


# --- wrk -------------------------------------------------------------------------------------


def _lua(*parts: str, header: str = "") -> str:
    text = header + "".join((WRK_DIR / part).read_text() + "\n" for part in parts)
    handle = tempfile.NamedTemporaryFile(
        "w", suffix=".lua", delete=False, dir=tempfile.gettempdir()
    )
    handle.write(text)
    handle.close()
    return handle.name


def _lua_table(pairs: list[dict[str, str]]) -> str:
    items = ", ".join(f'{{cookie = "{p["cookie"]}", token = "{p["token"]}"}}' for p in pairs)
    return f"CSRF = {{{items}}}\n"


def wrk(
    path: str,
    script_parts: tuple[str, ...],
    *,
    connections: int,
    duration: int,
    header: str = "",
    delay_ms: int = 0,
) -> dict:
    parts = ("threads.lua", *script_parts, *(("paced.lua",) if delay_ms else ()), "report.lua")
    head = header + (f"DELAY_MS = {delay_ms}\n" if delay_ms else "")
    script = _lua(*parts, header=head)
    try:
        result = subprocess.run(
            [
                "wrk",
                f"-t{WRK_THREADS}",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                "10s",
                "-s",
                script,
                f"http://127.0.0.1:{PORT}{path}",
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=False,
        )
    finally:
        os.unlink(script)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    errors = sum(data["errors"].values())
    return {
        "path": path,
        "connections": connections,
        "delay_ms": delay_ms,
        "requests": data["requests"],
        "rps": data["requests"] / seconds,
        "p50_ms": data["latency_us"]["p50"] / 1000,
        "p90_ms": data["latency_us"]["p90"] / 1000,
        "p99_ms": data["latency_us"]["p99"] / 1000,
        "max_ms": data["latency_us"]["max"] / 1000,
        # Transport errors and non-2xx/3xx from wrk, plus responses the script judged wrong
        # (a registration POST that did not redirect, an API call that did not answer 200).
        "errors": errors + data["checked_bad"],
        "checked_ok": data["checked_ok"],
    }


# A closed-loop run opens all its connections in one burst, and gunicorn's gthread workers accept
# from one shared socket: now and then one worker accepts every connection while the other idles
# (seen: the bare view at 1,700 req/s with one worker at 100 % CPU and the other at 0, against
# about 4,000 when both work). That measures an accident of the burst, not the server, and it
# strikes bare runs and scenarios at random, so a ratio could be off by up to 2x either way. Each
# throughput run therefore compares the workers' CPU time over the run and is repeated, at most
# BALANCE_ATTEMPTS times, while one worker did less than BALANCE_MIN_SHARE of it. Browsers in a
# classroom open their connections over minutes, not in one burst.
BALANCE_MIN_SHARE = 0.25
BALANCE_ATTEMPTS = 4


def worker_pids(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def balanced_wrk(pids: list[int], *args, **kwargs) -> dict:
    """wrk(), repeated while the gunicorn workers did not share the run (see above)."""
    for attempt in range(1, BALANCE_ATTEMPTS + 1):
        before = [_cpu_seconds(pid) for pid in pids]
        result = wrk(*args, **kwargs)
        used = [_cpu_seconds(pid) - start for pid, start in zip(pids, before, strict=True)]
        total = sum(used) or 1.0
        result["worker_shares"] = [round(u / total, 2) for u in used]
        result["attempts"] = attempt
        if min(used) / total >= BALANCE_MIN_SHARE:
            return result
        share = min(used) / total
        log(f"  one worker did {share:.0%} of the run ({result['rps']:.0f} req/s): repeating")
    result["unbalanced"] = True
    return result


# --- export ----------------------------------------------------------------------------------


def export_worker(env, *args) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.export_bench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr else "failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def export_benchmark(env) -> dict:
    seeded = export_worker(env, "seed", str(EXPORT_ROWS))
    log(f"export: seeded {seeded['seeded']} registrations")
    kinds = ["bare", "bare-query", "export-roster", "export-national"]
    out = {"rows": seeded["seeded"], "kinds": {}}
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    failed: dict[str, str] = {}
    # Interleaved repetitions, so that load from elsewhere on the machine hits every kind alike.
    for _rep in range(3):
        for kind in kinds:
            if kind in failed:
                continue
            try:
                times[kind].append(export_worker(env, "measure", kind)["seconds"])
            except RuntimeError as exc:
                failed[kind] = str(exc)
                log(f"export {kind}: {exc}")
    for kind in kinds:
        if kind in failed:
            out["kinds"][kind] = {"error": failed[kind]}
            continue
        memory = export_worker(env, "measure", kind, "--memory")
        out["kinds"][kind] = {
            "seconds": statistics.median(times[kind]),
            "all_seconds": times[kind],
            "tracemalloc_peak_mb": memory["tracemalloc_peak_mb"],
            "rss_growth_mb": memory["rss_growth_mb"],
            "bytes": memory["bytes"],
            "rows": memory["rows"],
        }
        log(f"export {kind}: {out['kinds'][kind]}")
    return out


# --- report ----------------------------------------------------------------------------------


def machine() -> dict:
    def cmd(*args) -> str:
        try:
            return subprocess.run(args, capture_output=True, text=True, check=False).stdout
        except OSError:
            return ""

    cpu = re.search(r"Model name:\s*(.+)", cmd("lscpu"))
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    cfg = dj_database_url.parse(DATABASE_URL)
    pg_version = ""
    with (
        contextlib.suppress(Exception),
        psycopg.connect(
            host=cfg["HOST"] or "127.0.0.1",
            port=cfg["PORT"] or 5432,
            user=cfg["USER"] or "postgres",
            dbname="postgres",
        ) as conn,
    ):
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    redis_version = re.search(r"v=(\S+)", cmd("redis-server", "--version"))
    return {
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "redis": redis_version.group(1) if redis_version else "",
        "wrk": cmd("wrk", "--version").splitlines()[0] if shutil.which("wrk") else "",
    }


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def profile_run(env, form_path: str) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.profile", form_path],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        log(f"profile failed: {result.stderr[-2000:]}")
        return []
    return json.loads(result.stdout.strip().splitlines()[-1])


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def _balance_note(runs: dict) -> str:
    repeated = [
        f"{key} ({run['attempts'] - 1}x)"
        for key, run in runs.items()
        # "bare" is the mean of the bare runs, counted below.
        if key != "bare" and isinstance(run, dict) and run.get("attempts", 1) > 1
    ]
    unbalanced = [
        key for key, run in runs.items() if isinstance(run, dict) and run.get("unbalanced")
    ]
    if runs.get("bare_repeats"):
        repeated.append(f"bare ({runs['bare_repeats']}x in all)")
    if runs.get("bare_unbalanced"):
        unbalanced.append(f"bare ({runs['bare_unbalanced']} runs)")
    note = "repeated: " + ", ".join(repeated) if repeated else "none needed repeating"
    if unbalanced:
        note += "; still unbalanced after every attempt: " + ", ".join(unbalanced)
    return note


def report(info: dict, runs: dict, export: dict, profiles: list, started: dt.datetime) -> str:
    lines = [
        f"Run: {started:%Y-%m-%d %H:%M} UTC, `python -m benchmarks.run`",
        "",
        f"Load average (1/5/15 min) before the run: {runs['load_before']}; after the wrk runs: "
        f"{runs['load_after']} (other processes on the machine share its 2 cores).",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM; "
        f"{info['os']}; Python {info['python']}; PostgreSQL {info['postgresql']}; "
        f"Redis {info['redis']}; {info['wrk']}",
        "",
        f"Server: gunicorn {WORKERS} workers x {THREADS} threads (gthread), DEBUG off, "
        "PostgreSQL + Redis, full middleware, whitenoise manifest static files; wrk on the same "
        "2 cores.",
        "",
        f"### Throughput (closed loop, {CONNECTIONS} connections, {DURATION} s each)",
        "",
        "| scenario | req/s | p50 ms | p99 ms | errors | bare req/s beside it | ratio | target | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    rows = [
        ("bare view GET (baseline)", "bare", None),
        ("home page GET", "home", TARGETS["page_ratio"]),
        ("class form GET `/r/<code>/`", "form", TARGETS["page_ratio"]),
        ("registration POST (distinct students)", "register", TARGETS["post_ratio"]),
        ("eligibility API POST", "api", None),
    ]
    what_if = [("what-if: home page cached 60 s in Redis", "home_cached", None)]
    for label, key, target in rows + what_if:
        r = runs[key]
        ratio = r["rps"] / r["bare_rps"]
        verdict = ""
        if target is not None:
            met = ratio >= target and (key != "register" or r["errors"] == 0)
            verdict = _ok(met)
        lines.append(
            f"| {label} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{r['errors']} | {r['bare_rps']:.0f} | {ratio:.2f} | "
            f"{f'≥ {target}' if target else '—'} | {verdict} |"
        )
    lines += [
        "",
        "The bare view ran before and after every scenario "
        f"({', '.join(map(str, runs['bare_runs']))} req/s); each ratio divides by the mean of "
        "the two runs beside it. The bare row shows the mean of all of them.",
        "",
        "Every throughput run was checked for both gunicorn workers doing at least "
        f"{BALANCE_MIN_SHARE:.0%} of its CPU work and repeated otherwise (one worker accepting "
        "every connection of wrk's burst halves any figure): " + _balance_note(runs) + ".",
    ]
    for connections, delay in PACED_LEVELS:
        offered = connections * 1000 / delay
        lines += [
            "",
            f"### Latency at a paced rate: {connections} connections, each waiting {delay} ms "
            f"between requests (at most {offered:.0f} req/s, {offered / SCENARIO_RATE:.0f}x the "
            f"{SCENARIO_RATE:.1f}/s of 2,000 registrations in 10 minutes)",
            "",
            "| scenario | req/s achieved | p50 ms | p90 ms | p99 ms | max ms | errors "
            "| p99 < 300 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for label, key, _target in rows:
            r = runs[f"{key}_paced_{connections}"]
            lines.append(
                f"| {label} | {r['rps']:.1f} | {r['p50_ms']:.1f} | {r['p90_ms']:.1f} | "
                f"{r['p99_ms']:.1f} | {r['max_ms']:.1f} | {r['errors']} | "
                f"{_ok(r['p99_ms'] < TARGETS['p99_ms'])} |"
            )
    lines += [
        "",
        f"Registrations created by the POST runs: {runs['registrations_created']} "
        f"(302 responses counted by wrk: {runs['register_302']}).",
        "",
        f"### Export of {export.get('rows', '?')} registrations (median of 3 fresh processes; "
        "memory from a separate traced run)",
        "",
        "| what | seconds | tracemalloc peak MB | RSS growth MB | file KB | ratio vs bare |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    kinds = export.get("kinds", {})
    bare_s = kinds.get("bare", {}).get("seconds")
    labels = {
        "bare": "bare openpyxl write-only, rows in memory (baseline)",
        "bare-query": "one values_list query + bare openpyxl",
        "export-roster": "counselor export, 报名名单 layout (per-class sheets + 汇总)",
        "export-national": "counselor export, 国家平台上报 layout",
    }
    for kind, label in labels.items():
        k = kinds.get(kind, {})
        if "error" in k or not k:
            lines.append(f"| {label} | pending: {k.get('error', 'not run')} | | | | |")
            continue
        ratio = k["seconds"] / bare_s if bare_s else float("nan")
        lines.append(
            f"| {label} | {k['seconds']:.2f} | {k['tracemalloc_peak_mb']:.1f} | "
            f"{k['rss_growth_mb']:.1f} | {k['bytes'] / 1024:.0f} | {ratio:.2f} |"
        )
    if profiles:
        lines += [
            "",
            "### Where the time goes (in-process, cProfile, 30 requests each; share of profiled "
            "time by library)",
            "",
            "| scenario | ms/request | queries | top shares |",
            "|---|---:|---:|---|",
        ]
        for p in profiles:
            shares = ", ".join(f"{k} {v}%" for k, v in list(p["share"].items())[:4])
            lines.append(
                f"| {p['scenario']} | {p['ms_per_request']} | {p['queries_per_request']} | "
                f"{shares} |"
            )
        for p in profiles:
            if p["scenario"] == "bare":
                continue
            lines += ["", f"Top cumulative for {p['scenario']}:", "", "```"]
            lines += p["top_cumulative"]
            lines += ["```"]
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    started = dt.datetime.now(dt.UTC)
    load_before = loadavg()
    info = machine()
    log(f"machine: {info}")
    static_root = tempfile.mkdtemp(prefix="kwt-bench-static-")
    work = Path(tempfile.mkdtemp(prefix="kwt-bench-"))
    env = app_env(static_root, prefix=f"kwt-bench-{os.getpid()}")
    log(f"database {DATABASE_URL}: recreating, migrating, loading the rounds")
    database_reset()
    manage(env, "migrate", "--noinput")
    manage(env, "load_announcement")
    demo_out = manage(env, "load_demo")
    manage(env, "collectstatic", "--noinput")
    class_code = re.search(r"/r/([^/]+)/\s+电子商务2班", demo_out).group(1)
    form_path = f"/r/{class_code}/"

    process = gunicorn_start(env, work / "gunicorn.log")
    runs: dict = {"load_before": load_before}
    try:
        base = f"http://127.0.0.1:{PORT}"
        get = ("get.lua",)
        pairs = csrf_pairs(base + form_path, STUDENTS)
        register_header = _lua_table(pairs) + f'PATH = "{form_path}"\nNTHREADS = {WRK_THREADS}\n'

        pids = worker_pids(process)

        def bare_run(i: int) -> dict:
            log(f"wrk bare #{i}")
            return balanced_wrk(
                pids, "/bench/bare", get, connections=CONNECTIONS, duration=DURATION
            )

        # Warm-up: every worker imports, connects and fills its template caches.
        for path in ("/bench/bare", "/", form_path, "/bench/home-cached"):
            wrk(path, get, connections=CONNECTIONS, duration=3)
        wrk("/eligibility/api/evaluate", ("api.lua",), connections=4, duration=2)

        # The bare view runs before and after every scenario; each ratio uses the mean of the
        # two bare runs beside it, so that drift in what else the machine is doing cancels out.
        plan = [
            ("home", "/", get, ""),
            ("form", form_path, get, ""),
            ("register", form_path, ("register.lua",), register_header + "OFFSET = 0\n"),
            ("api", "/eligibility/api/evaluate", ("api.lua",), ""),
            ("home_cached", "/bench/home-cached", get, ""),
        ]
        bares = [bare_run(0)]
        for i, (key, path, parts, header) in enumerate(plan, start=1):
            log(f"wrk {key} ({DURATION}s, {CONNECTIONS} connections)")
            runs[key] = balanced_wrk(
                pids, path, parts, connections=CONNECTIONS, duration=DURATION, header=header
            )
            log(f"  {runs[key]}")
            bares.append(bare_run(i))
            runs[key]["bare_rps"] = (bares[-2]["rps"] + bares[-1]["rps"]) / 2
        runs["bare_runs"] = [round(b["rps"]) for b in bares]
        runs["bare_repeats"] = sum(b["attempts"] - 1 for b in bares)
        runs["bare_unbalanced"] = sum(1 for b in bares if b.get("unbalanced"))
        runs["bare"] = {**bares[0], "rps": statistics.mean(b["rps"] for b in bares)}
        runs["bare"]["bare_rps"] = runs["bare"]["rps"]

        offset = 5_000_000
        for connections, delay in PACED_LEVELS:
            offset += 1_000_000
            paced_plan = [
                ("bare", "/bench/bare", get, ""),
                ("home", "/", get, ""),
                ("form", form_path, get, ""),
                ("register", form_path, ("register.lua",), f"{register_header}OFFSET = {offset}\n"),
                ("api", "/eligibility/api/evaluate", ("api.lua",), ""),
            ]
            for key, path, parts, header in paced_plan:
                name = f"{key}_paced_{connections}"
                log(f"wrk {name} ({connections} connections, {delay} ms apart)")
                runs[name] = wrk(
                    path,
                    parts,
                    connections=connections,
                    duration=DURATION,
                    header=header,
                    delay_ms=delay,
                )
                log(f"  {runs[name]}")
        runs["register_302"] = runs["register"]["checked_ok"] + sum(
            runs[f"register_paced_{c}"]["checked_ok"] for c, _d in PACED_LEVELS
        )
        runs["load_after"] = loadavg()
    finally:
        gunicorn_stop(process)

    cfg = dj_database_url.parse(DATABASE_URL)
    with psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or "postgres",
        dbname=cfg["NAME"],
    ) as conn:
        runs["registrations_created"] = conn.execute(
            "SELECT count(*) FROM registration_registration"
        ).fetchone()[0]

    log("profile")
    profiles = profile_run(env, form_path)
    log("export benchmark")
    export = export_benchmark(env)
    shutil.rmtree(static_root, ignore_errors=True)

    text = report(info, runs, export, profiles, started)
    (HERE / "last_run.md").write_text(text)
    (HERE / "last_run.json").write_text(
        json.dumps(
            {"machine": info, "runs": runs, "export": export, "profiles": profiles},
            indent=1,
            default=str,
        )
    )
    print(text)
    log(f"gunicorn logs: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
