"""axe-core on every page, for every persona, at a phone's width and a desktop's (WCAG 2.2 A/AA).

The pages are found, not listed: from each persona's front door the walk follows the links of
the service (GET only, same origin, never the sign-out, the quick exit or a download), one
page per URL pattern (/x/1/ and /x/2/ once), bounded. Forms that failed cannot be reached by
a link, so a few are sent empty and the page that comes back is checked too. Every violation
of any impact fails the test with its page, width, rule and the selectors of what failed.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.urls import Resolver404, resolve

from tests.browser.conftest import new_context
from tests.browser.personas import ANONYMOUS, demo_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
MAX_PAGES_PER_PERSONA = 60

# Never followed: leaving, signing out, downloads (nothing to check, and not a page).
NOT_FOLLOWED = re.compile(r"^/x/|^/accounts/logout/|/download/|\.csv$|[?&]format=pdf")

# Pages a link cannot reach: forms sent empty, by the persona who can send them.
EMPTY_FORMS = {
    ANONYMOUS: ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
    "survivor, ready to ask": ["/profile/"],
    "supporter, with a caseload": ["/meetings/new/", "/agreements/talk/new/"],
    "coordinator": ["/team/coordinators/new/"],
}
# Forms in steps: "Continue" pressed on each step as it comes, up to the check-your-answers
# page (which is checked, not sent).
STEPPED_FORMS = {"survivor, ready to ask": ["/requests/new/"]}
# The idle sign-out warning (a modal dialog), opened on a signed-in page.
IDLE_WARNING = {"survivor, matched": "/home/"}

RUN_AXE = """
async (options) => {
  const results = await axe.run(document, options);
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}
"""


def _sign_in(page, base_url, email, password):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{email} could not sign in"


# The shape of a page: every element's tag, id, classes, role, ARIA and type attributes and
# whether it holds text of its own; the content (in main) and the frame around it apart. The
# same URL pattern with the same content (the help page for each survivor, a pairing page for
# each pairing) is checked once, and so is each frame (each role's header, with a count of
# unread messages or without).
SHAPE = """
() => {
  const shape = (els) => els.map((el) => [
    el.tagName, el.id, el.className, el.getAttribute("role"), el.getAttribute("type"),
    [...el.attributes].filter((a) => a.name.startsWith("aria-")).map((a) => a.name).join(),
    [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()),
  ].join("|")).join("~");
  const all = [...document.body.querySelectorAll("*")];
  const inMain = all.filter((el) => el.closest("main"));
  return [shape(inMain), shape(all.filter((el) => !el.closest("main")))];
}
"""

SEND_EMPTY = """
() => {
  const form = [...document.querySelectorAll("main form[method=post], main form[method=POST]")]
    .find((f) => f.querySelector("[type=submit]"));
  if (!form) return false;
  form.noValidate = true;
  for (const el of form.elements) {
    if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
    if (el.type === "checkbox" || el.type === "radio") el.checked = false;
    else if (el.tagName === "SELECT") el.selectedIndex = -1;
    else el.value = "";
  }
  form.querySelector("[type=submit]").click();
  return true;
}
"""


def _sign_in(page, base_url, email, password):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{email} could not sign in"


def _pattern(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return path


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map((el) => el.href)")
    links = []
    for href in hrefs:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if not NOT_FOLLOWED.search(local):
            links.append(local)
    return links


class Walk:
    """One persona's walk: the pages seen, and every violation found, one line each."""

    def __init__(self, page, base_url: str, persona: str, shapes: set):
        self.page, self.base_url, self.persona, self.shapes = page, base_url, persona, shapes
        self.visited: list[str] = []
        self.checked = 0
        # (rule, impact, what it asks, the selectors that fail it) -> where it was found
        self.violations: dict[tuple[str, ...], list[str]] = defaultdict(list)

    def check(self, where: str, *, again: bool = False) -> None:
        """axe at each width on the page as it is, unless a page of its shape was checked
        (or `again`: the same page in another state, such as with a dialog open)."""
        content, frame = self.page.evaluate(SHAPE)
        pattern = _pattern(urlsplit(self.page.url).path)
        keys = {("content", pattern, hash(content)), ("frame", hash(frame))}
        self.visited.append(where)
        if keys <= self.shapes and not again:
            return
        self.shapes |= keys
        self.checked += 1
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_SCRIPT)
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            for v in self.page.evaluate(RUN_AXE, AXE_OPTIONS):
                targets = ", ".join(v["targets"][:6]) + (" …" if len(v["targets"]) > 6 else "")
                rule = (v["id"], v["impact"], v["help"], targets)
                self.violations[rule].append(f"{where} at {width}px [{self.persona}]")

    def goto(self, path: str) -> bool:
        response = self.page.goto(f"{self.base_url}{path}")
        self.page.wait_for_load_state()
        if response is None or response.status >= 500:
            status = response and response.status
            rule = ("server-error", "critical", f"the server answered {status}", "")
            self.violations[rule].append(f"{path} [{self.persona}]")
            return False
        return True

    def crawl(self, start: str) -> None:
        """Every URL pattern reachable from `start` by links, one page each, bounded."""
        queue, seen = deque([start]), {_pattern(start)}
        while queue and len(self.visited) < MAX_PAGES_PER_PERSONA:
            path = queue.popleft()
            if not self.goto(path):
                continue
            self.check(path)
            for link in _links(self.page, self.base_url):
                pattern = _pattern(urlsplit(link).path)
                if pattern not in seen:
                    seen.add(pattern)
                    queue.append(link)

    def send_empty(self, path: str) -> None:
        self.goto(path)
        with self.page.expect_navigation():
            assert self.page.evaluate(SEND_EMPTY), f"{path}: no form to send"
        self.page.wait_for_load_state()
        # The page really shows the form's errors (else this checked nothing new).
        errors = "[data-error-summary], .is-invalid, .invalid-feedback, .alert-danger"
        assert self.page.locator(errors).count() > 0, f"{path} sent empty showed no error"
        self.check(f"{path} (sent empty)")

    def idle_warning(self, path: str) -> None:
        """The idle sign-out warning, open (static/js/idle-timeout.js opens it near the end)."""
        self.goto(path)
        self.page.evaluate("document.querySelector('[data-idle-dialog]').showModal()")
        self.check(f"{path} (idle warning open)", again=True)

    def through_steps(self, path: str) -> None:
        self.goto(path)
        for _step in range(12):
            self.page.wait_for_load_state()
            here = urlsplit(self.page.url).path
            self.check(f"{here} (a step)")
            if here.endswith("/check/"):
                return
            with self.page.expect_navigation():
                self.page.locator("main form button[type=submit]").last.click()
        raise AssertionError(f"{path}: no check-your-answers page after 12 steps")


