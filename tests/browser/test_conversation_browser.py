"""A conversation in a real browser: two Chromium contexts (a survivor and her supporter) on
the real ASGI server, the quick exit in the middle of it, the page without JavaScript, and its
layout on a phone and a desktop.

Django's live server speaks WSGI only, so these tests start daphne (the production ASGI
server) as a subprocess against the test database: that needs a database another process
can open, PostgreSQL (as in CI). The data is written by the test and committed
(transactional tests); each person's session is made here and handed to the browser.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from peersupport.conversations.models import Message
from peersupport.demo import benchload
from tests.conftest import service_missing
from tests.factories import PairingFactory, SupporterFactory, SurvivorFactory
from tests.helpers import acknowledge_current

from .conftest import new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOST = "127.0.0.1"
LIVE_WITHIN_MS = 1000  # a message shows on the other person's open page within a second
# Screenshots of the layout checks go here when set (e.g. /tmp/h11), to look at them.
SHOTS = os.environ.get("CONVERSATION_SCREENSHOTS", "")


def _free_port() -> int:
    import socket  # only here: the port for this test's server

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@pytest.fixture
def asgi_server(seed_data, neutral_url, tmp_path):
    """daphne serving peersupport.asgi on a free port, against the test database."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        service_missing("the conversation browser tests need PostgreSQL (set DATABASE_URL)")
    at = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "") + "@" if db["USER"] else ""
    port = _free_port()
    log = tmp_path / "daphne.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.browser.asgi_settings",
        "DATABASE_URL": f"postgres://{at}{db['HOST'] or HOST}:{db['PORT'] or 5432}/{db['NAME']}",
        "CONN_MAX_AGE": "0",  # nothing left open when the test database is emptied
        "TEST_QUICK_EXIT_URL": neutral_url,
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here are read there
    }
    args = ["daphne", "-b", HOST, "-p", str(port), "peersupport.asgi:application"]
    process = benchload.start_server("daphne", args, env=env, host=HOST, port=port, log=log)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        benchload.stop_server(process)


@pytest.fixture
def pair():
    survivor = SurvivorFactory(display_name="Sam")
    supporter = SupporterFactory(display_name="Alex")
    acknowledge_current(survivor, supporter)
    return PairingFactory(
        request__survivor=survivor,
        supporter=supporter,
        activated_at=timezone.now() - timedelta(days=3),
    )


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Person:
    """One person's browser context on the conversation page, and what the page reported."""

    def __init__(self, browser, base_url: str, user, pairing, **context_options):
        self.key = _session_of(user)
        self.context = new_context(browser, **context_options)
        self.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": self.key, "url": base_url}]
        )
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.sockets: list = []
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.on("websocket", lambda socket: self.sockets.append(socket))
        self.url = base_url + reverse("conversations:conversation", args=[pairing.pk])

    def open(self, live: bool = True) -> None:
        self.page.goto(self.url.split("/talk/")[0] + reverse("home"))  # arriving from home
        self.page.goto(self.url)
        assert self.page.title().startswith("Conversation"), self.page.title()
        if live:
            self.page.wait_for_selector("[data-conversation][data-live=open]", timeout=10_000)
        # A reload would lose this mark: "without reload" is checked by its still being there.
        self.page.evaluate("window.stillTheSamePage = true")

    def send(self, text: str) -> float:
        self.page.fill("textarea[name=text]", text)
        self.page.click("[data-send-form] button[type=submit]")
        return time.monotonic()

    def wait_for(self, text: str, since: float, within_ms: int = LIVE_WITHIN_MS) -> float:
        """Milliseconds from `since` until `text` shows in this page's list, no reload."""
        self.page.locator("[data-messages] .msg__text", has_text=text).wait_for(timeout=within_ms)
        elapsed = (time.monotonic() - since) * 1000
        assert self.page.evaluate("window.stillTheSamePage === true"), "the page was reloaded"
        return elapsed

    def csp_violations(self) -> list[str]:
        return [text for text in self.console if "Content Security Policy" in text]


