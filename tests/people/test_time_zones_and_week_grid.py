"""The time-zone picker (likely zones first, each region grouped, the service's usual zone by
default, never UTC unasked) and availability as a week grid, saved and shown back."""

import re

import pytest
from django.urls import reverse

from peersupport.people.models import LivedExperienceArea, User
from peersupport.people.time_zones import LIKELY_ZONES, TimeZoneField
from tests.factories import SupporterFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


def _select(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def _option_values(select_html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', select_html)


def test_the_likely_zones_come_first_then_each_region_then_utc():
    field = TimeZoneField()
    groups = [str(label) for label, _options in field.choices]
    assert groups[0] == "Common time zones"
    assert groups[1:4] == ["Europe", "The Americas", "Australia"]
    assert groups[-1] == "Other"
    first = [value for value, _label in list(field.choices)[0][1]]
    assert first[:2] == ["Europe/London", "Europe/Dublin"]
    assert first == [zone for zone, _label in LIKELY_ZONES]
    assert {"America/New_York", "Australia/Sydney", "Europe/Paris"} <= set(first)
    every = [value for _group, options in field.choices for value, _label in options]
    assert every.index("UTC") == len(every) - 1  # UTC only at the very end
    assert "US/Eastern" not in every and "Etc/GMT+5" not in every  # legacy names left out


def test_a_new_account_and_a_fresh_picker_start_on_the_usual_zone(settings):
    assert settings.DEFAULT_USER_TIME_ZONE == "Europe/London"
    assert User.objects.create_user("new@example.org", "x").time_zone == "Europe/London"
    settings.DEFAULT_USER_TIME_ZONE = "Europe/Dublin"
    assert User.objects.create_user("later@example.org", "x").time_zone == "Europe/Dublin"
    assert TimeZoneField().initial() == "Europe/Dublin"


def test_the_profile_picker_shows_groups_and_keeps_the_persons_zone(client):
    user = SurvivorFactory(time_zone="Pacific/Auckland")
    client.force_login(user)
    html = client.get(reverse("profile")).content.decode()
    select = _select(html, "account-time_zone")
    assert '<optgroup label="Common time zones">' in select
    assert '<optgroup label="Europe">' in select and '<optgroup label="Asia">' in select
    values = _option_values(select)
    assert values[0] == "Europe/London" and len(values) < 520
    assert re.search(r'<option value="Pacific/Auckland" selected>', select)
    assert "data-time-zone-guess" not in select  # a zone the person chose is not guessed over
    assert "/static/js/time-zone.js" in html


def test_utc_left_by_the_old_default_may_be_replaced_by_the_devices_zone(client):
    user = SurvivorFactory(time_zone="UTC")
    client.force_login(user)
    select = _select(client.get(reverse("profile")).content.decode(), "account-time_zone")
    assert "data-time-zone-guess" in select


def test_a_legacy_zone_someone_has_is_shown_and_kept_on_save(client):
    user = SurvivorFactory(time_zone="US/Eastern", display_name="Lee")
    client.force_login(user)
    select = _select(client.get(reverse("profile")).content.decode(), "account-time_zone")
    assert re.search(r'<option value="US/Eastern" selected>', select)
    response = client.post(
        reverse("profile"),
        {
            "account-display_name": "Lee",
            "account-time_zone": "US/Eastern",
            "profile-relationship": "survivor",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.time_zone == "US/Eastern"


def test_an_unknown_zone_is_refused_without_echo(client):
    user = SurvivorFactory(display_name="Lee")
    client.force_login(user)
    response = client.post(
        reverse("profile"),
        {"account-display_name": "Lee", "account-time_zone": "Mars/Olympus_zq7"},
    )
    body = response.content.decode()
    assert "Choose one of the options shown." in body and "zq7" not in body
    user.refresh_from_db()
    assert user.time_zone != "Mars/Olympus_zq7"


def _grid(html: str, name: str) -> dict[str, bool]:
    """Each box of the week grid: its label, and whether it is ticked."""
    table = re.search(rf'<table[^>]*week-grid[^>]*id="id_{name}">.*?</table>', html, re.S)
    assert table is not None, f"no week grid for {name}"
    cells = re.findall(
        r'<input type="checkbox"[^>]*name="([^"]+)" value="(\d+)" id="([^"]+)"( checked)?>'
        r'<span class="visually-hidden">([^<]+)</span>',
        table.group(0),
    )
    assert len(cells) == 21
    assert all(field_name == name for field_name, *_rest in cells)
    return {label: bool(checked) for _n, _v, _id, checked, label in cells}


def test_a_supporter_sets_availability_on_the_week_grid_and_sees_it_back(client):
    supporter = SupporterFactory()
    profile = supporter.supporter_profile
    profile.availability = 0
    profile.save()
    client.force_login(supporter)
    html = client.get(reverse("profile")).content.decode()
    grid = _grid(html, "profile-availability")
    assert not any(grid.values())
    assert list(grid)[:4] == [
        "Monday morning",
        "Monday afternoon",
        "Monday evening",
        "Tuesday morning",
    ]
    assert '<th scope="row">Wednesday</th>' in html and '<th scope="col">Evening</th>' in html
    data = {
        "account-display_name": supporter.display_name,
        "account-time_zone": "Europe/London",
        "account-email_notifications": "on",
        "profile-areas": [LivedExperienceArea.objects.first().pk],
        "profile-languages": [lang.pk for lang in profile.languages.all()],
        "profile-meeting_modes": [mode.pk for mode in profile.meeting_modes.all()],
        "profile-capacity": str(profile.capacity),
        "profile-availability": ["2", "5", "20"],  # Mon evening, Tue evening, Sun evening
    }
    response = client.post(reverse("profile"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    profile.refresh_from_db()
    assert profile.availability == (1 << 2) | (1 << 5) | (1 << 20)
    grid = _grid(client.get(reverse("profile")).content.decode(), "profile-availability")
    ticked = [label for label, on in grid.items() if on]
    assert ticked == ["Monday evening", "Tuesday evening", "Sunday evening"]
    data["profile-availability"] = []  # an empty grid means any time
    client.post(reverse("profile"), data)
    profile.refresh_from_db()
    assert profile.availability == 0


def test_every_box_has_its_own_label(client):
    client.force_login(SurvivorFactory())
    html = client.get(reverse("profile")).content.decode()
    ids = re.findall(
        r'<input type="checkbox"[^>]*name="profile-availability"[^>]*id="([^"]+)"', html
    )
    assert len(ids) == 21
    for box in ids:
        assert f'<label class="week-grid__cell" for="{box}">' in html
    # The grid is named once, by its legend, not by a label pointing at one box.
    assert re.search(r"<legend[^>]*>\s*When I am usually free", html)


def test_the_application_uses_the_week_grid(client):
    html = client.get(reverse("supporter_apply")).content.decode()
    assert len(_grid(html, "availability")) == 21
