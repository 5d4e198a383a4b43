"""The unread badge in every page's menu: kept in the cache between writes, and right at once
after each write that changes it (a notice, marking them read, a batch of reminders)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peersupport.people.events import NotificationKind
from peersupport.people.models import Notification
from peersupport.people.notifications import notify, unread_changed, unread_count
from sessions import reminders
from tests.sessions.conftest import due_schedule, materialise

pytestmark = pytest.mark.django_db

BADGE = re.compile(r'<span class="badge text-bg-primary" data-unread>(\d+)</span>')


def _badge(client) -> tuple[int, list[dict]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("profile"))
    assert response.status_code == 200
    found = BADGE.search(response.content.decode())
    return (int(found[1]) if found else 0), captured.captured_queries


def _counts_notices(queries) -> bool:
    return any('FROM "peersupport_notification"' in q["sql"] for q in queries)


def _notice(user) -> None:
    notify(user=user, kind=NotificationKind.ACCOUNT_STANDING, text="Something new", email=False)


def test_the_badge_is_kept_between_views_and_moves_with_each_notice(survivor_client, survivor):
    _badge(survivor_client)  # the session's refresh
    assert _badge(survivor_client)[0] == 0
    _notice(survivor)
    count, queries = _badge(survivor_client)
    assert count == 1 and _counts_notices(queries)
    count, queries = _badge(survivor_client)
    assert count == 1 and not _counts_notices(queries)  # kept
    _notice(survivor)
    assert _badge(survivor_client)[0] == 2


def test_marking_them_read_clears_the_badge_at_once(survivor_client, survivor):
    _notice(survivor)
    assert _badge(survivor_client)[0] == 1
    survivor_client.post(reverse("inbox"))
    assert _badge(survivor_client)[0] == 0


def test_a_write_that_moves_no_number_shows_only_once_it_is_moved(survivor, supporter):
    """What the number is for: without unread_changed a kept count would stay (the reminders
    and notify() call it; this is why they must)."""
    assert unread_count(survivor) == 0
    Notification.objects.create(user=survivor, kind=NotificationKind.ACCOUNT_STANDING, text="x")
    assert unread_count(survivor) == 0  # kept
    unread_changed(survivor.pk, supporter.pk)
    assert unread_count(survivor) == 1
    assert unread_count(supporter) == 0


def test_each_person_has_their_own_count(survivor, supporter):
    _notice(survivor)
    assert (unread_count(survivor), unread_count(supporter)) == (1, 0)


def test_a_batch_of_reminders_moves_the_count_of_each_person_reminded(pairing):
    survivor, supporter = pairing.survivor, pairing.supporter
    assert (unread_count(survivor), unread_count(supporter)) == (0, 0)  # kept at 0
    due_schedule(pairing)
    materialise()
    assert reminders.reminders_deliver_batch(now=timezone.now()).sent >= 1
    assert (unread_count(survivor), unread_count(supporter)) == (1, 1)


def _cache_calls(monkeypatch) -> list[str]:
    """The cache's reads and writes from here on, by name (each is one round trip to Redis)."""
    calls: list[str] = []
    for name in ("get", "get_many", "set", "add", "incr", "set_many", "delete"):
        method = getattr(cache, name)

        def counted(*args, _name=name, _method=method, **kwargs):
            calls.append(_name)
            return _method(*args, **kwargs)

        monkeypatch.setattr(cache, name, counted)
    return calls


def test_a_kept_page_reads_its_html_and_the_badge_in_one_round_trip(
    supporter_client, supporter, pairing, monkeypatch
):
    url = reverse("matching:pairing", args=[pairing.pk])
    supporter_client.get(url)  # the session's refresh; the page and the badge kept
    supporter_client.get(url)
    calls = _cache_calls(monkeypatch)
    assert BADGE.search(supporter_client.get(url).content.decode()) is None
    assert calls == ["get_many"]
    # A notice in between: the badge read along is current, and the next page reads afresh.
    _notice(supporter)
    calls.clear()
    assert BADGE.search(supporter_client.get(url).content.decode())[1] == "1"
    assert BADGE.search(supporter_client.get(reverse("profile")).content.decode())[1] == "1"
