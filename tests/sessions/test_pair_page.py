"""A pair's sessions page (peer_sessions:pairing, selectors.pair_overview): what each of the two
sees, the past sessions a page at a time, the latest check-ins, a fixed number of queries
whatever the numbers of rows, and nobody's words kept anywhere."""

from __future__ import annotations

import pickle
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peersupport.people import shown
from peersupport.platform import crypto
from sessions.models import CheckIn, CheckInSchedule, SessionStatus, SupportSession
from sessions.reminders import reminders_materialise_chunk, reminders_sweep
from sessions.selectors import OVERVIEW_CHECKINS, PAST_PER_PAGE, pair_overview
from tests.helpers import kept_keys

pytestmark = pytest.mark.django_db

CANARY = "checkin-words-canary-z4k"


def _url(pairing, page=None) -> str:
    url = reverse("peer_sessions:pairing", kwargs={"pk": pairing.pk})
    return url if page is None else f"{url}?page={page}"


def _page(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def _past(pairing, count: int, *, start_days: int = 1, logged_by=None) -> list[SupportSession]:
    """`count` held sessions, a day apart, the newest `start_days` ago (newest first)."""
    now = timezone.now()
    return [
        SupportSession.objects.create(
            pairing=pairing,
            logged_by=logged_by or pairing.supporter,
            starts_at=now - timedelta(days=start_days + n),
            duration_minutes=45,
            mode="phone",
            status=SessionStatus.HELD,
            wellbeing=4,
            private_notes=f"private words {n} q57",
        )
        for n in range(count)
    ]


def _upcoming(pairing, count: int) -> list[SupportSession]:
    now = timezone.now()
    return [
        SupportSession.objects.create(
            pairing=pairing,
            logged_by=pairing.supporter,
            starts_at=now + timedelta(days=2 + n),
            duration_minutes=50,
            mode="video",
            status=SessionStatus.SCHEDULED,
        )
        for n in range(count)
    ]


def _checkins(pairing, count: int, *, answered: bool = True) -> list[CheckIn]:
    """`count` check-ins a week apart, the newest due yesterday (newest first)."""
    now = timezone.now()
    return [
        CheckIn.objects.create(
            pairing=pairing,
            due_at=now - timedelta(days=1 + 7 * n),
            mood=2 if answered else None,
            wants_session="yes" if answered else "",
            note=f"{CANARY} {n}" if answered else "",
            answered_at=now - timedelta(days=7 * n) if answered else None,
        )
        for n in range(count)
    ]


def _session_links(html: str) -> list[int]:
    """The sessions linked from the page, in the order shown."""
    return [int(pk) for pk in re.findall(r'href="/[^"]*?/(\d+)/"', _section(html, "past-h"))]


def _section(html: str, heading_id: str) -> str:
    return html.split(f'aria-labelledby="{heading_id}"', 1)[1].split("</section>", 1)[0]


def test_the_query_count_stays_the_same_whatever_the_numbers_of_rows(
    supporter_client, survivor_client, pairing
):
    CheckInSchedule.objects.create(
        pairing=pairing,
        next_due_at=timezone.now() + timedelta(days=3),
        quiet_start="22:00",
        quiet_end="07:00",
    )
    _past(pairing, 1)
    _upcoming(pairing, 1)
    _checkins(pairing, 1)
    for client in (supporter_client, survivor_client):
        _page(client, _url(pairing))  # the session's refresh, the unread badge kept

    def fresh(client, url) -> int:
        """The queries of a view that works the page out afresh (nothing kept)."""
        shown.touch(pairing.survivor_id)
        return _page(client, url)[1]

    small = {client: fresh(client, _url(pairing)) for client in (supporter_client, survivor_client)}
    _past(pairing, 3 * PAST_PER_PAGE + 4, start_days=40)
    _upcoming(pairing, 6)
    _checkins(pairing, OVERVIEW_CHECKINS + 5, answered=False)
    for client, count in small.items():
        assert fresh(client, _url(pairing)) == count
        assert fresh(client, _url(pairing, 3)) == count


def test_a_second_view_is_kept_and_a_write_shows_at_once(supporter_client, pairing):
    _past(pairing, 2)
    _checkins(pairing, 1)
    first, fresh_queries = _page(supporter_client, _url(pairing))
    again, kept_queries = _page(supporter_client, _url(pairing))
    for heading in ("checkin-h", "upcoming-h", "past-h"):
        assert _section(again, heading) == _section(first, heading)
    # Kept: the session, the person, their standing and may they see this pairing.
    assert kept_queries == 4 < fresh_queries
    # A session logged, a check-in answered: on the next view, without waiting.
    session = _past(pairing, 1, start_days=0)[0]
    checkin = CheckIn.objects.create(
        pairing=pairing,
        due_at=timezone.now() - timedelta(minutes=5),
        mood=4,
        wants_session="no",
        note="later words x81",
        answered_at=timezone.now(),
    )
    html = _page(supporter_client, _url(pairing))[0]
    assert reverse("peer_sessions:session", kwargs={"pk": session.pk}) in html
    assert f'data-checkin="{checkin.pk}"' in html and "later words x81" in html
    # The kept page holds the survivor's words only sealed.
    for key in kept_keys(f"care:home:sessions:{pairing.pk}:*"):
        assert b"later words" not in pickle.dumps(cache.get(key)), key


def test_the_kept_page_lasts_until_the_clock_changes_it(supporter, pairing):
    now = timezone.now()
    soon = SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=now + timedelta(minutes=20),
        duration_minutes=50,
        mode="video",
        status=SessionStatus.SCHEDULED,
    )
    assert pair_overview(pairing, supporter, now=now).changes_at == soon.starts_at
    CheckInSchedule.objects.create(
        pairing=pairing,
        next_due_at=now + timedelta(minutes=5),
        quiet_start="22:00",
        quiet_end="07:00",
    )
    assert pair_overview(pairing, supporter, now=now).changes_at == now + timedelta(minutes=5)


