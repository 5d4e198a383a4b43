"""Browser fixtures: Playwright driving Debian's Chromium against Django's live server.

The machine has no outside network, so the "neutral site" is a small HTTP server of the
test's own on another origin.
"""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import service_missing

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
NEUTRAL_PAGE = b"<!DOCTYPE html><title>Weather</title><h1>Today: light rain</h1>"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        service_missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM work of the test is
    # done before pages open, but Django must not refuse the live server's teardown.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


class _NeutralSite(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(NEUTRAL_PAGE)

    def log_message(self, *args):
        pass


@pytest.fixture
def neutral_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NeutralSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/weather"
    server.shutdown()


@pytest.fixture
def demo(settings, neutral_url, seed_data):
    settings.QUICK_EXIT_URL = neutral_url
    call_command("seed_demo", force=True)
    return neutral_url


def new_context(browser, **kwargs):
    return browser.new_context(**kwargs)


def sign_in(page, base_url, email="survivor@example.org"):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", "demo-pass-2026")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/home/")
