"""The idle warning in a real browser, with an idle period of seconds instead of minutes: the
dialog opens before the server session ends, "Stay signed in" (or Escape) keeps the person
signed in past the old end, "Sign out now" signs out, and no answer ends on sign-in."""

import time

import pytest

from tests.browser.conftest import new_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE = 12  # seconds; the warning shows a third of it (4 s) before the end


@pytest.fixture
def short_idle(settings):
    settings.SESSION_COOKIE_AGE = IDLE
    settings.SESSION_REFRESH_SECONDS = 1


def _signed_in_page(browser, live_server, width=390):
    context = new_context(browser, viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, live_server.url)
    return context, page


def _still_signed_in(page, base_url) -> bool:
    page.goto(f"{base_url}/profile/")
    return page.url == f"{base_url}/profile/"


def test_the_warning_opens_and_stay_signed_in_keeps_the_session(
    browser, live_server, demo, short_idle
):
    context, page = _signed_in_page(browser, live_server)
    loaded = time.monotonic()
    dialog = page.locator("dialog[data-idle-dialog]")
    assert not dialog.is_visible()
    page.wait_for_selector("dialog[data-idle-dialog][open]", timeout=(IDLE + 2) * 1000)
    assert time.monotonic() - loaded < IDLE - 2  # before the end, not after
    # Modal, named and described, with focus inside it.
    assert page.evaluate("document.querySelector('dialog').matches(':modal')")
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Stay signed in"
    title = page.locator("#" + dialog.get_attribute("aria-labelledby")).inner_text()
    assert title == "Do you want to stay signed in?"
    assert "sign you out in" in page.locator("#idle-dialog-text").inner_text()
    for _ in range(4):  # Tab stays in the dialog
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('dialog') !== null")

    page.get_by_role("button", name="Stay signed in").click()
    page.wait_for_selector("dialog[data-idle-dialog]:not([open])", state="attached")
    time.sleep(max(0, IDLE + 2 - (time.monotonic() - loaded)))  # past the old end
    assert page.url.endswith("/home/")  # the page did not leave
    assert _still_signed_in(page, live_server.url)

    # Escape is "stay signed in" too.
    reloaded = time.monotonic()
    page.wait_for_selector("dialog[data-idle-dialog][open]", timeout=(IDLE + 2) * 1000)
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog[data-idle-dialog]:not([open])", state="attached")
    time.sleep(max(0, IDLE + 2 - (time.monotonic() - reloaded)))
    assert _still_signed_in(page, live_server.url)
    context.close()


def test_sign_out_now_signs_out(browser, live_server, demo, short_idle):
    context, page = _signed_in_page(browser, live_server, width=1280)
    page.wait_for_selector("dialog[data-idle-dialog][open]", timeout=(IDLE + 2) * 1000)
    page.get_by_role("button", name="Sign out now").click()
    page.wait_for_load_state()
    assert not _still_signed_in(page, live_server.url)
    assert "/accounts/login/" in page.url
    context.close()


def test_with_no_answer_the_page_goes_to_sign_in(browser, live_server, demo, short_idle):
    context, page = _signed_in_page(browser, live_server)
    page.wait_for_url(f"{live_server.url}/accounts/login/", timeout=(IDLE + 5) * 1000)
    assert not _still_signed_in(page, live_server.url)  # the server had ended it already
    context.close()
