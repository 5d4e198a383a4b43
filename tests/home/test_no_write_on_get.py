"""A page view writes nothing: every GET a persona can make leaves the database as it was
(the session row aside, which the framework keeps)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peersupport.people.models import SurvivorProfile

WRITES = ("INSERT", "UPDATE", "DELETE")


def _writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(WRITES) and "django_session" not in q["sql"]
    ]


@pytest.mark.parametrize("page", ["home", "profile", "inbox"])
@pytest.mark.parametrize("persona", ["survivor_client", "supporter_client", "coordinator_client"])
def test_own_pages_write_nothing_on_a_view(request, persona, page):
    client = request.getfixturevalue(persona)
    client.get(reverse(page))  # sign-in bookkeeping (last login, session) happens once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(page))
    assert response.status_code == 200
    assert _writes(queries.captured_queries) == []


def test_a_survivor_without_a_profile_gets_one_only_by_saving(survivor, survivor_client):
    SurvivorProfile.objects.filter(user=survivor).delete()
    assert survivor_client.get(reverse("home")).status_code == 200
    assert survivor_client.get(reverse("profile")).status_code == 200
    assert not SurvivorProfile.objects.filter(user=survivor).exists()
    form = survivor_client.get(reverse("profile")).context["role_form"]
    data = {
        f"account-{k}": v
        for k, v in {
            "display_name": "Sam",
            "time_zone": "Europe/London",
            "email_notifications": "on",
        }.items()
    }
    data["profile-relationship"] = form.fields["relationship"].choices[1][0]
    response = survivor_client.post(reverse("profile"), data)
    assert response.status_code == 302
    assert SurvivorProfile.objects.filter(user=survivor).exists()
