"""Benchmark: requests per second and CPU per request of the real pages, served by gunicorn at Gansu ×3.

Run with ``make bench PYTEST_ARGS="-k throughput"``. The session's test database (kept between runs by
``make bench``'s ``--reuse-db``) is topped up to 180,000 units, 750,000 pieces of equipment and people for
every supervised unit, all with COPY. Then gunicorn serves the portal from that database as ``make run``
does (gthread workers, DEBUG off) with ``tests.perf.bench_settings``, which adds the reference pages of
``tests.perf.reference``: the same rows as ``/units/``, ``/equipment/`` and ``/people/`` through a plain
template loop in the same base layout.

For a county, a city, the province and an enterprise account, each logged in once per connection, wrk
(one thread per connection, each with its own session cookie) loads every page the account has, then the
reference pages, in the same run. CPU per request is the gunicorn workers' user+system time over the
requests served (``/proc``), the database's the same for the PostgreSQL processes; req/s and latency are
wrk's. Prints a table and writes it to ``var/bench/throughput.txt``.

Budgets (issue 10): every list page within ``LIST_RATIO_BUDGET`` × its reference's CPU per request, the
province's ``/staffing/`` within ``STAFFING_RATIO_BUDGET`` × the county's, the dashboard under
``DASHBOARD_CPU_BUDGET_MS``.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from jurisdictions.duties import Role
from jurisdictions.models import User
from personnel.models import Person
from tests import factories
from tests.perf.seeding import top_up
from units.choices import SUPERVISED_STATUSES
from units.models import Equipment, Unit

BENCH_UNITS = 180_000
BENCH_EQUIPMENT = 750_000
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "12"))
WARMUP_SECONDS = 2
SEGMENTS = 4  # turns a list page and its reference take within SECONDS each
LIST_RATIO_BUDGET = 1.5
STAFFING_RATIO_BUDGET = 1.5
DASHBOARD_CPU_BUDGET_MS = 50.0
PASSWORD = "Bench@2026throughput"
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "var" / "bench" / "throughput.txt"
LUA = Path(__file__).with_name("wrk_sessions.lua")
TABLES = ("units_unit", "units_equipment", "personnel_person", "personnel_appointment", "personnel_unitstaffing")
CLOCK_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")

# account → jurisdiction code (the enterprise's unit is the 城关区 unit with the most equipment)
REGULATORS = {"county": "620102", "city": "620100", "province": "620000"}
ROLES = (*REGULATORS, "enterprise")
PAGES = ("/", "/units/", "/equipment/", "/people/", "/staffing/")
REFERENCES = {"/units/": "/_bench/units/", "/equipment/": "/_bench/equipment/", "/people/": "/_bench/people/"}

_seeding: dict[str, float] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Gansu ×3 in the test database, and the bench accounts (committed, so gunicorn sees them)."""
    with django_db_blocker.unblock():
        for model, target, command, option, extra in (
            (Unit, BENCH_UNITS, "seed_scale", "units", {}),
            (Equipment, BENCH_EQUIPMENT, "seed_equipment", "count", {"no_history": True}),
        ):
            added, seconds = top_up(model, target, command, option, **extra)
            if added:
                _seeding[model._meta.model_name] = seconds
        if Unit.objects.filter(status__in=SUPERVISED_STATUSES, staffing__isnull=True).exists():
            started = time.perf_counter()
            call_command("seed_personnel", no_history=True)
            _seeding["person"] = time.perf_counter() - started
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        call_command("refresh_staffing")  # what the beat task keeps fresh in production
        for name, code in REGULATORS.items():
            if not User.objects.filter(username=f"tp-{name}").exists():
                factories.regulator(code, Role.LEADER, username=f"tp-{name}")
        if not User.objects.filter(username="tp-enterprise").exists():
            factories.enterprise_user(_busiest_unit(), username="tp-enterprise")
        for role in ROLES:  # the factories' password is for the test hasher; gunicorn checks the real one
            user = User.objects.get(username=f"tp-{role}")
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])


def _busiest_unit() -> Unit:
    return (Unit.objects.filter(county__code="620102", status__in=SUPERVISED_STATUSES, staffing__isnull=False)
            .annotate(n=Count("equipment")).order_by("-n", "id").first())


