"""A supporter's caseload is kept between views of their home (as the HTML of their home's
panels, home_cache.kept_html, under home_cache's numbers) and is current after every write it
shows: a session planned, a check-in answered, a concern raised, a block, a new name. What is
kept holds no one's free text and lasts until the next session begins."""

from __future__ import annotations

import pickle
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from ethics.care import home_cache
from ethics.care.selectors import CASELOAD_SECONDS, caseload_seconds, supporter_caseload
from ethics.care.services import concern_raise
from matching.models import Block
from sessions.models import CheckIn, SessionStatus, SupportSession
from sessions.services import checkin_answer
from tests.helpers import acknowledge_current, home_page, kept_keys, reads_table

pytestmark = pytest.mark.django_db

CANARY = "kept-nowhere-canary-c4s"


@pytest.fixture
def home(supporter_client, supporter, pairing):
    acknowledge_current(supporter)
    home_page(supporter_client)  # the session's refresh
    return supporter_client


def test_a_second_view_reads_no_session_or_check_in(home, supporter):
    home_cache.touch(supporter.pk)
    _html, cold = home_page(home)
    html, warm = home_page(home)
    assert reads_table(cold, "peer_sessions_supportsession")
    assert not reads_table(warm, "peer_sessions_supportsession")
    assert not reads_table(warm, "peer_sessions_checkin")
    assert "data-caseload" in html


def test_a_planned_session_and_an_answered_check_in_show_at_once(home, supporter, pairing):
    assert 'data-next="plan-first-session"' in home_page(home)[0]
    SupportSession.objects.create(
        pairing=pairing,
        logged_by=supporter,
        starts_at=timezone.now() + timedelta(days=2),
        mode="chat",
        status=SessionStatus.SCHEDULED,
    )
    assert 'data-next="plan-first-session"' not in home_page(home)[0]
    checkin = CheckIn.objects.create(pairing=pairing, due_at=timezone.now() - timedelta(hours=1))
    assert "data-mood=" not in home_page(home)[0]
    checkin_answer(survivor=pairing.survivor, checkin_id=checkin.pk, mood=4, wants_session="no")
    assert 'data-mood="4"' in home_page(home)[0]


def test_a_concern_a_name_and_a_block_show_at_once(home, supporter, pairing):
    assert 'data-flag="concern"' not in home_page(home)[0]
    concern_raise(user=supporter, pairing=pairing, category="other", text=CANARY)
    html = home_page(home)[0]
    assert 'data-flag="concern"' in html and CANARY not in html
    pairing.survivor.display_name = "Sorrel Birch"
    pairing.survivor.save(update_fields=["display_name"])
    assert "Sorrel Birch" in home_page(home)[0]
    Block.objects.create(survivor=pairing.survivor, supporter=supporter)
    assert f'data-pairing="{pairing.pk}"' not in home_page(home)[0]


def test_what_is_kept_holds_no_free_text_and_lasts_until_the_next_session(home, supporter, pairing):
    concern_raise(user=supporter, pairing=pairing, category="other", text=CANARY)
    starts = timezone.now() + timedelta(seconds=30)
    SupportSession.objects.create(
        pairing=pairing,
        logged_by=supporter,
        starts_at=starts,
        mode="chat",
        status=SessionStatus.SCHEDULED,
    )
    caseload = supporter_caseload(supporter, profile=supporter.supporter_profile)
    assert 25 <= caseload_seconds(caseload) <= 31 < CASELOAD_SECONDS
    html, _queries = home_page(home)
    assert f'data-pairing="{pairing.pk}"' in html
    kept = [value for key in kept_keys("care:home:*") if (value := cache.get(key)) is not None]
    assert kept
    assert CANARY.encode() not in pickle.dumps(kept)
    if hasattr(cache, "_local"):  # on Redis: the kept home lasts until the session begins
        client = cache._cache.get_client()
        left = [
            client.ttl(cache.make_key(key))
            for key in kept_keys(f"care:home:supporter:html:{supporter.pk}:*")
        ]
        assert left and all(0 < seconds <= 31 for seconds in left)


def test_the_numbers_read_together_are_the_numbers_read_one_by_one(supporter):
    from peersupport.platform import generations  # only this test reads the numbers directly

    home_cache.touch(supporter.pk)
    keys = (f"care:home:person:{supporter.pk}", home_cache.EVERYONE, "care:home:never-set-x9")
    together = generations.current_many(*keys)
    assert together == [generations.current(key) for key in keys]
    home_cache.touch(supporter.pk)
    assert generations.current_many(*keys)[0] > together[0]
