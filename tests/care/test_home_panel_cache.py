"""Each person's home panel is kept between views (ethics/care/home_cache.py) and is current
after every write it shows: a concern raised, an acknowledgement, a new version published, a
pairing paused. What is kept holds no one's free text."""

from __future__ import annotations

import pickle

import pytest

from ethics.care import home_cache
from ethics.care.services import concern_raise
from ethics.care.templatetags.ethics_tags import _panel
from matching.services import pairing_set_paused
from tests.helpers import acknowledge_current, home_page, publish_new_version, reads_table

pytestmark = pytest.mark.django_db

CANARY = "kept-nowhere-canary-7q"


def test_a_second_home_view_reads_none_of_the_panels_tables(survivor_client, survivor, pairing):
    acknowledge_current(survivor)
    home_page(survivor_client)
    home_cache.touch(survivor.pk)
    _html, cold = home_page(survivor_client)
    _html, warm = home_page(survivor_client)
    assert reads_table(cold, "ethics_concern") and reads_table(cold, "ethics_agreementversion")
    assert not reads_table(warm, "ethics_concern")
    assert not reads_table(warm, "ethics_changerequest")
    assert len(warm) < len(cold)


def test_a_concern_shows_on_the_panel_at_once(survivor_client, survivor, pairing):
    acknowledge_current(survivor)
    assert "Concerns you have raised" not in home_page(survivor_client)[0]
    concern_raise(user=survivor, pairing=pairing, category="other", text=CANARY)
    html = home_page(survivor_client)[0]
    assert "Concerns you have raised" in html
    assert CANARY not in html


def test_acknowledging_and_publishing_move_the_banner_at_once(
    survivor_client, survivor, coordinator, pairing
):
    assert "data-outstanding" in home_page(survivor_client)[0]
    acknowledge_current(survivor)
    assert "data-outstanding" not in home_page(survivor_client)[0]
    publish_new_version(coordinator, "survivor-expectations")
    assert "data-outstanding" in home_page(survivor_client)[0]


def test_a_paused_pairing_is_seen_at_once(supporter_client, supporter, pairing):
    acknowledge_current(supporter)
    assert f'data-pairing-actions="{pairing.pk}"' in home_page(supporter_client)[0]
    pairing_set_paused(pairing_id=pairing.pk, actor=supporter, paused=True)
    pairing.refresh_from_db()
    html = home_page(supporter_client)[0]
    # Still live (paused), and the page reflects the new state wherever it shows it.
    assert f'data-pairing-actions="{pairing.pk}"' in html
    # What the page showed was rendered after the pause, and is what is kept now.
    panel = html.split("data-ethics-panel", 1)[1].split("</div>", 1)[0]

    def not_again():
        raise AssertionError("the panel should be kept from the view above")

    assert panel in home_cache.kept_html(supporter, "supporter", not_again)  # the home's panels


def test_what_is_kept_holds_no_free_text(survivor, pairing):
    concern_raise(user=survivor, pairing=pairing, category="other", text=CANARY)
    kept = pickle.dumps(_panel(survivor))
    assert CANARY.encode() not in kept
