"""A coordinator checks before reassigning or ending a pairing: the pairing page's forms post to
a check that shows what happens to each person and changes nothing; its button posts the same
answers to the pairing's page, which acts. Nobody but a coordinator reaches the check."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import EndReason, Pairing, PairingState
from matching.reassign import version_token
from tests.confirming import everything
from tests.factories import SupporterFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(survivor, supporter):
    acknowledge_current(survivor, supporter)
    other = SupporterFactory(display_name="Jordan")
    acknowledge_current(other)
    return other


def _hidden(html: str) -> dict[str, str]:
    form = html.split("data-confirmation", 1)[1]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def _check(client, pairing, data):
    before = everything()
    response = client.post(reverse("team:pairing_check", args=[pairing.pk]), data)
    assert everything() == before, "the check changed something"
    return response


def test_the_pairing_page_forms_go_to_the_check(coordinator_client, pairing, newcomer):
    html = coordinator_client.get(reverse("team:pairing", args=[pairing.pk])).content.decode()
    check = reverse("team:pairing_check", args=[pairing.pk])
    assert html.count(f'action="{check}"') == 2  # reassign, and end without anyone new


def test_ending_a_pairing_is_checked_then_done(coordinator_client, pairing, newcomer):
    data = {
        "action": "end",
        "end-reason": EndReason.COORDINATOR_ENDED,
        "end-then": "reopen",
        "end-note": "",
        "end-version": version_token(pairing),
    }
    response = _check(coordinator_client, pairing, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<title>\s*Check before you continue · ", html)
    assert "goes back in the queue" in html and "Yes, end the pairing" in html
    fields = _hidden(html)
    assert fields["action"] == "end" and fields["end-then"] == "reopen"
    fields.pop("csrfmiddlewaretoken", None)
    done = coordinator_client.post(reverse("team:pairing", args=[pairing.pk]), fields)
    assert done.status_code == 302
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ENDED


def test_reassigning_is_checked_with_the_new_supporters_name(coordinator_client, pairing, newcomer):
    data = {
        "supporter": newcomer.pk,
        "reason": EndReason.COORDINATOR_ENDED,
        "note": "",
        "version": version_token(pairing),
    }
    html = _check(coordinator_client, pairing, data).content.decode()
    assert "Yes, end it and offer Jordan" in html
    fields = _hidden(html)
    fields.pop("csrfmiddlewaretoken", None)
    assert (
        coordinator_client.post(reverse("team:pairing", args=[pairing.pk]), fields).status_code
        == 302
    )
    assert Pairing.objects.get(previous=pairing).supporter == newcomer


def test_a_check_with_a_mistake_shows_the_page_with_its_errors(coordinator_client, pairing):
    response = _check(coordinator_client, pairing, {"action": "end", "end-reason": ""})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_only_coordinators_reach_the_check(pairing):
    for user in (pairing.survivor, pairing.supporter):
        client = Client()
        client.force_login(user)
        response = client.post(
            reverse("team:pairing_check", args=[pairing.pk]),
            {"action": "end", "end-reason": EndReason.COORDINATOR_ENDED, "end-then": "reopen"},
        )
        assert response.status_code == 404
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE
