"""Headless Debian Chromium through Playwright's sync API, shared by the browser tests.

Playwright's sync API runs an event loop in the calling thread, so tests do every ORM call before
the browser starts or after it stops (Django refuses ORM calls while a loop is running).
"""

import re
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page, expect, sync_playwright

from tests import factories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)  # CI runs two workers; 5 s is tight for a loaded machine


class Console:
    """What the page reported: CSP violations, uncaught exceptions, and other console errors by URL."""

    def __init__(self):
        self.csp: list[str] = []
        self.exceptions: list[str] = []
        self.errors: list[tuple[str, str]] = []

    def on_console(self, msg) -> None:
        if "Content Security Policy" in msg.text:
            self.csp.append(msg.text)
        elif msg.type == "error":
            self.errors.append((msg.location.get("url", ""), msg.text))

    def assert_clean(self, *, expected_404: str = "") -> None:
        assert self.csp == [], self.csp
        assert self.exceptions == [], self.exceptions
        unexpected = [e for e in self.errors if not (expected_404 and e[0].endswith(expected_404) and "404" in e[1])]
        assert unexpected == [], unexpected


@contextmanager
def browser_page(base_url: str, *, width: int = 1280, height: int = 800, phone: bool = False):
    """A fresh page in a fresh headless Chromium; yields (page, console). ``phone``: a touch phone that
    honours the mobile viewport meta, as staff filling forms on their phones see the portal."""
    console = Console()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                base_url=base_url, locale="zh-CN", viewport={"width": width, "height": height},
                **({"is_mobile": True, "has_touch": True, "device_scale_factor": 3} if phone else {}),
            )
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.on("console", console.on_console)
            page.on("pageerror", lambda exc: console.exceptions.append(str(exc)))
            yield page, console
        finally:
            browser.close()


def log_in(page: Page, username: str) -> None:
    """Sign in through the login form with the test password; lands on the dashboard."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))