def test_a_page_number_nobody_could_need_is_shown_but_never_kept(supporter_client, pairing):
    _past(pairing, PAST_PER_PAGE + 1)
    html = _page(supporter_client, _url(pairing, 10**9))[0]
    assert "2 / 2" in html
    assert not kept_keys(f"care:home:sessions:{pairing.pk}:{10**9}:*")
    _page(supporter_client, _url(pairing, 2))
    assert kept_keys(f"care:home:sessions:{pairing.pk}:2:*")


def test_past_sessions_come_a_page_at_a_time_newest_first(supporter_client, pairing):
    sessions = _past(pairing, 2 * PAST_PER_PAGE + 5)
    upcoming = _upcoming(pairing, 2)
    first = _page(supporter_client, _url(pairing))[0]
    assert _session_links(first) == [s.pk for s in sessions[:PAST_PER_PAGE]]
    assert "1 / 3" in first and 'href="?page=2"' in first
    last = _page(supporter_client, _url(pairing, 3))[0]
    assert _session_links(last) == [s.pk for s in sessions[2 * PAST_PER_PAGE :]]
    assert "3 / 3" in last and 'href="?page=2"' in last
    # What is coming up is on every page, soonest first.
    for html in (first, last):
        shown = re.findall(r'href="/[^"]*?/(\d+)/"', _section(html, "upcoming-h"))
        assert [int(pk) for pk in shown] == [s.pk for s in upcoming]
    # A page that is not a number is the first; one past the end, the last.
    assert _session_links(_page(supporter_client, _url(pairing, "x"))[0]) == _session_links(first)
    assert _session_links(_page(supporter_client, _url(pairing, 99))[0]) == _session_links(last)


def test_one_page_of_past_sessions_shows_no_page_links(supporter_client, pairing):
    _past(pairing, PAST_PER_PAGE)
    html = _page(supporter_client, _url(pairing))[0]
    assert len(_session_links(html)) == PAST_PER_PAGE
    assert 'aria-label="Pages"' not in html


def test_each_past_session_shows_its_words_and_the_supporters_own_notes_link(
    supporter_client, survivor_client, pairing, survivor
):
    mine, theirs = _past(pairing, 1)[0], _past(pairing, 1, start_days=3, logged_by=survivor)[0]
    html = _page(supporter_client, _url(pairing))[0]
    past = _section(html, "past-h")
    for words in ("Phone", "Held", ">45<", "Good", 'data-label="Wellbeing shared"'):
        assert words in past
    assert reverse("peer_sessions:session_notes", kwargs={"pk": mine.pk}) in past
    assert reverse("peer_sessions:session_notes", kwargs={"pk": theirs.pk}) not in past
    assert "q57" not in html
    # Each notes link says which session it is for (a screen reader lists links by their words).
    notes_link = past.split(reverse("peer_sessions:session_notes", kwargs={"pk": mine.pk}))[1]
    assert '<span class="visually-hidden"> (' in notes_link.split("</a>")[0]
    # The survivor: the same sessions, without the wellbeing column or anyone's notes.
    survivor_past = _section(_page(survivor_client, _url(pairing))[0], "past-h")
    assert reverse("peer_sessions:session", kwargs={"pk": mine.pk}) in survivor_past
    assert "Wellbeing shared" not in survivor_past
    assert "/notes/" not in survivor_past


