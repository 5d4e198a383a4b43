"""Blocking a supporter and withdrawing a change request are checked on a page of their own
first: the GET changes nothing, the POST does it, nobody else reaches either."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ethics.care.models import ChangeKind, ChangeRequest, ChangeStatus
from matching.models import Block, PairingState
from tests.confirming import assert_confirmation
from tests.factories import SupporterFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_blocking_is_checked_first(pairing, survivor_client):
    url = reverse("care:block", args=[pairing.pk])
    page = survivor_client.get(reverse("matching:pairing", args=[pairing.pk])).content.decode()
    assert f'href="{url}"' in page

    html = assert_confirmation(survivor_client, url, posts_to=url, button="Yes, block Alex")
    assert "Alex will never be offered to you again." in html
    assert reverse("care:concern_new", args=[pairing.pk]) in html  # the page's own note

    assert survivor_client.post(url, {"confirm": "on"}).status_code == 302
    assert Block.objects.filter(survivor=pairing.survivor, supporter=pairing.supporter).exists()
    pairing.refresh_from_db()
    assert pairing.state == PairingState.PAUSED


def test_nobody_else_reaches_the_check_to_block(pairing):
    url = reverse("care:block", args=[pairing.pk])
    for other in (SurvivorFactory(), pairing.supporter):
        client = _client(other)
        assert client.get(url).status_code == 404
        assert client.post(url, {"confirm": "on"}).status_code == 404
    assert not Block.objects.exists()


def _change(pairing, person, kind=ChangeKind.CHANGE):
    return ChangeRequest.objects.create(
        pairing=pairing, kind=kind, requested_by=person, reason="sample"
    )


@pytest.mark.parametrize("side", ["survivor", "supporter"])
def test_withdrawing_a_change_request_is_checked_first(pairing, side):
    person = getattr(pairing, side)
    change = _change(pairing, person)
    client = _client(person)
    detail = reverse("care:change", args=[change.pk])
    url = reverse("care:change_withdraw", args=[change.pk])
    page = client.get(detail).content.decode()
    assert f'href="{url}"' in page
    assert 'value="withdrawn"' not in page

    assert_confirmation(
        client,
        url,
        posts_to=detail,
        button="Yes, withdraw the request",
        fields=[("status", ChangeStatus.WITHDRAWN)],
    )
    assert client.post(detail, {"status": ChangeStatus.WITHDRAWN}).status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN


def test_nobody_else_reaches_the_check_to_withdraw_a_change_request(pairing):
    change = _change(pairing, pairing.survivor)
    for other in (SurvivorFactory(), SupporterFactory()):
        client = _client(other)
        assert client.get(reverse("care:change_withdraw", args=[change.pk])).status_code == 404
        posted = client.post(reverse("care:change", args=[change.pk]), {"status": "withdrawn"})
        assert posted.status_code == 404
    change.refresh_from_db()
    assert change.status == ChangeStatus.OPEN