def test_a_conversation_between_two_browsers_is_live(browser, asgi_server, pair):
    sam = Person(browser, asgi_server, pair.survivor, pair)
    alex = Person(browser, asgi_server, pair.supporter, pair)
    sam.open()
    alex.open()
    # The socket is this site's own (connect-src 'self' lets Chromium open it).
    assert [socket.url for socket in sam.sockets] == [
        f"ws://{HOST}:{asgi_server.rsplit(':', 1)[1]}/ws/conversations/{pair.pk}/"
    ]

    sent = sam.send("Hello Alex, are you there? <b>not bold</b> https://x.example")
    alex.wait_for("Hello Alex, are you there?", sent)
    sam.wait_for("Hello Alex, are you there?", sent)
    assert sam.page.input_value("textarea[name=text]") == ""  # the composer is ready again
    mine = sam.page.locator("[data-messages] .msg--mine").last
    assert "You" in mine.inner_text()
    theirs = alex.page.locator("[data-messages] .msg").last
    assert "Sam" in theirs.inner_text() and "Report" in theirs.inner_text()
    # Text stays text: no bold, no link.
    assert theirs.locator("b, a[href^='https://x']").count() == 0
    assert "<b>not bold</b>" in theirs.locator(".msg__text").inner_text()

    sent = alex.send("Yes, I am here. Take your time.")
    sam.wait_for("Yes, I am here.", sent)
    assert Message.objects.filter(conversation_id=pair.pk).count() == 2
    assert sam.csp_violations() == [] and alex.csp_violations() == []
    sam.context.close()
    alex.context.close()


@pytest.mark.parametrize("how", ["button", "shift"])
def test_the_quick_exit_in_the_middle_of_a_conversation(
    browser, asgi_server, neutral_url, pair, how
):
    sam = Person(browser, asgi_server, pair.survivor, pair)
    alex = Person(browser, asgi_server, pair.supporter, pair)
    sam.open()
    alex.open()
    sent = alex.send("How are you today?")
    sam.wait_for("How are you today?", sent)
    sam.page.fill("textarea[name=text]", "I am typing something half-writ")
    socket = sam.sockets[-1]

    if how == "button":
        sam.page.click("#quick-exit")
    else:
        for _ in range(3):
            sam.page.keyboard.press("Shift")
    sam.page.wait_for_url(neutral_url)
    assert sam.page.title() == "Weather"
    assert socket.is_closed()

    # Back leads to the page before the conversation (home), which the hold sends on to the
    # neutral site too; never to the conversation.
    sam.page.go_back()
    sam.page.wait_for_load_state()
    assert sam.page.url == neutral_url, sam.page.url
    assert "Alex" not in sam.page.content()

    # The server takes nothing more from that session: no socket, no form.
    port = int(asgi_server.rsplit(":", 1)[1])
    with pytest.raises(InvalidStatus):
        connect(
            f"ws://{HOST}:{port}/ws/conversations/{pair.pk}/",
            origin=asgi_server,
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={sam.key}"},
            open_timeout=10,
        ).close()
    # The plain form too, with a valid CSRF token: the old session is signed out.
    _status, cookies, _location, page = benchload.fetch(HOST, port, "/accounts/login/")
    token = benchload.CSRF_INPUT.search(page).group(1)
    status, _cookies, location, _body = benchload.fetch(
        HOST,
        port,
        reverse("conversations:conversation", args=[pair.pk]),
        cookie=f"{settings.SESSION_COOKIE_NAME}={sam.key}; "
        f"{settings.CSRF_COOKIE_NAME}={cookies[settings.CSRF_COOKIE_NAME]}",
        method="POST",
        body=f"csrfmiddlewaretoken={token}&text=after+the+exit",
    )
    assert status == 302 and "/accounts/login/" in location, (status, location)
    assert Message.objects.filter(conversation_id=pair.pk).count() == 1  # Alex's only

    # Alex's page goes on: the conversation is not closed for him.
    assert alex.page.get_attribute("[data-conversation]", "data-live") == "open"
    sam.context.close()
    alex.context.close()