def test_every_page_for_every_persona_has_no_wcag_violations(browser, live_server, demo):
    shapes: set = set()
    found: dict[tuple[str, ...], list[str]] = defaultdict(list)
    covered, checked = [], 0
    for persona, account in demo_personas().items():
        context = new_context(browser, viewport={"width": WIDTHS[-1], "height": 900})
        page = context.new_page()
        if account is None:
            start = "/"
        else:
            _sign_in(page, live_server.url, *account)
            start = urlsplit(page.url).path
        walk = Walk(page, live_server.url, persona, shapes)
        walk.crawl(start)
        for path in EMPTY_FORMS.get(persona, []):
            walk.send_empty(path)
        for path in STEPPED_FORMS.get(persona, []):
            walk.through_steps(path)
        if persona in IDLE_WARNING:
            walk.idle_warning(IDLE_WARNING[persona])
        covered.append(f"{persona}: {len(walk.visited)} pages")
        for rule, where in walk.violations.items():
            found[rule] += where
        checked += walk.checked
        context.close()
    print("\n".join(covered), f"\n{checked} pages of different shapes checked at {WIDTHS} px")
    # One entry per rule and element: a fault in a shared include is listed once, with pages.
    report = [
        f"{rule} ({impact}) {what}\n    failing: {targets}\n    on {len(where)}: "
        + "; ".join(where[:8])
        + (" …" if len(where) > 8 else "")
        for (rule, impact, what, targets), where in found.items()
    ]
    assert not report, f"{len(report)} kinds of accessibility violation:\n" + "\n".join(report)
