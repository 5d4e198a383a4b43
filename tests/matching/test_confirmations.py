"""Withdrawing a request, declining an offer, pausing or finishing a pairing: each is checked
on a page of its own first. The GET changes nothing, the POST does it, nobody else reaches
either, and the page the button used to be on now links to the check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.models import EndReason, PairingState, RequestStatus
from tests.confirming import assert_confirmation
from tests.factories import PairingFactory, SupporterFactory, SupportRequestFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_withdrawing_a_request_is_checked_first(survivor, survivor_client):
    waiting = SupportRequestFactory(survivor=survivor)
    url = reverse("matching:request_withdraw", args=[waiting.pk])
    page = survivor_client.get(reverse("matching:request", args=[waiting.pk])).content.decode()
    assert f'href="{url}"' in page
    assert 'method="post" action="' + url not in page

    html = assert_confirmation(
        survivor_client, url, posts_to=url, button="Yes, withdraw my request"
    )
    assert "We stop looking for a peer supporter for you." in html

    response = survivor_client.post(url)
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == RequestStatus.WITHDRAWN


def test_nobody_else_reaches_the_check_to_withdraw(survivor):
    waiting = SupportRequestFactory(survivor=survivor)
    url = reverse("matching:request_withdraw", args=[waiting.pk])
    for other in (SurvivorFactory(), SupporterFactory()):
        client = _client(other)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == RequestStatus.OPEN


def test_a_request_no_longer_open_has_nothing_to_check(survivor, survivor_client):
    closed = SupportRequestFactory(survivor=survivor, status=RequestStatus.WITHDRAWN)
    response = survivor_client.get(reverse("matching:request_withdraw", args=[closed.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:request", args=[closed.pk])


def _offer(supporter):
    return PairingFactory(
        supporter=supporter,
        state=PairingState.OFFERED,
        activated_at=None,
        request__status=RequestStatus.OPEN,
        offer_expires_at=timezone.now() + timedelta(days=1),
    )


def test_declining_an_offer_is_checked_first(supporter, supporter_client):
    offer = _offer(supporter)
    url = reverse("matching:offer_decline", args=[offer.pk])
    html = assert_confirmation(supporter_client, url, posts_to=url, button="Yes, decline the offer")
    assert "The person is not told that you said no, or why." in html
    assert 'name="note"' in html  # the optional reason, on the check itself

    response = supporter_client.post(url, {"note": ""})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.state, offer.end_reason) == (PairingState.ENDED, EndReason.DECLINED)


def test_the_offer_page_links_to_the_check_to_decline(supporter, supporter_client):
    from tests.helpers import acknowledge_current  # the offer page asks for the agreements

    acknowledge_current(supporter)
    offer = _offer(supporter)
    page = supporter_client.get(reverse("matching:offer", args=[offer.pk])).content.decode()
    url = reverse("matching:offer_decline", args=[offer.pk])
    assert f'href="{url}"' in page
    assert f'action="{url}"' not in page


def test_a_reason_too_long_comes_back_to_the_check(supporter, supporter_client):
    offer = _offer(supporter)
    url = reverse("matching:offer_decline", args=[offer.pk])
    response = supporter_client.post(url, {"note": "x" * 501})
    assert response.status_code == 400
    assert "data-confirmation" in response.content.decode()
    offer.refresh_from_db()
    assert offer.state == PairingState.OFFERED


def test_nobody_else_reaches_the_check_to_decline(supporter):
    offer = _offer(supporter)
    url = reverse("matching:offer_decline", args=[offer.pk])
    for other in (SupporterFactory(), SurvivorFactory(), offer.survivor):
        client = _client(other)
        assert client.get(url).status_code == 404
        assert client.post(url, {"note": ""}).status_code == 404
    offer.refresh_from_db()
    assert offer.state == PairingState.OFFERED


@pytest.mark.parametrize("reader", ["survivor", "supporter"])
@pytest.mark.parametrize(
    ("check", "action", "button", "after"),
    [
        ("matching:pairing_pause", "pause", "Yes, pause the pairing", PairingState.PAUSED),
        ("matching:pairing_finish", "complete", "Yes, end the pairing", PairingState.ENDED),
    ],
)
def test_pausing_and_finishing_a_pairing_are_checked_first(
    request, pairing, reader, check, action, button, after
):
    client = _client(getattr(pairing, reader))
    url = reverse(check, args=[pairing.pk])
    page = client.get(reverse("matching:pairing", args=[pairing.pk])).content.decode()
    assert f'href="{url}"' in page
    assert f'value="{action}"' not in page  # no button that does it at once

    posts_to = reverse("matching:pairing_action", args=[pairing.pk])
    html = assert_confirmation(
        client, url, posts_to=posts_to, button=button, fields=[("action", action)]
    )
    # Said to the person reading: the supporter reads the survivor's name.
    other = "your peer supporter" if reader == "survivor" else pairing.survivor.display_name
    assert f"We tell {other} that the pairing" in html

    assert client.post(posts_to, {"action": action}).status_code == 302
    pairing.refresh_from_db()
    assert pairing.state == after


@pytest.mark.parametrize("check", ["matching:pairing_pause", "matching:pairing_finish"])
def test_nobody_else_reaches_the_checks_on_a_pairing(pairing, check):
    url = reverse(check, args=[pairing.pk])
    posts_to = reverse("matching:pairing_action", args=[pairing.pk])
    for other in (SurvivorFactory(), SupporterFactory()):
        client = _client(other)
        assert client.get(url).status_code == 404
        assert client.post(posts_to, {"action": "pause"}).status_code == 404
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE


def test_a_paused_pairing_has_no_check_to_pause_again(pairing, survivor_client):
    pairing.state = PairingState.PAUSED
    pairing.save(update_fields=["state"])
    url = reverse("matching:pairing_pause", args=[pairing.pk])
    response = survivor_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:pairing", args=[pairing.pk])