def test_a_conversation_works_without_javascript(browser, asgi_server, pair):
    sam = Person(browser, asgi_server, pair.survivor, pair, java_script_enabled=False)
    alex = Person(browser, asgi_server, pair.supporter, pair)
    sam.open(live=False)
    alex.open()
    assert sam.sockets == []

    sam.page.fill("textarea[name=text]", "Sent with the plain form")
    with sam.page.expect_navigation():
        sam.page.click("[data-send-form] button[type=submit]")
    assert sam.page.url.endswith("#latest")
    assert sam.page.locator(".msg--mine .msg__text", has_text="Sent with the plain form").count()
    # Alex's open page hears of it live, whichever way it was sent.
    alex.wait_for("Sent with the plain form", time.monotonic(), within_ms=3000)

    sent = alex.send("Got it, thank you")
    sam_page = sam.page.locator(".msg__text", has_text="Got it, thank you")
    alex.wait_for("Got it, thank you", sent)
    assert sam_page.count() == 0  # no script: nothing arrives by itself
    for _ in range(2):  # and checking works again from the address it leads to
        with sam.page.expect_navigation():
            sam.page.click("[data-refresh]")
        assert sam_page.count() == 1
    sam.context.close()
    alex.context.close()


def _visible_in(page, selector: str, width: int, height: int) -> dict:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (selector, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= height + 0.5, (selector, box)
    return box


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_the_conversation_page_fits_with_the_quick_exit_and_composer_in_reach(
    browser, asgi_server, pair, width, height
):
    for number in range(12):
        author = pair.survivor if number % 2 else pair.supporter
        Message.objects.create(
            conversation_id=_conversation(pair),
            author=author,
            text=f"Message {number}: "
            + "a longer line of words " * (number % 4 + 1)
            + (
                "https://example.org/a/very/long/address/that/must/wrap/" * 2 if number == 5 else ""
            ),
        )
    phone = width < 768
    sam = Person(
        browser,
        asgi_server,
        pair.survivor,
        pair,
        viewport={"width": width, "height": height},
        has_touch=phone,
        is_mobile=phone,
    )
    sam.open()
    page = sam.page
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/conversation-{width}.png", full_page=True)
    # Nothing wider than the screen (no sideways scrolling, no cut-off words).
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.msg, .msg__text, textarea, .send-form button')]
            .filter(e => e.scrollWidth > e.clientWidth + 1).length"""
    )
    assert overflowing == 0
    # The latest message is in view on arrival, and the quick exit is, wherever one scrolls.
    _visible_in(page, "#quick-exit", width, height)
    page.locator("[data-messages] .msg").last.scroll_into_view_if_needed()
    _visible_in(page, "#quick-exit", width, height)
    # The composer: in reach, nothing on top of it, big enough to tap, and it sends.
    page.locator("textarea[name=text]").scroll_into_view_if_needed()
    textarea = _visible_in(page, "textarea[name=text]", width, height)
    send = page.locator("[data-send-form] button[type=submit]")
    send.scroll_into_view_if_needed()
    button = _visible_in(page, "[data-send-form] button[type=submit]", width, height)
    assert textarea["width"] >= min(width - 40, 300) and button["height"] >= 44
    for box in (textarea, button):
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        on_top = page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y); "
            "return e && (e.closest('textarea, button') ? 'ok' : e.outerHTML.slice(0, 80)); }",
            [x, y],
        )
        assert on_top == "ok", on_top
    if phone:
        page.tap("textarea[name=text]")
    else:
        page.click("textarea[name=text]")
    page.keyboard.type("Typed on the page")
    sent = time.monotonic()
    (page.tap if phone else page.click)("[data-send-form] button[type=submit]")
    sam.wait_for("Typed on the page", sent, within_ms=3000)
    # Sent: the composer is ready, with its button still in reach, and the new message shows.
    page.wait_for_function("document.querySelector('textarea[name=text]').value === ''")
    _visible_in(page, "[data-send-form] button[type=submit]", width, height)
    _visible_in(page, "[data-messages] .msg:last-child .msg__text", width, height)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/conversation-{width}-sent.png")
    assert sam.csp_violations() == []
    sam.context.close()


def _conversation(pairing) -> int:
    from peersupport.conversations.models import Conversation  # only the layout test needs it

    return Conversation.objects.get_or_create(pairing=pairing)[0].pk
