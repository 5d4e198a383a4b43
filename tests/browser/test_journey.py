"""The whole journey in a real browser: a survivor asks, a coordinator runs the matcher and
offers, a supporter accepts, and the survivor meets their supporter."""

import re

import pytest

from matching.models import Pairing, PairingState
from tests.browser.conftest import new_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_request_to_an_active_pairing(browser, live_server, demo):
    base = live_server.url
    survivor = new_context(browser).new_page()
    sign_in(survivor, base, "survivor@example.org")
    survivor.click("text=Ask for a peer supporter")
    # The request comes in short steps: Continue on each, then send from the check page.
    for _ in range(6):
        if survivor.url.rstrip("/").endswith("/check"):
            break
        with survivor.expect_navigation():
            survivor.locator("main form button[type=submit]").last.click()
    assert survivor.url.rstrip("/").endswith("/check"), survivor.url
    assert "Check your answers" in survivor.content()
    with survivor.expect_navigation():
        survivor.locator("main form button[type=submit]").last.click()
    survivor.goto(f"{base}/home/")
    survivor.wait_for_selector("[data-status=waiting]")

    coordinator = new_context(browser).new_page()
    sign_in(coordinator, base, "coordinator@example.org")
    coordinator.goto(f"{base}/requests/proposals/")
    coordinator.click("text=Run matching now")
    coordinator.click("button[name=decision][value=offer]")
    coordinator.wait_for_selector("text=Offered")

    pairing = Pairing.objects.get()
    assert pairing.state == PairingState.OFFERED
    supporter_email = pairing.supporter.email
    supporter_name = pairing.supporter.display_name

    survivor.reload()
    assert survivor.locator("[data-status=considering]").count() == 1
    assert supporter_name not in survivor.content()

    supporter = new_context(browser).new_page()
    sign_in(supporter, base, supporter_email)
    supporter.click("text=please answer by")
    # The survivor's pseudonym is not shown before accepting ("Sam", not "Same time zone").
    assert not re.search(r"\bSam\b", supporter.locator("main").inner_text())
    supporter.click("main form button:has-text('Accept')")
    supporter.wait_for_selector("[data-state=active]")
    assert re.search(r"\bSam\b", supporter.locator("main").inner_text())

    survivor.goto(f"{base}/home/")
    survivor.click("a:has-text('Your pairing')")
    assert f"Your peer supporter is {supporter_name}." in survivor.content()
