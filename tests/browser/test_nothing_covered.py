"""Nothing covers anything, at phone to desktop widths (Playwright driving Debian's Chromium).

The quick exit used to be fixed over the page: on a phone it lay on top of "Sign in", and a
tap meant to sign in left the site. Here every visible link, button and field, scrolled into
view, must be the element the browser finds at its own centre (or an ancestor of it). Header
and footer targets are at least 24 by 24 px on a phone, and the crisis page dials each
emergency number with its own link.
"""

import re

import pytest

from tests.browser.conftest import new_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 390, 768, 1280]
PUBLIC_PATHS = ["/", "/accounts/login/", "/accounts/signup/", "/help/"]

# For each visible interactive element: scroll it to the middle of the viewport and ask which
# element is at its centre. Returns a description of every element that is covered.
COVERED_JS = """
() => {
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, [role=button]";
  const covered = [];
  const describe = (el) => {
    if (!el) return "nothing";
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}> "${text.slice(0, 40)}"`;
  };
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    let rect = el.getBoundingClientRect();
    // Not shown: no box, or visually hidden (the skip link until it has focus).
    if (rect.width <= 1 || rect.height <= 1) continue;
    el.scrollIntoView({block: "center", inline: "center", behavior: "instant"});
    // A link that wraps has a box per line: the centre of each must be the link.
    for (const box of el.getClientRects()) {
      if (box.width <= 1 || box.height <= 1) continue;
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) {
        covered.push(`${describe(el)} cannot be scrolled into view (centre ${x},${y})`);
        continue;
      }
      const hit = document.elementFromPoint(x, y);
      if (!(hit === el || el.contains(hit))) {
        covered.push(
          `${describe(el)} is covered by ${describe(hit)} at ${Math.round(x)},${Math.round(y)}`);
      }
    }
  }
  return covered;
}
"""

# Header and footer links and buttons narrower or shorter than 24 px (WCAG 2.2, 2.5.8).
SMALL_TARGETS_JS = """
() => {
  const small = [];
  for (const el of document.querySelectorAll(
      "nav a[href], nav button, footer a[href], footer button, #quick-exit")) {
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue;  // visually hidden
    if (rect.width < 24 || rect.height < 24) {
      small.push(`"${el.innerText.trim()}" ${rect.width.toFixed(1)}x${rect.height.toFixed(1)}`);
    }
  }
  return small;
}
"""


def _check(page, url, width):
    page.goto(url)
    page.wait_for_load_state()
    covered = page.evaluate(COVERED_JS)
    assert covered == [], f"{url} at {width}px: " + "; ".join(covered)
    # The quick exit is on screen at the top of every page, whatever the width.
    page.evaluate("window.scrollTo({top: 0, left: 0, behavior: 'instant'})")
    box = page.locator("#quick-exit").bounding_box()
    assert box is not None, f"{url} at {width}px: no quick exit"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{url} at {width}px: {box}"
    assert box["y"] >= 0 and box["height"] >= 44, f"{url} at {width}px: {box}"
    if width <= 390:
        small = page.evaluate(SMALL_TARGETS_JS)
        assert small == [], f"{url} at {width}px, targets under 24 px: " + "; ".join(small)


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_covers_anything_signed_out(browser, live_server, demo, width):
    context = new_context(browser, viewport={"width": width, "height": 720})
    page = context.new_page()
    for path in PUBLIC_PATHS:
        _check(page, f"{live_server.url}{path}", width)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_covers_anything_for_a_signed_in_survivor(browser, live_server, demo, width):
    context = new_context(browser, viewport={"width": width, "height": 720})
    page = context.new_page()
    sign_in(page, live_server.url)
    for path in ["/home/", "/help/"]:
        _check(page, f"{live_server.url}{path}", width)
    context.close()


def test_a_tap_on_sign_in_signs_in_on_a_phone(browser, live_server, demo):
    """The issue as reported: on a phone, tapping "Sign in" left the site."""
    context = new_context(browser, viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.locator("nav a", has_text="Sign in").tap(timeout=5000)
    assert page.url == f"{live_server.url}/accounts/login/", page.url
    context.close()


def test_the_quick_exit_is_the_first_tab_stop(browser, live_server, demo):
    context = new_context(browser, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit"
    context.close()


def test_each_emergency_number_has_its_own_link(browser, live_server, demo):
    context = new_context(browser, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/help/")
    links = page.eval_on_selector_all(
        "a[href^='tel:']",
        "els => els.map(el => [el.getAttribute('href'), el.innerText.trim()])",
    )
    hrefs = [href for href, _ in links]
    for href, _text in links:
        assert re.fullmatch(r"tel:\+?\d+", href), href
    # The emergency numbers, stored as one line, are one link each with their country.
    for number, country in [("999", "UK"), ("112", "EU"), ("911", "US")]:
        assert hrefs.count(f"tel:{number}") == 1, links
        (text,) = [text for href, text in links if href == f"tel:{number}"]
        assert number in text and country in text, text
    # The helplines, one number each with spaces in it, stay one link each.
    for number in ["08085002222", "116123", "8006564673", "988"]:
        assert hrefs.count(f"tel:{number}") == 1, links
    assert len(hrefs) == 7, links
    context.close()


# The contrast of each link with the first opaque background behind it (WCAG 2.1 formula).
CONTRAST_JS = """
(selector) => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] === 1) return c;
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll(selector)].map((el) => {
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    return [el.innerText.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}
"""


def test_safety_links_and_links_in_alerts_are_aa_contrast(browser, live_server, demo):
    context = new_context(browser, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/help/")
    # An alert of each kind with a link in it, as pages and messages show them.
    page.evaluate(
        """() => {
          for (const kind of ["danger", "info", "warning", "success"]) {
            const alert = document.createElement("div");
            alert.className = `alert alert-${kind}`;
            alert.innerHTML = `Text <a href="#" data-alert-link>a link in ${kind}</a>`;
            document.querySelector("main").prepend(alert);
          }
        }"""
    )
    ratios = page.evaluate(CONTRAST_JS, "footer a, [data-alert-link], main a[href^='tel:']")
    assert len(ratios) >= 7, ratios
    low = [(text, round(ratio, 2)) for text, ratio in ratios if ratio < 4.5]
    assert low == [], low
    context.close()


@pytest.mark.parametrize("touch", [False, True])
def test_the_shift_hint_shows_only_where_a_keyboard_is_likely(browser, live_server, demo, touch):
    context = new_context(browser, viewport={"width": 390, "height": 844}, has_touch=touch)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    pointer_fine = page.evaluate("matchMedia('(hover: hover) and (pointer: fine)').matches")
    assert pointer_fine is not touch
    assert page.locator(".qe-hint").is_visible() is not touch
    assert page.locator("footer .qe-hint-keyboard").is_visible() is not touch
    assert page.locator("footer .qe-hint-touch").is_visible() is touch
    context.close()


def test_every_page_has_a_favicon(browser, live_server, demo):
    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/help/")
    href = page.get_attribute("link[rel=icon]", "href")
    assert href and href.endswith(".svg"), href
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in response.text()
    context.close()
