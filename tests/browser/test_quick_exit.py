"""The quick exit in a real browser (Playwright driving Debian's Chromium).

The machine has no outside network, so the "neutral site" is a small HTTP server of the
test's own on another origin; the service runs for real on Django's live server.
"""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import service_missing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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
def demo(settings, neutral_url):
    settings.QUICK_EXIT_URL = neutral_url
    call_command("seed_demo", force=True)
    return neutral_url


def _context(browser, **kwargs):
    return browser.new_context(**kwargs)


def _sign_in(page, base_url):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", "survivor@example.org")
    page.fill("input[name=password]", "demo-pass-2026")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/home/")
    assert "Your peer supporter" in page.content()


def test_shift_three_times_leaves_and_back_does_not_return(browser, live_server, demo):
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, live_server.url)

    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(demo)
    assert page.title() == "Weather"

    page.go_back()
    page.wait_for_load_state()
    assert page.url == demo, page.url
    assert "Your peer supporter" not in page.content()

    # The session ended on the server: once the hold is over, the service asks to sign in.
    context.clear_cookies(name="h")
    page.goto(f"{live_server.url}/home/")
    assert "/accounts/login/" in page.url
    context.close()


def test_the_button_works_without_javascript(browser, live_server, demo):
    context = _context(browser, java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, live_server.url)
    page.click("#quick-exit")
    page.wait_for_url(demo)
    page.go_back()
    page.wait_for_load_state()
    assert page.url == demo, page.url
    context.close()


def test_the_button_is_in_reach_on_a_phone_screen(browser, live_server, demo):
    context = _context(browser, viewport={"width": 360, "height": 640}, has_touch=True)
    page = context.new_page()
    _sign_in(page, live_server.url)
    page.mouse.wheel(0, 2000)  # scrolled down, it stays on screen
    box = page.locator("#quick-exit").bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert box["y"] >= 0 and box["y"] + box["height"] <= 640
    assert box["height"] >= 44
    page.tap("#quick-exit")
    page.wait_for_url(demo)
    context.close()
