"""The coordinators' audit page (by person, pairing or date; paginated at a fixed number of
queries; a CSV), and the sensitive pages whose opening it records: each writes exactly one row
per view, with ids and codes only, never what anyone wrote."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ethics.care.models import Concern, SafetyFlag
from peersupport.coordination.views_audit import _safe
from peersupport.people.events import AuditAction
from peersupport.people.models import AuditEvent, SupporterStatus
from peersupport.people.services import audit_record
from tests.factories import (
    CoordinatorFactory,
    PairingFactory,
    SupporterProfileFactory,
    SurvivorFactory,
)
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db

SECRET = "words only the person wrote q7z"


def _new_rows(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=before).order_by("id"))


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _opened_once(client, url: str, action: AuditAction, *, actor, target=None) -> AuditEvent:
    client.get(url)  # sign-in bookkeeping first
    before = _last_id()
    response = client.get(url)
    assert response.status_code == 200, url
    rows = _new_rows(before)
    assert [row.action for row in rows] == [action], url
    row = rows[0]
    assert row.actor_id == actor.pk
    if target is not None:
        assert (row.target_type, row.target_id) == (target._meta.label_lower, target.pk)
    stored = str(AuditEvent.objects.filter(pk=row.pk).values().get())
    assert SECRET not in stored
    return row


# -- the reads that are recorded ---------------------------------------------------------------


def test_opening_a_pairing_page_writes_one_audit_row(coordinator_client, coordinator, pairing):
    url = reverse("team:pairing", kwargs={"pk": pairing.pk})
    _opened_once(
        coordinator_client, url, AuditAction.PAIRING_VIEWED, actor=coordinator, target=pairing
    )


def test_opening_a_concern_or_a_flag_writes_one_audit_row(coordinator_client, coordinator, pairing):
    concern = Concern.objects.create(
        pairing=pairing, raised_by=pairing.survivor, category="boundary", text=SECRET
    )
    flag = SafetyFlag.objects.create(
        pairing=pairing, raised_by=pairing.supporter, category="self", text=SECRET
    )
    _opened_once(
        coordinator_client,
        reverse("team:concern", kwargs={"pk": concern.pk}),
        AuditAction.CONCERN_VIEWED,
        actor=coordinator,
        target=concern,
    )
    _opened_once(
        coordinator_client,
        reverse("team:flag", kwargs={"pk": flag.pk}),
        AuditAction.FLAG_VIEWED,
        actor=coordinator,
        target=flag,
    )


def test_opening_an_application_writes_one_audit_row(coordinator_client, coordinator):
    profile = SupporterProfileFactory(status=SupporterStatus.APPLIED, motivation=SECRET)
    _opened_once(
        coordinator_client,
        reverse("team:application", kwargs={"pk": profile.pk}),
        AuditAction.APPLICATION_VIEWED,
        actor=coordinator,
        target=profile,
    )


def test_a_supporter_opening_an_offer_writes_one_audit_row_for_the_request(
    supporter_client, supporter
):
    acknowledge_current(supporter)
    offer = PairingFactory(
        supporter=supporter, state="offered", activated_at=None, request__status="open"
    )
    row = _opened_once(
        supporter_client,
        reverse("matching:offer", kwargs={"pk": offer.pk}),
        AuditAction.REQUEST_VIEWED,
        actor=supporter,
        target=offer.request,
    )
    assert row.data == {"pairing": offer.pk}


def test_downloads_write_one_audit_row_each(
    coordinator_client, coordinator, survivor_client, survivor
):
    _opened_once(
        survivor_client, reverse("mydata:download"), AuditAction.ACCOUNT_EXPORTED, actor=survivor
    )
    _opened_once(
        coordinator_client,
        reverse("team:health_csv"),
        AuditAction.FIGURES_EXPORTED,
        actor=coordinator,
    )
    _opened_once(
        coordinator_client, reverse("team:audit_csv"), AuditAction.AUDIT_EXPORTED, actor=coordinator
    )


def test_opening_the_audit_page_is_itself_audited(coordinator_client, coordinator, pairing):
    row = _opened_once(
        coordinator_client,
        reverse("team:audit") + f"?pairing={pairing.pk}",
        AuditAction.AUDIT_VIEWED,
        actor=coordinator,
    )
    assert row.data == {"person": None, "pairing": pairing.pk, "since": None, "until": None}


def test_a_post_that_redraws_the_pairing_page_writes_no_read_row(coordinator_client, pairing):
    before = _last_id()
    coordinator_client.post(
        reverse("team:pairing", kwargs={"pk": pairing.pk}), {"action": "end", "end-reason": ""}
    )
    assert AuditAction.PAIRING_VIEWED not in [row.action for row in _new_rows(before)]


# -- the page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["team:audit", "team:audit_csv"])
def test_the_audit_page_is_404_for_anyone_but_a_coordinator(
    name, client, survivor_client, supporter_client
):
    url = reverse(name)
    assert survivor_client.get(url).status_code == 404
    assert supporter_client.get(url).status_code == 404
    assert client.get(url).status_code == 302  # to sign in
    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.AUDIT_VIEWED, AuditAction.AUDIT_EXPORTED]
    ).exists()


def test_the_audit_page_filters_by_person_pairing_and_date(coordinator_client, coordinator):
    survivor = SurvivorFactory(email="someone@example.org")
    other = CoordinatorFactory()
    pairing = PairingFactory(request__survivor=survivor)
    mine = audit_record(actor=survivor, action=AuditAction.ACCOUNT_EXPORTED, target=survivor)
    viewed = audit_record(actor=other, action=AuditAction.PAIRING_VIEWED, target=pairing)
    raised = audit_record(actor=other, action=AuditAction.CONCERN_VIEWED, pairing=pairing.pk)
    unrelated = audit_record(actor=other, action=AuditAction.MATCHING_RUN)

    def shown(query: str) -> set[int]:
        page = coordinator_client.get(reverse("team:audit") + query).context["page"]
        return {event.pk for event in page}

    by_email = shown("?person=SOMEONE@example.org")
    assert mine.pk in by_email and unrelated.pk not in by_email
    assert shown(f"?person={other.pk}") >= {viewed.pk, raised.pk, unrelated.pk}
    assert mine.pk not in shown(f"?person={other.pk}")
    by_pairing = shown(f"?pairing={pairing.pk}")
    assert {viewed.pk, raised.pk} <= by_pairing and unrelated.pk not in by_pairing
    today = timezone.localdate()
    assert unrelated.pk in shown(f"?since={today}&until={today}")
    assert not shown(f"?until={today - timedelta(days=1)}") & {unrelated.pk, mine.pk}
    html = coordinator_client.get(reverse("team:audit") + "?person=nobody@example.org")
    assert "No account has that email address." in html.content.decode()


def test_the_audit_page_costs_a_fixed_number_of_queries(coordinator_client):
    people = [SurvivorFactory() for _ in range(3)]

    def make(n):
        for i in range(n):
            person = people[i % 3]
            audit_record(actor=person, action=AuditAction.PROFILE_UPDATED, target=person)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert coordinator_client.get(reverse("team:audit")).status_code == 200
        return len(queries.captured_queries)

    make(5)
    coordinator_client.get(reverse("team:audit"))
    few = count()
    make(120)
    response_count = count()
    assert response_count == few
    page = coordinator_client.get(reverse("team:audit")).context["page"]
    assert len(page.object_list) == 50 and page.paginator.num_pages >= 3


def test_the_audit_csv_has_ids_and_codes_under_a_neutral_name(coordinator_client, pairing):
    audit_record(actor=pairing.survivor, action=AuditAction.REQUEST_UPDATED, target=pairing.request)
    response = coordinator_client.get(reverse("team:audit_csv"))
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="activity-') and "audit" not in disposition
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["id", "when_utc", "actor_id", "actor_role", "action"]
    updated = next(row for row in rows[1:] if row[4] == AuditAction.REQUEST_UPDATED)
    assert updated[2] == str(pairing.survivor.pk)
    assert updated[3] == "survivor"
    assert updated[5] == "Request changed"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(
    ("cell", "written"),
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("-3", "'-3"), ("+1", "'+1"), ("@x", "'@x"), ("7", "7")],
)
def test_audit_csv_cells_never_start_a_formula(cell, written):
    assert _safe(cell) == written
    assert _safe(None) == ""


def test_the_coordinator_menu_links_the_audit_page(coordinator_client):
    html = coordinator_client.get(reverse("team:queue")).content.decode()
    assert f'href="{reverse("team:audit")}"' in html