# --- gunicorn and its processes ------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(p) for p in text]
    return found


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _cpu_ms(pids) -> float:
    """User + system CPU of ``pids`` so far, in milliseconds (utime, stime: fields 14 and 15 of proc(5))."""
    return sum(int(f[11]) + int(f[12]) for f in map(_stat, pids) if f) * CLOCK_TICK_MS


def _comm(entry: Path) -> str:
    try:
        return (entry / "comm").read_text().strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _postgres_cpu_ms() -> float:
    """CPU of the whole PostgreSQL server so far: every live process (utime, stime), plus what the postmaster
    — the one whose parent is not PostgreSQL — has reaped (cutime, cstime: fields 16 and 17), since parallel
    workers and closed backends live shorter than a run."""
    server = {int(e.name): _stat(int(e.name)) for e in Path("/proc").iterdir()
              if e.name.isdigit() and _comm(e) == "postgres"}
    server = {pid: fields for pid, fields in server.items() if fields}
    ticks = 0
    for fields in server.values():
        ticks += int(fields[11]) + int(fields[12])
        if int(fields[1]) not in server:
            ticks += int(fields[13]) + int(fields[14])
    return ticks * CLOCK_TICK_MS


@dataclass
class Server:
    process: subprocess.Popen
    base: str

    @property
    def workers(self) -> list[int]:
        return _children(self.process.pid)


