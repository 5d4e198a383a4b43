"""The coordinators' team: the queue with the matcher's suggestions and why nothing
fits, supporters, pairings at risk, the figures; coordinators only; fixed query counts."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ethics.care import home_cache
from ethics.care.models import ChangeKind, ChangeRequest, Concern, DebriefRequest, SafetyFlag
from matching import queue_cache
from matching.models import PairingState
from matching.supporters import supporter_capacity_set
from peersupport.coordination import figures as kept_figures
from peersupport.coordination.health import service_health
from peersupport.people.models import Language, SupporterStatus
from sessions.models import (
    ContactLapse,
    DeliveryChannel,
    DeliveryOutcome,
    ReminderDelivery,
    SessionMode,
    SessionStatus,
    SupportSession,
)
from tests.factories import PairingFactory, SupporterFactory, SupportRequestFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db

SECRET = "words only the person wrote k4t"


def _workspace_urls(pairing, profile):
    return [
        reverse("team:queue"),
        reverse("team:supporters"),
        reverse("team:supporter_action", kwargs={"pk": profile.pk}),
        reverse("team:at_risk"),
        reverse("team:pairing", kwargs={"pk": pairing.pk}),
        reverse("team:health"),
        reverse("team:health_csv"),
    ]


def test_only_coordinators_reach_the_workspace(survivor, supporter, coordinator):
    from django.test import Client

    client, coordinator_client = Client(), Client()
    coordinator_client.force_login(coordinator)
    pairing = PairingFactory(request__survivor=survivor, supporter=supporter)
    urls = _workspace_urls(pairing, supporter.supporter_profile)
    for user in (survivor, supporter):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.role, url)
            assert client.post(url, {"action": "pause"}).status_code == 404, (user.role, url)
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302, url  # to sign in
    for url in urls:
        if "people/" not in url or url.endswith("people/"):
            assert coordinator_client.get(url).status_code == 200, url
    supporter.supporter_profile.refresh_from_db()
    assert supporter.supporter_profile.status == SupporterStatus.APPROVED


def test_the_coordinators_home_is_the_queue(coordinator_client):
    waiting = SupportRequestFactory(survivor__display_name="Quillon")
    html = coordinator_client.get(reverse("home")).content.decode()
    assert "Quillon" in html
    assert f'data-request="{waiting.pk}"' in html
    assert reverse("team:applications") in html  # the existing links stay


def test_the_queue_is_ordered_by_waiting_time_with_suggestions_and_reasons(coordinator_client):
    now = timezone.now()
    newer = SupportRequestFactory(survivor__display_name="Newer", opened_at=now - timedelta(days=1))
    older = SupportRequestFactory(survivor__display_name="Older", opened_at=now - timedelta(days=9))
    helper = SupporterFactory(display_name="Morgan")
    acknowledge_current(helper)
    html = coordinator_client.get(reverse("team:queue")).content.decode()
    assert html.index(f'data-request="{older.pk}"') < html.index(f'data-request="{newer.pk}"')
    assert "waiting 9 days" in html
    assert "Morgan" in html
    assert "Same time zone" in html  # the reason for a score component
    assert "data-unfit" not in html


def test_the_queue_says_why_nobody_fits(coordinator_client):
    SupportRequestFactory(languages=Language.objects.filter(slug="fr"))
    for _ in range(2):
        acknowledge_current(SupporterFactory())  # English only
    html = coordinator_client.get(reverse("team:queue")).content.decode()
    assert "data-unfit" in html
    assert "No language in common: 2" in html
    assert "Of the 2 supporters with a place" in html


def test_the_queue_says_when_no_supporter_has_a_place(coordinator_client):
    SupportRequestFactory()
    html = coordinator_client.get(reverse("team:queue")).content.decode()
    assert "no approved supporter has a place left" in html


def test_the_queue_shows_a_pending_offer_instead_of_suggestions(coordinator_client):
    offer = PairingFactory(state="offered", activated_at=None, request__status="open")
    html = coordinator_client.get(reverse("team:queue")).content.decode()
    assert f'data-request="{offer.request_id}"' in html
    assert "data-pending" in html


def test_the_queue_filters(coordinator_client):
    french = SupportRequestFactory(languages=Language.objects.filter(slug="fr"))
    english = SupportRequestFactory()
    fr = Language.objects.get(slug="fr")
    html = coordinator_client.get(reverse("team:queue"), {"language": fr.pk}).content.decode()
    assert f'data-request="{french.pk}"' in html
    assert f'data-request="{english.pk}"' not in html
    html = coordinator_client.get(reverse("team:queue"), {"show": "pending"}).content.decode()
    assert "data-request=" not in html


def _count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def _nothing_kept() -> None:
    """Forget what earlier views kept (the queue's suggestions, the home panels, the figures)."""
    queue_cache.invalidate()
    home_cache.touch_everyone()
    kept_figures.forget()


def _fixed_queries(client, django_assert_num_queries, url, make, params=None):
    """The page costs the same number of queries with 10 rows as with 200 (each time with
    nothing kept from an earlier view: everything is worked out afresh)."""
    make(10)
    assert client.get(url, params or {}).status_code == 200  # the session's refresh is done
    _nothing_kept()
    at_ten = _count_queries(client, url, params)
    _nothing_kept()
    with django_assert_num_queries(at_ten):
        assert client.get(url, params or {}).status_code == 200
    make(190)
    _nothing_kept()
    with django_assert_num_queries(at_ten):
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response


def test_the_queue_costs_a_fixed_number_of_queries(coordinator_client, django_assert_num_queries):
    for _ in range(3):
        acknowledge_current(SupporterFactory())

    def make(n):
        for i in range(n):
            if i % 3 == 0:  # nobody speaks French: "why nothing fits"
                SupportRequestFactory(languages=Language.objects.filter(slug="fr"))
            elif i % 3 == 1:
                SupportRequestFactory()
            else:
                PairingFactory(state="proposed", activated_at=None, request__status="open")

    response = _fixed_queries(
        coordinator_client, django_assert_num_queries, reverse("team:queue"), make
    )
    assert response.content.decode().count("data-row") == 25


def test_pairings_at_risk_cost_a_fixed_number_of_queries(
    coordinator_client, django_assert_num_queries
):
    def make(n):
        for i in range(n):
            pairing = PairingFactory()
            if i % 2:
                Concern.objects.create(
                    pairing=pairing, raised_by=pairing.survivor, category="other", text=SECRET
                )
            else:
                ChangeRequest.objects.create(
                    pairing=pairing, kind=ChangeKind.CHANGE, requested_by=pairing.survivor
                )

    response = _fixed_queries(
        coordinator_client, django_assert_num_queries, reverse("team:at_risk"), make
    )
    html = response.content.decode()
    assert html.count("data-row") == 25
    assert SECRET not in html


def test_supporters_cost_a_fixed_number_of_queries(coordinator_client, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            supporter = SupporterFactory()
            PairingFactory(supporter=supporter)

    response = _fixed_queries(
        coordinator_client, django_assert_num_queries, reverse("team:supporters"), make
    )
    assert response.content.decode().count("data-row") == 25


def test_applications_cost_a_fixed_number_of_queries(coordinator_client, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            SupporterFactory(profile__status=SupporterStatus.APPLIED)
            DebriefRequest.objects.create(requested_by=SupporterFactory(), text=SECRET)

    response = _fixed_queries(
        coordinator_client,
        django_assert_num_queries,
        reverse("team:supporters"),
        make,
        {"status": "applied"},
    )
    html = response.content.decode()
    assert html.count("data-row") == 25
    assert SECRET not in html  # debriefs: who and when, never what


def test_safety_flags_come_first(coordinator_client):
    now = timezone.now()
    changed = PairingFactory(created_at=now - timedelta(days=30))
    ChangeRequest.objects.create(
        pairing=changed, kind=ChangeKind.HANDOVER, requested_by=changed.supporter
    )
    flagged = PairingFactory(created_at=now)
    SafetyFlag.objects.create(
        pairing=flagged, raised_by=flagged.supporter, category="self", text=SECRET
    )
    PairingFactory()  # nothing wrong: not listed
    html = coordinator_client.get(reverse("team:at_risk")).content.decode()
    assert html.count("data-row") == 2
    assert html.index(f'data-pairing="{flagged.pk}"') < html.index(f'data-pairing="{changed.pk}"')
    assert 'data-risk="handover"' in html
    assert SECRET not in html
    only = coordinator_client.get(reverse("team:at_risk"), {"show": "handover"})
    assert only.content.decode().count("data-row") == 1


def test_lapsed_contact_is_listed_until_contact_resumes(coordinator_client):
    now = timezone.now()
    pairing = PairingFactory(activated_at=now - timedelta(days=40))
    ContactLapse.objects.create(pairing=pairing, last_contact_at=now - timedelta(days=20))
    url = reverse("team:at_risk")
    assert 'data-risk="lapsed"' in coordinator_client.get(url).content.decode()
    SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=now - timedelta(days=1),
        mode=SessionMode.CHAT,
        status=SessionStatus.HELD,
    )
    assert 'data-risk="lapsed"' not in coordinator_client.get(url).content.decode()


def _act(client, profile, **data):
    return client.post(reverse("team:supporter_action", kwargs={"pk": profile.pk}), data)


def test_coordinator_approves_or_declines_with_a_reason(coordinator_client):
    first = SupporterFactory(profile__status=SupporterStatus.APPLIED).supporter_profile
    second = SupporterFactory(profile__status=SupporterStatus.APPLIED).supporter_profile
    _act(coordinator_client, first, action="approve")
    first.refresh_from_db()
    assert first.status == SupporterStatus.APPROVED
    _act(coordinator_client, second, action="decline")  # no reason: refused
    second.refresh_from_db()
    assert second.status == SupporterStatus.APPLIED
    _act(coordinator_client, second, action="decline", reason="Not the right time.")
    second.refresh_from_db()
    assert second.status == SupporterStatus.DECLINED
    assert second.decision_reason == "Not the right time."


def test_coordinator_pauses_and_resumes_a_supporter(coordinator_client, supporter):
    profile = supporter.supporter_profile
    offer = PairingFactory(
        supporter=supporter, state="offered", activated_at=None, request__status="open"
    )
    _act(coordinator_client, profile, action="pause")
    profile.refresh_from_db()
    offer.refresh_from_db()
    assert profile.status == SupporterStatus.PAUSED
    assert offer.state == PairingState.ENDED  # back to the queue
    html = coordinator_client.get(reverse("team:supporters"), {"status": "paused"})
    assert supporter.display_name in html.content.decode()
    _act(coordinator_client, profile, action="resume")
    profile.refresh_from_db()
    assert profile.status == SupporterStatus.APPROVED


def test_capacity_never_goes_below_the_places_taken(coordinator_client, coordinator, supporter):
    profile = supporter.supporter_profile
    PairingFactory(supporter=supporter)
    PairingFactory(supporter=supporter)
    response = _act(coordinator_client, profile, action="capacity", capacity=1)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.capacity == 2
    _act(coordinator_client, profile, action="capacity", capacity=4)
    profile.refresh_from_db()
    assert profile.capacity == 4
    html = coordinator_client.get(reverse("team:supporters")).content.decode()
    assert "2 / 4" in html


def test_lowering_capacity_takes_back_offers_that_no_longer_fit(coordinator, supporter):
    PairingFactory(supporter=supporter)
    offer = PairingFactory(
        supporter=supporter, state="offered", activated_at=None, request__status="open"
    )
    supporter_capacity_set(
        profile_id=supporter.supporter_profile.pk, coordinator=coordinator, capacity=1
    )
    offer.refresh_from_db()
    assert offer.state == PairingState.ENDED


def _figures(client) -> dict[tuple[str, str], str]:
    response = client.get(reverse("team:health_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "key", "value"]
    return {(section, key): value for section, key, value in rows[1:]}


def test_the_figures_count_without_content(coordinator_client):
    now = timezone.now()
    for days in (1, 2, 3, 4, 10):
        SupportRequestFactory(opened_at=now - timedelta(days=days))
    pairing = PairingFactory()
    PairingFactory(state="paused")
    SupportSession.objects.create(
        pairing=pairing,
        logged_by=pairing.supporter,
        starts_at=now - timedelta(hours=2),
        mode=SessionMode.CHAT,
        status=SessionStatus.HELD,
        private_notes=SECRET,
    )
    Concern.objects.create(
        pairing=pairing, raised_by=pairing.survivor, category="boundary", text=SECRET
    )
    ContactLapse.objects.create(pairing=pairing, last_contact_at=now - timedelta(days=20))
    from sessions.models import CheckIn, CheckInReminder

    checkin = CheckIn.objects.create(pairing=pairing, due_at=now - timedelta(days=1))
    reminder = CheckInReminder.objects.create(
        checkin=checkin,
        pairing=pairing,
        recipient=pairing.survivor,
        due_at=checkin.due_at,
        send_at=checkin.due_at,
    )
    ReminderDelivery.objects.create(
        reminder=reminder, channel=DeliveryChannel.EMAIL, outcome=DeliveryOutcome.FAILED
    )
    ReminderDelivery.objects.create(
        reminder=reminder, channel=DeliveryChannel.EMAIL, outcome=DeliveryOutcome.SENT
    )

    page = coordinator_client.get(reverse("team:health"))
    html = page.content.decode()
    assert SECRET not in html
    assert html.count("<svg") == 2
    # Charts drawn on the server: no chart script, nothing inline (the menu's own file only).
    scripts = re.findall(r"<script[^>]*>", html.split("<main")[-1])
    assert all('src="/static/js/' in tag and "chart" not in tag for tag in scripts), scripts
    figures = _figures(coordinator_client)
    assert figures[("requests", "open")] == "5"
    assert figures[("requests", "waiting_median_days")] == "3.0"
    assert float(figures[("requests", "waiting_p90_days")]) == pytest.approx(7.6, abs=0.05)
    # Counts from 1 to 4 show as "fewer than 5" (tests/coordination/test_figures_fewer.py);
    # the exact counts behind them are the figures' own.
    exact = service_health()
    assert dict((c, n) for c, _l, n in exact.pairings_by_state)["active"] == 1
    assert dict((c, n) for c, _l, n in exact.pairings_by_state)["paused"] == 1
    assert (exact.capacity_used, exact.reminders_sent, exact.reminders_failed) == (2, 1, 1)
    assert dict((c, n) for c, _l, n in exact.concerns_by_category)["boundary"] == 1
    assert sum(n for _w, n in exact.sessions_per_week) == 1
    assert sum(n for _w, n in exact.lapses_per_week) == 1
    for key in (
        ("pairings_by_state", "active"),
        ("capacity", "used"),
        ("reminders_30_days", "sent"),
    ):
        assert figures[key] == "fewer than 5"
    assert all(SECRET not in value for value in figures.values())


def test_debrief_requests_page_on_their_own(coordinator_client):
    supporter = SupporterFactory()
    for _ in range(30):
        DebriefRequest.objects.create(requested_by=supporter, text="private words")
    html = coordinator_client.get(reverse("team:supporters")).content.decode()
    assert "dpage=2" in html
    assert "private words" not in html
    second = coordinator_client.get(reverse("team:supporters") + "?dpage=2").content.decode()
    assert second.count("data-debrief") == 5


def test_the_capacity_figures_add_up_and_paused_supporters_are_apart(coordinator_client):
    approved = SupporterFactory()
    approved.supporter_profile.capacity = 3
    approved.supporter_profile.save()
    paused = SupporterFactory()
    paused.supporter_profile.capacity = 2
    paused.supporter_profile.status = SupporterStatus.PAUSED
    paused.supporter_profile.save()
    PairingFactory(supporter=approved)
    PairingFactory(supporter=approved, state="paused")
    PairingFactory(supporter=approved, state="offered", activated_at=None, request__status="open")
    PairingFactory(supporter=paused)  # a paused supporter still supports someone

    exact = service_health()
    assert exact.capacity_total == 3
    assert exact.capacity_used == 2
    assert exact.capacity_pending == 1
    assert exact.capacity_left == 0
    assert exact.paused_pairings == 1
    # What coordinators see and download: 1 to 4 as "fewer than 5", a zero as 0.
    figures = _figures(coordinator_client)
    assert figures[("capacity", "total")] == "fewer than 5"
    assert figures[("capacity", "left")] == "0"
    html = coordinator_client.get(reverse("team:health")).content.decode()
    assert '<div class="h3 mb-0" data-figure="capacity">fewer than 5 / fewer than 5</div>' in html
    assert '<span data-figure="paused_pairings">fewer than 5</span>' in html


def test_a_pairings_history_costs_a_fixed_number_of_queries(
    coordinator_client, coordinator, django_assert_num_queries
):
    from matching.models import EndReason, PairingTransition

    for _ in range(3):
        acknowledge_current(SupporterFactory())
    current = PairingFactory()
    survivor = current.survivor
    actors = [coordinator, survivor, None]

    def make(n):
        # n more transitions on the current pairing, and n // 2 earlier pairings of the same
        # person, each with its own transitions and a different supporter.
        for i in range(n):
            PairingTransition.objects.create(
                pairing=current,
                from_state="active",
                to_state="paused" if i % 2 == 0 else "active",
                actor=actors[i % 3],
                reason="paused" if i % 2 == 0 else "resumed",
            )
        for _ in range(n // 2):
            earlier = PairingFactory(
                request=SupportRequestFactory(survivor=survivor, status="closed"),
                state="ended",
                end_reason=EndReason.SURVIVOR_CHANGE,
                ended_at=timezone.now(),
            )
            for to_state in ("proposed", "offered", "awaiting_agreement", "active", "ended"):
                PairingTransition.objects.create(
                    pairing=earlier, to_state=to_state, actor=coordinator, reason="x"
                )

    response = _fixed_queries(
        coordinator_client,
        django_assert_num_queries,
        reverse("team:pairing", kwargs={"pk": current.pk}),
        make,
    )
    html = response.content.decode()
    assert html.count("data-history-pairing") == 1 + 5 + 95
    assert html.count("data-transition") == 200 + 100 * 5


def test_the_figures_cost_a_fixed_number_of_queries(coordinator_client, django_assert_num_queries):
    from ethics.care.models import ConcernCategory

    categories = [code for code, _label in ConcernCategory.choices]
    now = timezone.now()

    def make(n):
        for i in range(n):
            SupportRequestFactory(opened_at=now - timedelta(days=i % 20))
            pairing = PairingFactory(state="paused" if i % 4 == 0 else "active")
            SupportSession.objects.create(
                pairing=pairing,
                logged_by=pairing.supporter,
                starts_at=now - timedelta(days=i % 50),
                mode=SessionMode.CHAT,
                status=SessionStatus.HELD,
            )
            Concern.objects.create(
                pairing=pairing,
                raised_by=pairing.survivor,
                category=categories[i % len(categories)],
                text=SECRET,
            )
            ContactLapse.objects.create(
                pairing=pairing, last_contact_at=now - timedelta(days=20 + i % 30)
            )

    SupportRequestFactory()
    response = _fixed_queries(
        coordinator_client, django_assert_num_queries, reverse("team:health"), make
    )
    assert SECRET not in response.content.decode()
    figures = _figures(coordinator_client)
    assert figures[("requests", "open")] == str(1 + 200)
    assert figures[("pairings_by_state", "paused")] == str(3 + 48)


def test_the_queue_scores_only_the_pages_waiting_requests(coordinator_client, monkeypatch):
    from matching import runner

    acknowledge_current(SupporterFactory())
    for _ in range(30):
        SupportRequestFactory()
    PairingFactory(state="proposed", activated_at=None, request__status="open")
    loaded = []
    real = runner.load_instance

    def spy(**kwargs):
        instance = real(**kwargs)
        loaded.append(sorted(int(pk) for pk in instance.requests.ids))
        return instance

    monkeypatch.setattr(runner, "load_instance", spy)
    html = coordinator_client.get(reverse("team:queue")).content.decode()
    on_page = sorted(int(pk) for pk in re.findall(r'data-request="(\d+)"', html))
    assert len(on_page) == 25
    assert len(loaded) == 1
    assert loaded[0] == on_page  # the 6 requests on page 2 are not scored
    assert "data-suggestions" in html


def test_chart_labels_are_whole_and_only_week_dates_are_shortened():
    from peersupport.coordination import charts

    svg = charts.bar_chart(
        [("Awaiting agreement", 2), ("Active", 5), ("<b>", 1)], title="Pairings by state"
    )
    assert ">Awaiting</tspan>" in svg and ">agreement</tspan>" in svg
    assert ">Active</text>" in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert charts.week_label("2026-11-23") == "11-23"
    weeks = charts.bar_chart([(charts.week_label("2026-11-23"), 3)], title="Sessions")
    assert ">11-23</text>" in weeks


def test_debrief_requests_filter_by_status(coordinator_client):
    from ethics.care.models import DebriefStatus

    asker, volunteer = SupporterFactory(), SupporterFactory()
    waiting = DebriefRequest.objects.create(requested_by=asker, text="private words")
    picked = DebriefRequest.objects.create(
        requested_by=asker,
        text="private words",
        status=DebriefStatus.PICKED_UP,
        picked_up_by=volunteer,
    )
    closed = DebriefRequest.objects.create(
        requested_by=asker, text="private words", status=DebriefStatus.CLOSED
    )
    url = reverse("team:supporters")

    links = {
        name: reverse("team:debrief", kwargs={"pk": d.pk})
        for name, d in (("open", waiting), ("picked_up", picked), ("closed", closed))
    }

    def rows(params):
        html = coordinator_client.get(url, params).content.decode()
        assert "private words" not in html
        return {name for name, link in links.items() if f'href="{link}"' in html}

    assert rows({}) == {"open", "picked_up"}
    assert rows({"dshow": "open"}) == {"open"}
    assert rows({"dshow": "picked_up"}) == {"picked_up"}
    assert rows({"dshow": "closed"}) == {"closed"}
    assert rows({"dshow": "nonsense"}) == {"open", "picked_up"}


# -- one place, one navigation, one pairing page -------------------------------------------------


def _team_pages(pairing) -> dict[str, dict]:
    """Every coordinator page that answers a GET with HTML, with arguments for it."""
    from ethics.agreements.models import AgreementDocument, AgreementVersion

    concern = Concern.objects.create(
        pairing=pairing, raised_by=pairing.survivor, category="other", text=SECRET
    )
    flag = SafetyFlag.objects.create(
        pairing=pairing, raised_by=pairing.supporter, category="self", text=SECRET
    )
    debrief = DebriefRequest.objects.create(requested_by=pairing.supporter, text=SECRET)
    change = ChangeRequest.objects.create(
        pairing=pairing, kind=ChangeKind.CHANGE, requested_by=pairing.survivor
    )
    version = AgreementVersion.objects.published().first()
    applicant = SupporterFactory(profile__status=SupporterStatus.APPLIED)
    proposal = PairingFactory(state="proposed", activated_at=None, request__status="open")
    held = SupporterFactory(profile__status=SupporterStatus.SUSPENDED)
    return {
        "queue": {},
        "proposals": {},
        "at_risk": {},
        "pairing": {"pk": pairing.pk},
        "supporters": {},
        "applications": {},
        "application": {"pk": applicant.supporter_profile.pk},
        "debriefs": {},
        "debrief": {"pk": debrief.pk},
        "flags": {},
        "flag": {"pk": flag.pk},
        "concerns": {},
        "concern": {"pk": concern.pk},
        "changes": {},
        "change": {"pk": change.pk},
        "health": {},
        "audit": {},
        "vocabulary": {"kind": "areas"},
        "vocabulary_new": {"kind": "areas"},
        "vocabulary_edit": {"kind": "areas", "pk": Language.objects.first().pk},
        "agreements": {},
        "draft": {"pk": AgreementDocument.objects.first().pk},
        "version": {"pk": version.pk},
        "publish": {"pk": version.pk},
        "coordinator_new": {},
        # The pages to check before something ends, pauses, discards or declines.
        "pairing_pause": {"pk": pairing.pk},
        "pairing_finish": {"pk": pairing.pk},
        "proposal_discard": {"pk": proposal.pk},
        "application_decline": {"pk": applicant.supporter_profile.pk},
        "supporter_pause": {"pk": pairing.supporter.supporter_profile.pk},
        "supporter_suspend": {"pk": pairing.supporter.supporter_profile.pk},
        "supporter_retire": {"pk": pairing.supporter.supporter_profile.pk},
        "supporter_reinstate": {"pk": held.supporter_profile.pk},
    }


# The pages to check before acting: in no group of the menu.
CHECK_PAGES = {
    "pairing_pause",
    "pairing_finish",
    "proposal_discard",
    "application_decline",
    "supporter_pause",
    "supporter_suspend",
    "supporter_retire",
    "supporter_reinstate",
}

# Coordinator routes without a page of their own.
TEAM_NO_PAGE = {
    "run",
    "proposal_decide",
    "supporter_action",
    "health_csv",
    "pairing_check",
    "audit_csv",
}


def test_every_coordinator_page_carries_the_one_navigation_and_names_every_link(
    coordinator_client,
):
    from django.urls import get_resolver

    pages = _team_pages(PairingFactory())
    pages["vocabulary_edit"]["kind"] = "languages"
    team = get_resolver().namespace_dict["team"][1]
    routed = {name for name in team.reverse_dict if isinstance(name, str)}
    assert routed == set(pages) | TEAM_NO_PAGE  # a new coordinator page is listed here too
    for name, kwargs in pages.items():
        response = coordinator_client.get(reverse(f"team:{name}", kwargs=kwargs))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert html.count("data-team-nav") == 1, name
        nav = html[html.index("data-team-nav") : html.index("</nav>", html.index("data-team-nav"))]
        # Where the coordinator is (a page to check before acting belongs to no menu item).
        assert nav.count('aria-current="page"') == (0 if name in CHECK_PAGES else 1), name
        for link_text in re.findall(r"<a\b[^>]*>(.*?)</a>", html, re.S):
            assert re.sub(r"<[^>]+>", "", link_text).strip(), (name, link_text)
        assert SECRET not in html or name in ("flag", "concern", "debrief"), name


# The one menu's groups, in order, and the pages each names (URL names in `team`).
MENU_GROUPS = [
    ("Queue", ["queue", "proposals"]),
    ("Pairings", ["at_risk"]),
    ("Supporters", ["supporters", "applications", "debriefs"]),
    ("Concerns and flags", ["flags", "concerns", "changes"]),
    ("Figures", ["health", "audit"]),
    ("Settings", ["vocabulary", "agreements", "coordinator_new"]),
]


def test_the_coordinators_menu_is_one_grouped_menu_that_folds(coordinator_client):
    html = coordinator_client.get(reverse("team:supporters")).content.decode()
    start = html.index("data-team-nav")
    nav = html[start : html.index("</nav>", start)]
    # One disclosure: folded on a phone behind "Menu", always open from 768 px (site.css).
    assert nav.count("<details") == 1 and "data-team-menu" in nav
    assert re.search(r"<summary[^>]*>\s*Menu\s*</summary>", nav)
    headings = re.findall(r'<h2 class="team-menu-heading" id="([^"]+)">([^<]+)</h2>', nav)
    assert [text for _id, text in headings] == [group for group, _names in MENU_GROUPS]
    sections = re.split(r"<section\b", nav)[1:]
    assert len(sections) == len(MENU_GROUPS)
    for section, (group, names) in zip(sections, MENU_GROUPS, strict=True):
        labelled_by = re.search(r'aria-labelledby="([^"]+)"', section).group(1)
        assert dict(headings)[labelled_by] == group
        kwargs = {"vocabulary": {"kind": "areas"}}
        hrefs = re.findall(r'href="([^"]+)"', section)
        assert hrefs == [reverse(f"team:{n}", kwargs=kwargs.get(n)) for n in names], group
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav)
    assert current == ["Supporters and places"]


def test_the_old_tab_bars_are_gone(coordinator_client):
    html = coordinator_client.get(reverse("team:at_risk")).content.decode()
    assert 'aria-label="Workspace"' not in html
    assert 'aria-label="What needs a coordinator"' not in html


def test_old_addresses_take_a_coordinator_to_their_own_page(coordinator_client):
    pairing = PairingFactory()
    pages = _team_pages(pairing)
    moved = {
        reverse("matching:pairing", kwargs=pages["pairing"]): ("pairing", pages["pairing"]),
        reverse("matching:proposals"): ("proposals", {}),
        reverse("care:concerns"): ("concerns", {}),
        reverse("care:concern", kwargs=pages["concern"]): ("concern", pages["concern"]),
        reverse("care:flags"): ("flags", {}),
        reverse("care:flag", kwargs=pages["flag"]): ("flag", pages["flag"]),
        reverse("care:changes"): ("changes", {}),
        reverse("care:change", kwargs=pages["change"]): ("change", pages["change"]),
        reverse("care:debriefs"): ("debriefs", {}),
        reverse("care:debrief", kwargs=pages["debrief"]): ("debrief", pages["debrief"]),
        reverse("agreements:version", kwargs=pages["version"]): ("version", pages["version"]),
    }
    for old, (name, kwargs) in moved.items():
        response = coordinator_client.get(old)
        assert response.status_code == 302, old
        assert response["Location"] == reverse(f"team:{name}", kwargs=kwargs), old


def test_the_old_proposals_address_is_404_for_everyone_else(survivor_client, supporter_client):
    for client in (survivor_client, supporter_client):
        assert client.get(reverse("matching:proposals")).status_code == 404


def test_the_coordinators_pairing_page_shows_the_request_and_pauses_and_resumes(
    coordinator_client, coordinator
):
    pairing = PairingFactory()
    url = reverse("team:pairing", kwargs={"pk": pairing.pk})
    html = coordinator_client.get(url).content.decode()
    assert "What they asked for" in html and "data-state-actions" in html
    assert "data-reassign-form" in html or "data-unfit" in html
    assert "data-end-form" in html
    response = coordinator_client.post(url, {"action": "pause"})
    assert response.status_code == 302 and response["Location"] == url
    pairing.refresh_from_db()
    assert pairing.state == PairingState.PAUSED
    assert pairing.transitions.filter(to_state="paused", actor=coordinator).exists()
    coordinator_client.post(url, {"action": "resume"})
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE


def test_coordinators_change_a_pairing_only_from_their_own_page(coordinator_client):
    pairing = PairingFactory()
    response = coordinator_client.post(
        reverse("matching:pairing_action", kwargs={"pk": pairing.pk}), {"action": "pause"}
    )
    assert response.status_code == 404
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE
