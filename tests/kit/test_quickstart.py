"""``make run`` serves the product as users see it (README §Two commands): its own Chinese error pages,
static files served, plain http on 127.0.0.1 working; Django's debug pages only with ``DEBUG=1``.

The test starts ``make serve`` — the last step of ``make run``, after migrate and the demo seeds — as
a subprocess on a free port against the test database, and reads what a browser would get.
"""

import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# The quick start must not depend on settings a developer's shell may carry.
CLEARED = ("DEBUG", "PORTAL_QUICKSTART", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
           "SECURE_HSTS_SECONDS", "ALLOWED_HOSTS", "BEHIND_TLS_PROXY", "DJANGO_SETTINGS_MODULE", "MAKEFLAGS",
           "MFLAGS", "MAKELEVEL")


def shared_database_url() -> str:
    """The test run's database, which the server subprocess must share."""
    d = connection.settings_dict
    auth = d["USER"] + (f":{d['PASSWORD']}" if d["PASSWORD"] else "")
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str):
    """(status, headers, body) without following redirects, as the browser's first hop sees it."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8", "replace")


WORKERS, THREADS = 1, 4


@pytest.fixture(scope="module")
def quick_start(django_db_setup, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("quickstart")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(DATABASE_URL=shared_database_url(), STATIC_ROOT=str(tmp_path / "static"), GUNICORN_WORKERS=str(WORKERS),
               GUNICORN_THREADS=str(THREADS), PYTHONWARNINGS="ignore")
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(["make", "--no-print-directory", "serve", "HOST=127.0.0.1", f"PORT={port}"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if fetch(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("make serve did not come up:\n" + (tmp_path / "serve.log").read_text()[-3000:])
            time.sleep(0.5)
        yield base, tmp_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_make_run_serves_the_portals_own_pages_over_plain_http(quick_start):
    base, tmp_path = quick_start

    status, _headers, body = fetch(base + "/no-such-page/")
    assert status == 404
    assert "页面不存在" in body and "特种设备分级分类属地监管平台" in body  # templates/404.html
    assert "URLconf" not in body and "Page not found" not in body and "DEBUG = True" not in body

    # http://127.0.0.1 works: no redirect to https, and the CSRF cookie is one plain http keeps.
    status, headers, body = fetch(base + "/accounts/login/")
    assert status == 200 and 'name="username"' in body
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', body)
    assert stylesheets
    cookie = headers["Set-Cookie"] or ""
    assert "csrftoken=" in cookie and "Secure" not in cookie
    assert "Strict-Transport-Security" not in headers
    assert headers["Server"].startswith("gunicorn")

    # The page's own stylesheets are served, from the files collected as production collects them.
    for href in stylesheets:
        status, headers, css = fetch(base + href)
        assert status == 200 and headers["Content-Type"].startswith("text/css") and "{" in css, href
    assert (tmp_path / "static" / "vendor").is_dir()


def test_the_web_process_holds_at_most_workers_times_threads_connections(quick_start, db):
    """80 requests at 40 concurrent opened 36 extra connections under runserver (issue 8 item 15); gunicorn's
    fixed thread pool keeps one persistent connection per thread, the rest of the clients queue."""
    base, _ = quick_start

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        ours = {cursor.fetchone()[0]}

    def connections() -> int:
        """The server's connections: every backend on the test database but this test's own."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            ours.add(cursor.fetchone()[0])
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND NOT pid = ANY(%s)", [sorted(ours)])
            return cursor.fetchone()[0]

    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        try:
            while not done.is_set():
                peak = max(peak, connections())
                time.sleep(0.05)
        finally:
            connection.close()

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(max_workers=40) as pool:
            statuses = list(pool.map(lambda _: fetch(base + "/readyz")[0], range(80)))
    finally:
        done.set()
        sampler.join()
    assert statuses == [200] * 80, (quick_start[1] / "serve.log").read_text()[-2000:]
    assert 1 <= peak <= WORKERS * THREADS, peak
    assert connections() <= WORKERS * THREADS
