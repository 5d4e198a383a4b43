"""Each home's panels are kept as rendered HTML (home_cache.kept_html) between views: a view
that nothing has changed since renders none of them again, and what is kept follows the viewer
(their clock, their email choice) and every write the panels show. Nothing kept holds a CSRF
token or anyone's words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from ethics.care import home_cache
from ethics.care.models import Concern
from ethics.care.services import concern_raise
from sessions.models import CheckIn, SessionStatus, SupportSession
from sessions.services import checkin_answer
from tests.factories import SupportRequestFactory
from tests.helpers import acknowledge_current, home_page, kept_keys

pytestmark = pytest.mark.django_db

CANARY = "kept-html-canary-q7x"


def _kept_html_values() -> list[str]:
    """Every kept HTML part in the cache (local memory in tests, Redis where configured)."""
    keys = [key for key in kept_keys("care:home:*") if ":html:" in key]
    # Each is kept with the numbers it was worked out under (platform.generations.kept).
    return [value[1] for value in cache.get_many(keys).values() if isinstance(value, tuple)]


def _main(html: str) -> str:
    """The page's own part (the chrome around it holds per-request CSRF tokens)."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.fixture
def home(survivor_client, survivor, pairing):
    acknowledge_current(survivor)
    home_page(survivor_client)  # the session's refresh
    return survivor_client


def _plan(pairing, starts_at) -> SupportSession:
    return SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=starts_at,
        mode="chat",
        status=SessionStatus.SCHEDULED,
    )


def test_a_second_view_renders_from_the_kept_html_with_fewer_queries(home, survivor):
    home_cache.touch(survivor.pk)
    first, cold = home_page(home)
    second, warm = home_page(home)
    assert _main(second) == _main(first)
    assert len(warm) < len(cold)
    # The survivor's profile, request, pairing and sessions are not read again.
    assert not any('"peer_sessions_supportsession"' in q["sql"] for q in warm)


def test_a_session_planned_shows_at_once(home, pairing):
    home_page(home)
    starts = timezone.now() + timedelta(days=3)
    session = _plan(pairing, starts)
    html, _queries = home_page(home)
    assert reverse("peer_sessions:session", args=[session.pk]) in html


def test_times_follow_the_viewers_clock_at_once(home, survivor, pairing):
    starts = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=3)
    _plan(pairing, starts)
    survivor.time_zone = "UTC"
    survivor.save(update_fields=["time_zone"])
    html, _queries = home_page(home)
    assert "midday" in html
    survivor.time_zone = "Asia/Tokyo"  # 9pm there
    survivor.save(update_fields=["time_zone"])
    html, _queries = home_page(home)
    assert "9pm" in html and "midday" not in html


def test_the_email_choice_changes_what_the_panel_says_at_once(survivor_client, survivor):
    acknowledge_current(survivor)
    SupportRequestFactory(survivor=survivor)  # waiting: the panel says how we will tell them
    survivor.email_notifications = True
    survivor.save(update_fields=["email_notifications"])
    with_emails, _queries = home_page(survivor_client)
    assert "we send you a discreet email" in with_emails
    survivor.email_notifications = False
    survivor.save(update_fields=["email_notifications"])
    without, _queries = home_page(survivor_client)
    assert "You have turned emails off" in without


def test_nothing_kept_holds_a_csrf_token_or_anyones_words(home, survivor, pairing):
    """Words stand right beside what the panels show: the note of the request, a concern the
    survivor raised (its line is on the panel), the answer to a check-in (the sessions panel)."""
    request = pairing.request
    request.note = CANARY
    request.save()
    concern_raise(user=survivor, pairing=pairing, category="other", text=CANARY)
    checkin = CheckIn.objects.create(pairing=pairing, due_at=timezone.now() - timedelta(hours=1))
    checkin_answer(
        survivor=survivor, checkin_id=checkin.pk, mood=3, wants_session="no", note=CANARY
    )
    html, _queries = home_page(home)
    concern = Concern.objects.get(raised_by=survivor)
    assert reverse("care:concern", args=[concern.pk]) in html  # its line is on the panel
    assert 'name="csrfmiddlewaretoken"' in html  # the page has forms (sign out) ...
    kept = _kept_html_values()
    assert kept, "the home's panels are kept"
    for value in kept:
        assert "csrfmiddlewaretoken" not in value  # ... but nothing kept holds a token
        assert CANARY not in value


def test_a_supporters_offers_caseload_and_panel_are_kept_and_follow_writes(
    supporter_client, supporter, pairing
):
    acknowledge_current(supporter)
    home_page(supporter_client)
    home_cache.touch(supporter.pk)
    first, cold = home_page(supporter_client)
    second, warm = home_page(supporter_client)
    assert _main(second) == _main(first) and len(warm) < len(cold)
    assert f'data-pairing="{pairing.pk}"' in first
    session = _plan(pairing, timezone.now() + timedelta(days=1))
    third, _queries = home_page(supporter_client)
    assert _main(third) != _main(first)
    assert f"pairing={pairing.pk}" in third
    assert session.pk
