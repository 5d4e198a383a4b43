"""The idle sign-out warns first: "Stay signed in" extends the server session even when the
once-a-minute refresh would skip it, anyone signed out is refused, and without JavaScript the
safety refresh (inside <noscript>) still leaves for sign-in."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from peersupport.platform.middleware import REFRESHED_KEY

pytestmark = pytest.mark.django_db

STAY = "/session/stay/"


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _refreshed_just_now_and_ending_soon(client):
    """As if the last refresh was seconds ago and the session ends in a minute: a plain request
    now would not move the expiry (SessionRefreshMiddleware waits a minute between writes)."""
    session = client.session
    session[REFRESHED_KEY] = int(time.time())
    session.save()
    soon = timezone.now() + timedelta(seconds=60)
    Session.objects.filter(session_key=session.session_key).update(expire_date=soon)
    return soon


def test_the_address_is_neutral():
    assert reverse("session_stay") == STAY


def test_stay_signed_in_extends_the_server_session(client, survivor, settings):
    client.force_login(survivor)
    soon = _refreshed_just_now_and_ending_soon(client)
    client.get(reverse("home"))
    assert _expiry(client) == soon  # an ordinary page view within the minute: not moved

    response = client.post(STAY, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert (
        settings.SESSION_COOKIE_AGE - 2
        <= response.json()["seconds_left"]
        <= (settings.SESSION_COOKIE_AGE)
    )
    expected = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((_expiry(client) - expected).total_seconds()) < 5
    assert client.get(reverse("home")).status_code == 200  # still signed in


def test_stay_signed_in_without_javascript_goes_back_to_the_page(client, survivor):
    client.force_login(survivor)
    soon = _refreshed_just_now_and_ending_soon(client)
    response = client.post(STAY, {"next": reverse("profile")})
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    assert _expiry(client) > soon + timedelta(minutes=5)
    elsewhere = client.post(STAY, {"next": "https://elsewhere.example/"})
    assert elsewhere["Location"] == reverse("home")


def test_stay_signed_in_refuses_anyone_signed_out(client, survivor):
    response = client.post(STAY, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert not Session.objects.exists()  # no session made for a visitor
    client.force_login(survivor)
    assert client.get(STAY).status_code == 405  # never on a GET


def test_stay_signed_in_checks_the_csrf_token(survivor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(survivor)
    assert client.post(STAY, HTTP_ACCEPT="application/json").status_code == 403


def test_the_safety_refresh_acts_only_without_javascript(client, survivor, settings):
    client.force_login(survivor)
    html = client.get(reverse("home")).content.decode()
    refreshes = re.findall(r"(<noscript>)?<meta http-equiv=\"refresh\"", html)
    assert refreshes == ["<noscript>"]
    seconds = settings.SESSION_COOKIE_AGE + 5
    assert f'<noscript><meta http-equiv="refresh" content="{seconds};' in html


def test_signed_in_pages_carry_the_warning_dialog_with_the_servers_seconds(
    client, survivor, settings
):
    visitor = client.get(reverse("index")).content.decode()
    assert "data-idle-dialog" not in visitor and "idle-timeout.js" not in visitor
    client.force_login(survivor)
    html = client.get(reverse("home")).content.decode()
    dialog = re.search(r"<dialog\b[^>]*>", html).group(0)
    assert 'aria-labelledby="idle-dialog-title"' in dialog
    assert 'aria-describedby="idle-dialog-text"' in dialog
    assert f'data-seconds-left="{settings.SESSION_COOKIE_AGE}"' in dialog
    assert 'data-warn-seconds="120"' in dialog
    assert 'id="idle-dialog-title"' in html and 'id="idle-dialog-text"' in html
    assert "Stay signed in" in html and "Sign out now" in html
    assert f'action="{reverse("account_logout")}"' in html.split("<dialog")[1]
    assert 'src="/static/js/idle-timeout.js"' in html


def test_the_page_states_the_seconds_the_session_really_has_left(client, survivor, settings):
    client.force_login(survivor)
    session = client.session
    session[REFRESHED_KEY] = int(time.time()) - 30  # refreshed half a minute ago
    session.save()
    html = client.get(reverse("home")).content.decode()
    left = int(re.search(r'data-seconds-left="(\d+)"', html).group(1))
    assert settings.SESSION_COOKIE_AGE - 32 <= left <= settings.SESSION_COOKIE_AGE - 29
