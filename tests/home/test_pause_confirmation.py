"""A supporter's pause for self-care is checked on a page of its own (the shared layout): the
GET changes nothing, the POST pauses; resuming uses the same page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peersupport.people.models import SupporterStatus
from tests.confirming import assert_confirmation

pytestmark = pytest.mark.django_db


def test_pausing_for_self_care_is_checked_first(supporter, supporter_client):
    url = reverse("supporter_pause")
    html = assert_confirmation(supporter_client, url, posts_to=url, button="Yes, pause")
    assert "While you are paused, nobody new is offered to you." in html
    assert supporter_client.post(url, {"reason": ""}).status_code == 302
    supporter.supporter_profile.refresh_from_db()
    assert supporter.supporter_profile.status == SupporterStatus.PAUSED

    assert_confirmation(supporter_client, url, posts_to=url, button="Yes, resume")
    supporter_client.post(url, {"reason": ""})
    supporter.supporter_profile.refresh_from_db()
    assert supporter.supporter_profile.status == SupporterStatus.APPROVED


def test_only_supporters_reach_the_pause(survivor_client, coordinator_client):
    for client in (survivor_client, coordinator_client):
        assert client.get(reverse("supporter_pause")).status_code == 404
        assert client.post(reverse("supporter_pause"), {"reason": ""}).status_code == 404
