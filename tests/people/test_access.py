"""A role reaching another role's page gets 404 (nothing says the page exists)."""

import pytest
from django.test import Client
from django.urls import reverse

from peersupport.people.models import SupporterStatus
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

TEAM_URLS = [
    ("team:applications", {}),
    ("team:coordinator_new", {}),
    ("team:vocabulary", {"kind": "areas"}),
    ("team:vocabulary_new", {"kind": "languages"}),
]


@pytest.mark.parametrize("name, kwargs", TEAM_URLS)
@pytest.mark.parametrize("persona", ["survivor_client", "supporter_client"])
def test_team_pages_are_404_for_survivors_and_supporters(request, persona, name, kwargs):
    client = request.getfixturevalue(persona)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404


@pytest.mark.parametrize("name, kwargs", TEAM_URLS)
def test_team_pages_open_for_coordinators(coordinator_client, name, kwargs):
    assert coordinator_client.get(reverse(name, kwargs=kwargs)).status_code == 200


def test_an_application_is_404_for_other_supporters(supporter_client):
    other = SupporterFactory(profile__status=SupporterStatus.APPLIED)
    url = reverse("team:application", args=[other.supporter_profile.pk])
    assert supporter_client.get(url).status_code == 404
    assert supporter_client.post(url, {"decision": "approve"}).status_code == 404
    other.supporter_profile.refresh_from_db()
    assert other.supporter_profile.status == SupporterStatus.APPLIED


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("team:applications"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["survivor_client", "coordinator_client"])
def test_pausing_is_only_for_supporters(request, persona):
    client = request.getfixturevalue(persona)
    assert client.get(reverse("supporter_pause")).status_code == 404


def test_unknown_vocabulary_kind_is_404(coordinator_client):
    assert coordinator_client.get(reverse("team:vocabulary", args=["nope"])).status_code == 404


def test_coordinator_adds_a_lived_experience_area_people_can_then_choose(coordinator_client):
    response = coordinator_client.post(
        reverse("team:vocabulary_new", args=["areas"]),
        {"name": "Spiritual abuse", "description": "", "order": 5, "active": "on"},
    )
    assert response.status_code == 302
    html = Client().get(reverse("supporter_apply")).content.decode()
    assert "Spiritual abuse" in html