@pytest.fixture(scope="session")
def server(django_db_setup, django_db_blocker):
    if shutil.which("wrk") is None:
        pytest.fail("wrk is missing: make setup installs it (.ci/system-packages.sh)")
    port = _free_port()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.perf.bench_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DEBUG": "0", "PORTAL_QUICKSTART": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_MAX_REQUESTS": "0",  # a restarted worker would take its CPU time with it
    }
    log = (OUTPUT.parent / "throughput-gunicorn.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--config", "portal/gunicorn.conf.py",
             "--access-logfile", "/dev/null", "--preload", "portal.wsgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start; see {log}")
            time.sleep(0.2)
    while len(_children(process.pid)) < WORKERS:
        time.sleep(0.1)
    yield Server(process, base)
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def login(base: str, username: str) -> str:
    """Log in through the login form as a browser does; returns the Cookie header of that session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                   "csrfmiddlewaretoken": token}).encode()
    opener.open(urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base}))  # noqa: S310
    cookies = {c.name: c.value for c in jar}
    assert "sessionid" in cookies, f"{username} could not log in"
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def status_of(base: str, path: str, cookie: str) -> int:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=60).status
    except urllib.error.HTTPError as exc:
        return exc.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    app_cpu_ms: float
    db_cpu_ms: float
    requests: int

    @classmethod
    def combined(cls, parts: list[Result]) -> Result:
        """Segments of one page's load as one result: totals for rate and CPU, the mean of the segments'
        medians and the worst of their 99th percentiles."""
        n = sum(p.requests for p in parts)
        return cls(rps=n / sum(p.requests / p.rps for p in parts),
                   p50_ms=sum(p.p50_ms * p.requests for p in parts) / n, p99_ms=max(p.p99_ms for p in parts),
                   app_cpu_ms=sum(p.app_cpu_ms * p.requests for p in parts) / n,
                   db_cpu_ms=sum(p.db_cpu_ms * p.requests for p in parts) / n, requests=n)


def load(server: Server, path: str, cookies: list[str], seconds: int) -> Result:
    """wrk on ``path`` with one connection (and thread) per session cookie; CPU deltas around it."""
    env = {**os.environ, "BENCH_COOKIES": "|".join(cookies)}
    workers = server.workers
    app_before, db_before = _cpu_ms(workers), _postgres_cpu_ms()
    run = subprocess.run(
        ["wrk", "-t", str(len(cookies)), "-c", str(len(cookies)), "-d", f"{seconds}s", "--timeout", "30s",
         "-s", str(LUA), server.base + path],
        env=env, capture_output=True, text=True, check=True,
    )
    app, db = _cpu_ms(workers) - app_before, _postgres_cpu_ms() - db_before
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["errors"] == 0 and summary["status_errors"] == 0, f"{path}: wrk saw errors: {run.stdout}"
    n = summary["requests"]
    assert n, f"{path}: no request completed in {seconds} s"
    return Result(rps=n / (summary["duration_us"] / 1e6), p50_ms=summary["p50_us"] / 1000,
                  p99_ms=summary["p99_us"] / 1000, app_cpu_ms=app / n, db_cpu_ms=db / n, requests=n)


@pytest.mark.django_db
def test_throughput_of_the_real_pages(server):
    sessions = {role: [login(server.base, f"tp-{role}") for _ in range(CONNECTIONS)] for role in ROLES}
    results: dict[tuple[str, str], Result] = {}
    for role, cookies in sessions.items():
        for page in PAGES:
            status = status_of(server.base, page, cookies[0])
            if status == 404:
                continue  # not a page this account has (an enterprise has no /staffing/)
            assert status == 200, f"{role} {page}: HTTP {status}"
            # A list page and its reference take turns, so that what else the machine does meets both alike.
            paths = [page, REFERENCES[page]] if page in REFERENCES else [page]
            parts: dict[str, list[Result]] = {path: [] for path in paths}
            for path in paths:
                load(server, path, cookies, WARMUP_SECONDS)
            for _ in range(SEGMENTS):
                for path in paths:
                    parts[path].append(load(server, path, cookies, SECONDS // SEGMENTS))
            for path in paths:
                results[role, path] = Result.combined(parts[path])
                assert status_of(server.base, path, cookies[-1]) == 200, f"{role} {path}: the session did not survive"

    lines = [
        f"Throughput at {Unit.objects.count()} units, {Equipment.objects.count()} equipment, "
        f"{Person.objects.count()} people; gunicorn {WORKERS} gthread workers, wrk {CONNECTIONS} connections "
        f"(one login session each), {SECONDS} s per page in {SEGMENTS} turns with its reference "
        f"after {WARMUP_SECONDS} s warm-up, {os.cpu_count()} cores.",
        "app = gunicorn workers' CPU ms per request; db = PostgreSQL's; ref = the plain-template reference of the "
        "same rows (tests/perf/reference.py); ratio = app CPU / reference app CPU; p50 = mean of the turns' medians, "
        "p99 = worst turn's; ms.",
    ]
    if _seeding:
        lines.append("Seeded this session: " + ", ".join(f"{k} {v:.0f} s" for k, v in _seeding.items()) + ".")
    header = (f"{'role':<10} {'page':<11} {'req/s':>6} {'p50':>7} {'p99':>7} {'app':>6} {'db':>5}   "
              f"{'ref req/s':>9} {'ref p50':>7} {'ref p99':>7} {'ref app':>7} {'ratio':>5}")
    lines += [header, "-" * len(header)]
    ratios: dict[tuple[str, str], float] = {}
    for (role, path), r in results.items():
        if path.startswith("/_bench/"):
            continue
        line = (f"{role:<10} {path:<11} {r.rps:>6.1f} {r.p50_ms:>7.1f} {r.p99_ms:>7.1f} {r.app_cpu_ms:>6.1f} "
                f"{r.db_cpu_ms:>5.1f}")
        ref = results.get((role, REFERENCES.get(path, "")))
        if ref:
            ratios[role, path] = r.app_cpu_ms / ref.app_cpu_ms
            line += (f"   {ref.rps:>9.1f} {ref.p50_ms:>7.1f} {ref.p99_ms:>7.1f} {ref.app_cpu_ms:>7.1f} "
                     f"{ratios[role, path]:>5.2f}")
        lines.append(line)
    report = "\n".join(lines)
    print("\n" + report)
    OUTPUT.write_text(report + "\n", encoding="utf-8")

    for (role, path), ratio in ratios.items():
        assert ratio <= LIST_RATIO_BUDGET, f"{role} {path}: {ratio:.2f}× the reference's CPU > {LIST_RATIO_BUDGET}×"
    staffing = results["province", "/staffing/"].app_cpu_ms + results["province", "/staffing/"].db_cpu_ms
    county = results["county", "/staffing/"].app_cpu_ms + results["county", "/staffing/"].db_cpu_ms
    assert staffing <= STAFFING_RATIO_BUDGET * county, (
        f"/staffing/: province {staffing:.1f} ms > {STAFFING_RATIO_BUDGET}× county {county:.1f} ms")
    for role in ROLES:
        dashboard = results[role, "/"].app_cpu_ms
        assert dashboard <= DASHBOARD_CPU_BUDGET_MS, f"{role} /: {dashboard:.1f} ms CPU > {DASHBOARD_CPU_BUDGET_MS}"
