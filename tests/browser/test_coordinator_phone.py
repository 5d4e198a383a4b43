"""A coordinator on a phone: the one grouped menu folds behind "Menu", opens, and takes them
where they tap; from 768 px it is simply there. No table scrolls sideways at phone widths:
rows stack into labelled lines."""

import pytest

from tests.browser.conftest import new_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUPS = ["Queue", "Pairings", "Supporters", "Concerns and flags", "Figures", "Settings"]

# Anything wider than the viewport: the page itself, and each table.
OVERFLOW_JS = """
() => {
  const wide = [];
  if (document.documentElement.scrollWidth > innerWidth) {
    wide.push(`page ${document.documentElement.scrollWidth} > ${innerWidth}`);
  }
  for (const table of document.querySelectorAll("table")) {
    const box = table.getBoundingClientRect();
    if (box.right > innerWidth + 0.5 || table.scrollWidth > table.clientWidth + 1) {
      wide.push(`table ${Math.round(box.right)} wide`);
    }
  }
  return wide;
}
"""


def _coordinator(browser, base_url, width):
    context = new_context(browser, viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, base_url, "coordinator@example.org")
    return context, page


def test_the_menu_folds_on_a_phone_opens_and_follows_a_link(browser, live_server, demo):
    context, page = _coordinator(browser, live_server.url, 390)
    page.goto(f"{live_server.url}/team/people/")
    nav = page.get_by_role("navigation", name="Coordinators")
    toggle = nav.locator("summary")
    assert toggle.inner_text().strip() == "Menu"
    box = toggle.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    concerns = nav.get_by_role("link", name="Concerns", exact=True)
    assert not concerns.is_visible()  # folded

    toggle.focus()
    page.keyboard.press("Enter")  # keyboard opens it
    assert concerns.is_visible()
    headings = [h.strip() for h in nav.locator("h2").all_inner_texts()]
    assert headings == GROUPS
    for link in nav.get_by_role("link").all():
        assert link.inner_text().strip()
        box = link.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, link.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, link.inner_text()
    current = nav.locator('[aria-current="page"]')
    assert current.count() == 1 and current.inner_text() == "Supporters and places"
    page.keyboard.press("Escape")  # and closes it, focus back on Menu
    assert not concerns.is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"

    toggle.click()
    concerns.click()
    page.wait_for_url(f"{live_server.url}/team/matters/")
    nav = page.get_by_role("navigation", name="Coordinators")
    assert nav.locator('[aria-current="page"]').text_content() == "Concerns"
    assert not nav.get_by_role("link", name="Concerns", exact=True).is_visible()
    context.close()


def test_the_menu_is_open_without_a_toggle_on_a_wide_screen(browser, live_server, demo):
    context, page = _coordinator(browser, live_server.url, 1280)
    page.goto(f"{live_server.url}/team/people/")
    nav = page.get_by_role("navigation", name="Coordinators")
    assert not nav.locator("summary").is_visible()
    for name in ("Waiting requests", "Concerns", "Agreements", "Add a coordinator"):
        assert nav.get_by_role("link", name=name, exact=True).is_visible(), name
    assert page.evaluate(OVERFLOW_JS) == []
    context.close()


@pytest.mark.parametrize("width", [320, 390])
def test_no_table_scrolls_sideways_on_a_phone(browser, live_server, demo, width):
    context, page = _coordinator(browser, live_server.url, width)
    page.goto(f"{live_server.url}/team/people/")
    rows = page.locator("table tr[data-row]")
    assert rows.count() >= 2  # the demo's supporters
    assert page.evaluate(OVERFLOW_JS) == [], width
    # Each cell says what it is.
    label = page.evaluate(
        "getComputedStyle(document.querySelector('tr[data-row] td'), '::before').content"
    )
    assert label == '"Name"'
    for path in ("/team/applications/", "/team/agreements/", "/team/proposals/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate(OVERFLOW_JS) == [], (path, width)
    context.close()
