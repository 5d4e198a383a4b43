"""The quick exit in a real browser (Playwright driving Debian's Chromium).

The machine has no outside network, so the "neutral site" is a small HTTP server of the
test's own on another origin; the service runs for real on Django's live server.
"""

import pytest

from tests.browser.conftest import new_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_shift_three_times_leaves_and_back_does_not_return(browser, live_server, demo):
    context = new_context(browser)
    page = context.new_page()
    sign_in(page, live_server.url)
    assert "Your peer supporter" in page.content()

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
    context = new_context(browser, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url)
    assert "Your peer supporter" in page.content()
    page.click("#quick-exit")
    page.wait_for_url(demo)
    page.go_back()
    page.wait_for_load_state()
    assert page.url == demo, page.url
    context.close()


def test_the_button_is_in_reach_on_a_phone_screen(browser, live_server, demo):
    context = new_context(browser, viewport={"width": 360, "height": 640}, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url)
    assert "Your peer supporter" in page.content()
    page.mouse.wheel(0, 2000)  # scrolled down, it stays on screen
    box = page.locator("#quick-exit").bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert box["y"] >= 0 and box["y"] + box["height"] <= 640
    assert box["height"] >= 44
    page.tap("#quick-exit")
    page.wait_for_url(demo)
    context.close()
