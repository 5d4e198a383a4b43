"""The service by keyboard alone (Playwright driving Debian's Chromium).

From the top of a page, Tab reaches "Leave now" first and the skip link next, which moves on
to the page's content; every element that takes focus shows that it has it (its look changes)
and is not hidden under anything; and the main forms can be filled and sent with the keyboard.
"""

import pytest

from ethics.care.models import DebriefRequest
from tests.browser.conftest import new_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    None: ["/", "/accounts/login/", "/help/"],
    "survivor@example.org": ["/home/", "/profile/"],
    "supporter1@example.org": ["/home/"],
    "coordinator@example.org": ["/home/"],
}

# What has focus now, whether its look differs from the same element without focus, and
# whether the browser finds it (or something inside it) at its centre.
FOCUSED_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const look = () => {
    const s = getComputedStyle(el);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor,
            s.backgroundColor, s.color, s.textDecorationLine].join(" ");
  };
  const focused = look();
  el.blur();
  const unfocused = look();
  el.focus();
  const rect = el.getBoundingClientRect();
  const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
  const hit = document.elementFromPoint(x, y);
  const text = (el.innerText || el.value || el.name || el.getAttribute("aria-label") || "")
    .trim().slice(0, 40);
  return {
    what: `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}> "${text}"`,
    id: el.id,
    name: el.getAttribute("name"),
    type: el.getAttribute("type"),
    inMain: !!el.closest("main"),
    indicated: focused !== unfocused,
    shown: rect.width > 1 && rect.height > 1 && y >= 0 && y < innerHeight,
    covered: !(hit && (hit === el || el.contains(hit))),
  };
}
"""


def _tab(page):
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED_JS)


def _open(browser, base_url, email):
    # Reduced motion: Bootstrap scrolls smoothly to what takes focus, and where it lands is
    # what matters, not where it is mid-way.
    page = new_context(
        browser, viewport={"width": 1280, "height": 800}, reduced_motion="reduce"
    ).new_page()
    if email:
        sign_in(page, base_url, email)
    return page


@pytest.mark.parametrize("email", list(PAGES))
def test_tab_from_the_top_leave_now_first_then_skip_to_content(browser, live_server, demo, email):
    page = _open(browser, live_server.url, email)
    for path in PAGES[email]:
        page.goto(f"{live_server.url}{path}")
        first = _tab(page)
        assert first and first["id"] == "quick-exit", f"{path}: first stop is {first}"
        skip = _tab(page)
        assert skip and "Skip to content" in skip["what"], f"{path}: second stop is {skip}"
        assert skip["shown"], f"{path}: the skip link stays hidden when focused"
        page.keyboard.press("Enter")
        after = _tab(page)
        assert after and after["inMain"], f"{path}: after the skip link, focus is on {after}"
    page.context.close()


@pytest.mark.parametrize("email", list(PAGES))
def test_every_focused_element_shows_its_focus_and_is_not_covered(
    browser, live_server, demo, email
):
    page = _open(browser, live_server.url, email)
    for path in PAGES[email]:
        page.goto(f"{live_server.url}{path}")
        seen, problems = [], []
        for _ in range(200):
            focused = _tab(page)
            if focused is None or focused["what"] in seen[:1]:
                break  # out of the page, or round to the start again
            seen.append(focused["what"])
            if not focused["indicated"]:
                problems.append(f"{focused['what']} looks the same with focus")
            if not focused["shown"] or focused["covered"]:
                problems.append(f"{focused['what']} is out of sight or covered when focused")
        assert len(seen) >= 5, f"{path}: only {seen} take focus"
        assert problems == [], f"{path}: " + "; ".join(problems)
    page.context.close()


def _tab_to(page, predicate, what):
    for _ in range(60):
        focused = _tab(page)
        if focused and predicate(focused):
            return
    raise AssertionError(f"Tab never reached {what}")


def test_sign_in_by_keyboard_alone(browser, live_server, demo):
    page = _open(browser, live_server.url, None)
    page.goto(f"{live_server.url}/accounts/login/")
    _tab_to(page, lambda f: f["name"] == "login", "the email field")
    page.keyboard.type("survivor@example.org")
    _tab_to(page, lambda f: f["name"] == "password", "the password field")
    page.keyboard.type("demo-pass-2026")
    _tab_to(page, lambda f: f["type"] == "submit" and f["inMain"], "the Sign in button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/home/", page.url
    page.context.close()


def test_a_supporter_asks_for_a_debrief_by_keyboard_alone(browser, live_server, demo):
    page = _open(browser, live_server.url, "supporter1@example.org")
    page.goto(f"{live_server.url}/agreements/talk/new/")
    _tab_to(page, lambda f: f["what"].startswith("<textarea"), "the text box")
    page.keyboard.type("A hard week; I would like to talk it through.")
    _tab_to(page, lambda f: f["type"] == "submit" and f["inMain"], "the Send button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert DebriefRequest.objects.filter(requested_by__email="supporter1@example.org").exists()
    page.context.close()
