"""bench_pages' parts without gunicorn: the data it builds gives every persona their pages,
the minimal page works through the benchmark's URLconf, and the shipped URLconf has no
benchmark page."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from ethics.agreements.selectors import has_acknowledged_current
from matching.models import Pairing, PairingState, RequestStatus, SupportRequest
from peersupport.demo import benchdata
from peersupport.demo.bench_views import minimal
from peersupport.demo.management.commands.bench_pages import BENCH_URLCONF, _pages
from peersupport.people.models import SupporterProfile, SupporterStatus, User
from sessions.models import CheckIn, SessionStatus

PASSWORD = "a-bench-password-for-tests"


@pytest.fixture
def personas(db):
    return benchdata.build(supporters=12, requests=8, pairings=2, sessions=3, password=PASSWORD)


def _client(user_id: int) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return client


def test_the_bench_data_holds_what_the_pages_show(personas):
    supporter = User.objects.get(pk=personas.supporter_id)
    pairings = list(Pairing.objects.filter(supporter=supporter, state=PairingState.ACTIVE))
    assert len(pairings) == 2
    for pairing in pairings:
        held = pairing.support_sessions.exclude(status=SessionStatus.SCHEDULED)
        assert held.count() == 3
        assert pairing.support_sessions.filter(status=SessionStatus.SCHEDULED).count() == 1
        assert CheckIn.objects.filter(pairing=pairing).count() >= 3
    assert CheckIn.objects.filter(answered_at__isnull=False).exists()
    survivors_pairing = Pairing.objects.get(pk=personas.pairing_id)
    assert survivors_pairing.survivor_id == personas.survivor_id
    assert survivors_pairing.state == PairingState.ACTIVE
    assert SupportRequest.objects.filter(status=RequestStatus.OPEN).count() == 8
    approved = SupporterProfile.objects.filter(status=SupporterStatus.APPROVED)
    assert approved.count() == 13
    assert all(has_acknowledged_current(p.user) for p in approved.select_related("user"))
    assert personas.counts["proposals"] > 0
    assert (
        Pairing.objects.filter(state=PairingState.PROPOSED).count() == personas.counts["proposals"]
    )


def test_the_personas_sign_in_through_the_form(personas):
    for email in (personas.survivor_email, personas.supporter_email, personas.coordinator_email):
        response = Client().post("/accounts/login/", {"login": email, "password": PASSWORD})
        assert response.status_code == 302, email
        assert response.url == "/home/"


@override_settings(ROOT_URLCONF=BENCH_URLCONF)
def test_every_measured_page_answers_its_persona(personas):
    ids = {
        "survivor": personas.survivor_id,
        "supporter": personas.supporter_id,
        "coordinator": personas.coordinator_id,
    }
    pages = _pages(personas)
    assert len(pages) == 7
    for name, (persona, url) in pages.items():
        response = _client(ids[persona]).get(url)
        assert response.status_code == 200, (name, url, response.status_code)


@override_settings(ROOT_URLCONF=BENCH_URLCONF)
def test_the_minimal_page_is_small_and_signed_in(personas):
    assert Client().get("/bench/minimal/").status_code == 302  # to sign in
    client = _client(personas.supporter_id)
    client.get("/bench/minimal/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/minimal/")
    assert response.status_code == 200
    assert b"Hello Alex" in response.content
    assert "no-store" in response["Cache-Control"]  # through the project's middleware
    # The session, the user, one small query.
    assert len(queries.captured_queries) == 3, [q["sql"] for q in queries.captured_queries]


def _everything(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _everything(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback, pattern.name


def test_the_shipped_urls_have_no_benchmark_page(settings):
    assert settings.ROOT_URLCONF == "peersupport.urls"
    shipped = list(_everything(get_resolver("peersupport.urls").url_patterns))
    assert len(shipped) > 50
    assert [r for r, callback, _n in shipped if callback is minimal] == []
    assert [r for r, _c, name in shipped if "bench" in r or "bench" in (name or "")] == []
    with pytest.raises(Resolver404):
        resolve("/bench/minimal/", urlconf="peersupport.urls")
    # ... while the benchmark's URLconf has it, beside every shipped address.
    assert resolve("/bench/minimal/", urlconf=BENCH_URLCONF).func is minimal
    bench = list(_everything(get_resolver(BENCH_URLCONF).url_patterns))
    assert len(bench) == len(shipped) + 1
