"""What each role's home shows of agreements, concerns, flags, debriefs and change requests."""

import pytest
from django.urls import reverse

from ethics.care import services as care_services
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db


def test_coordinator_home_counts_what_needs_a_coordinator(coordinator_client, pairing):
    care_services.safety_flag_raise(
        supporter=pairing.supporter, pairing=pairing, category="self", text="x"
    )
    care_services.change_request_open(user=pairing.survivor, pairing=pairing)
    page = coordinator_client.get(reverse("home")).content.decode()
    assert "1 urgent flag not closed" in page
    assert "0 open concerns" in page
    assert "1 change request" in page
    assert reverse("team:agreements") in page


def test_survivor_home_offers_a_concern_a_different_supporter_and_a_block(
    survivor_client, survivor, pairing
):
    acknowledge_current(survivor)
    page = survivor_client.get(reverse("home")).content.decode()
    for name in ("care:concern_new", "care:change_new", "care:block"):
        assert reverse(name, args=[pairing.pk]) in page
    assert "data-outstanding" not in page


def test_supporter_home_offers_a_flag_a_concern_and_a_handover_per_person(
    supporter_client, pairing
):
    page = supporter_client.get(reverse("home")).content.decode()
    assert "data-outstanding" in page  # nothing acknowledged yet
    for name in ("care:concern_new", "care:flag_new", "care:change_new"):
        assert reverse(name, args=[pairing.pk]) in page
    assert reverse("care:block", args=[pairing.pk]) not in page
