"""A supporter's own profile: capacity and "open to new people" go through the service."""

import pytest
from django.urls import reverse

from matching.models import PairingState
from peersupport.people.models import AuditEvent, LivedExperienceArea
from tests.factories import PairingFactory

pytestmark = pytest.mark.django_db


def _profile_post(user, **profile_changes):
    profile = user.supporter_profile
    areas = profile.areas.all() or LivedExperienceArea.objects.all()[:1]
    data = {
        "account-display_name": user.display_name,
        "account-time_zone": user.time_zone,
        "account-email_notifications": "on",
        "profile-areas": [area.pk for area in areas],
        "profile-languages": [lang.pk for lang in profile.languages.all()],
        "profile-meeting_modes": [m.pk for m in profile.meeting_modes.all()],
        "profile-gender": profile.gender_id or "",
        "profile-capacity": str(profile.capacity),
        "profile-availability": [],
    }
    if profile.accepting_new:
        data["profile-accepting_new"] = "on"
    for key, value in profile_changes.items():
        if value is None:
            data.pop(f"profile-{key}", None)
        else:
            data[f"profile-{key}"] = value
    return data


def _open_offer(supporter):
    return PairingFactory(
        supporter=supporter, state="offered", activated_at=None, request__status="open"
    )


def test_closing_to_new_people_takes_back_open_offers(supporter_client, supporter):
    offer = _open_offer(supporter)
    response = supporter_client.post(
        reverse("profile"), _profile_post(supporter, accepting_new=None)
    )
    assert response.status_code == 302
    supporter.supporter_profile.refresh_from_db()
    assert supporter.supporter_profile.accepting_new is False
    offer.refresh_from_db()
    assert offer.state == PairingState.ENDED  # the request went back to the queue
    event = AuditEvent.objects.get(action="supporter.profile_updated")
    assert event.data["withdrawn"] == 1


def test_capacity_cannot_drop_below_the_places_taken(supporter_client, supporter):
    profile = supporter.supporter_profile
    profile.capacity = 3
    profile.save()
    PairingFactory(supporter=supporter)
    PairingFactory(supporter=supporter)
    response = supporter_client.post(reverse("profile"), _profile_post(supporter, capacity="1"))
    assert response.status_code == 200
    assert "You already support 2 people" in response.content.decode()
    profile.refresh_from_db()
    assert profile.capacity == 3


def test_lowering_capacity_takes_back_offers_that_no_longer_fit(supporter_client, supporter):
    profile = supporter.supporter_profile
    profile.capacity = 3
    profile.save()
    PairingFactory(supporter=supporter)
    offer = _open_offer(supporter)
    response = supporter_client.post(reverse("profile"), _profile_post(supporter, capacity="1"))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.capacity == 1
    offer.refresh_from_db()
    assert offer.state == PairingState.ENDED


def test_an_edit_that_still_fits_keeps_open_offers(supporter_client, supporter):
    profile = supporter.supporter_profile
    profile.capacity = 3
    profile.save()
    offer = _open_offer(supporter)
    response = supporter_client.post(reverse("profile"), _profile_post(supporter, capacity="2"))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.capacity == 2
    offer.refresh_from_db()
    assert offer.state == PairingState.OFFERED