def test_coming_up_shows_the_length_and_a_request_for_another_time(supporter_client, pairing):
    session = _upcoming(pairing, 1)[0]
    session.reschedule_requested_at = timezone.now()
    session.save(update_fields=["reschedule_requested_at"])
    coming = _section(_page(supporter_client, _url(pairing))[0], "upcoming-h")
    assert "Video · 50 minutes" in coming
    assert "Asked for another time" in coming


def test_the_latest_check_ins_show_their_answers_and_an_answer_link_for_the_survivor(
    supporter_client, survivor_client, pairing
):
    answered = _checkins(pairing, OVERVIEW_CHECKINS + 3)
    waiting = CheckIn.objects.create(pairing=pairing, due_at=timezone.now() - timedelta(hours=1))
    html = _page(supporter_client, _url(pairing))[0]
    shown = [int(pk) for pk in re.findall(r'data-checkin="(\d+)"', html)]
    assert shown == [waiting.pk] + [c.pk for c in answered[: OVERVIEW_CHECKINS - 1]]
    assert f"<q>{CANARY} 0</q>" in html
    assert "Low · Yes, I would like a session" in html
    answer = reverse("peer_sessions:checkin", kwargs={"pk": waiting.pk})
    assert "Not answered yet" in html and answer not in html
    survivor_html = _page(survivor_client, _url(pairing))[0]
    assert f'href="{answer}"' in survivor_html


def test_the_schedule_shows_its_interval_and_next_time(supporter_client, pairing):
    assert "Weekly, until you choose other times." in _page(supporter_client, _url(pairing))[0]
    CheckInSchedule.objects.create(
        pairing=pairing,
        interval_days=14,
        next_due_at=timezone.now() + timedelta(days=3),
        quiet_start="22:00",
        quiet_end="07:00",
        active=False,
    )
    html = _section(_page(supporter_client, _url(pairing))[0], "checkin-h")
    assert "Every 14 days. Next: " in html
    assert "Reminders are off." in html


def test_nothing_anyone_wrote_is_kept_in_the_cache(supporter_client, pairing):
    # (Ids come round again on SQLite: what an earlier test kept for this pk goes first.)
    cache.delete_many(kept_keys(f"care:home:sessions:{pairing.pk}:*"))
    _checkins(pairing, 3)
    _past(pairing, 3)
    html = _page(supporter_client, _url(pairing))[0]
    assert CANARY in html
    for key in kept_keys():
        assert CANARY.encode() not in pickle.dumps(cache.get(key)), key
        # (Words with a space: a sealed entry is base64, where three letters may turn up.)
        assert b"private words" not in pickle.dumps(cache.get(key)), key
    # The page is kept, sealed: the check-in's words are in it only under the notes' key.
    (sealed,) = [cache.get(key) for key in kept_keys(f"care:home:sessions:{pairing.pk}:*")]
    assert CANARY in crypto.decrypt(sealed[1])


def test_a_check_in_the_reminder_job_makes_shows_at_once(supporter_client, pairing):
    CheckInSchedule.objects.create(
        pairing=pairing,
        next_due_at=timezone.now() - timedelta(minutes=1),
        quiet_start="22:00",
        quiet_end="07:00",
    )
    assert "data-checkin=" not in _page(supporter_client, _url(pairing))[0]
    # Bulk writes, without signals: the job moves the pair's numbers itself.
    assert reminders_materialise_chunk().checkins == 1
    (checkin,) = CheckIn.objects.filter(pairing=pairing)
    assert f'data-checkin="{checkin.pk}"' in _page(supporter_client, _url(pairing))[0]


def test_a_schedule_the_sweep_makes_shows_at_once(supporter_client, pairing):
    assert "Weekly, until you choose other times." in _page(supporter_client, _url(pairing))[0]
    # Bulk-made, without signals: the sweep moves the pair's numbers itself.
    assert reminders_sweep().schedules_created == 1
    html = _section(_page(supporter_client, _url(pairing))[0], "checkin-h")
    assert "Every 7 days. Next: " in html


def test_odd_page_numbers_show_the_first_page(supporter_client, pairing):
    _past(pairing, 2)
    for page in ("²", "-1", "0", "1e3", "%20"):
        assert "data-past" in _page(supporter_client, _url(pairing, page))[0], page


def test_an_id_past_what_a_database_holds_is_404(supporter_client, survivor_client):
    for client in (supporter_client, survivor_client):
        for name in ("peer_sessions:pairing", "matching:pairing"):
            url = reverse(name, kwargs={"pk": 10**20})
            assert client.get(url).status_code == 404, (name, url)
