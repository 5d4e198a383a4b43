"""Safeguarding records outlive an account: concerns and safety flags raised about a pairing stay
for the coordinators when the survivor deletes their account, and name no one who left."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from ethics.care import services as care_services
from ethics.care.models import (
    ChangeKind,
    ChangeRequest,
    Concern,
    FlagAction,
    FlagStatus,
    SafetyFlag,
)
from matching.models import Pairing, SupportRequest
from peersupport.mydata.services import survivor_erase
from peersupport.people.models import Notification, User
from sessions.models import CheckIn
from tests.factories import PairingFactory, SurvivorFactory

pytestmark = pytest.mark.django_db

PSEUDONYM = "Juniper-Quill-safeguard"
EMAIL = "juniper.quill.safeguard@example.org"
LEFT = "a person who has left"


@pytest.fixture
def leaving(supporter, coordinator):
    """A survivor with a pairing, about which the supporter raised an open concern and a safety
    flag a coordinator closed, and the survivor raised a concern of their own."""
    survivor = SurvivorFactory(display_name=PSEUDONYM, email=EMAIL)
    pairing = PairingFactory(
        request__survivor=survivor,
        supporter=supporter,
        activated_at=timezone.now() - timedelta(days=3),
    )
    theirs = care_services.concern_raise(
        user=supporter, pairing=pairing, category="boundary", text="supporter's worry"
    )
    flag = care_services.safety_flag_raise(
        supporter=supporter, pairing=pairing, category="self", text="supporter's flag"
    )
    care_services.safety_flag_act(
        flag_id=flag.pk, coordinator=coordinator, kind="closed", note="we spoke to them"
    )
    own = care_services.concern_raise(
        user=survivor, pairing=pairing, category="judged", text="survivor's own words"
    )
    CheckIn.objects.create(pairing=pairing, due_at=timezone.now(), mood=3, note="a week")
    ChangeRequest.objects.create(
        pairing=pairing, requested_by=survivor, kind=ChangeKind.CHANGE, reason="not a fit"
    )
    return {"survivor": survivor, "pairing": pairing, "theirs": theirs, "flag": flag, "own": own}


def _no_trace(text: str) -> None:
    assert PSEUDONYM not in text
    assert EMAIL not in text


def test_safeguard_records_note_the_pairing_and_side_when_raised(leaving):
    pairing = leaving["pairing"]
    assert (leaving["theirs"].pairing_ref, leaving["theirs"].raiser_side) == (
        pairing.pk,
        "supporter",
    )
    assert (leaving["own"].pairing_ref, leaving["own"].raiser_side) == (pairing.pk, "survivor")
    assert (leaving["flag"].pairing_ref, leaving["flag"].raiser_side) == (pairing.pk, "supporter")


def test_safeguard_records_survive_the_survivor_deleting_their_account(leaving, supporter):
    survivor, pairing = leaving["survivor"], leaving["pairing"]
    survivor_erase(user=survivor)

    # The survivor's other data is gone.
    assert not User.objects.filter(pk=survivor.pk).exists()
    assert not Pairing.objects.filter(pk=pairing.pk).exists()
    assert not SupportRequest.objects.filter(survivor_id=survivor.pk).exists()
    assert not CheckIn.objects.filter(pairing_id=pairing.pk).exists()
    assert not ChangeRequest.objects.exists()

    # The supporter's open concern, the closed flag (with its actions) and the survivor's own
    # concern stay, pointing at nobody who left.
    theirs = Concern.objects.get(pk=leaving["theirs"].pk)
    assert (theirs.pairing_id, theirs.raised_by_id) == (None, supporter.pk)
    assert (theirs.status, theirs.text, theirs.pairing_ref) == (
        "open",
        "supporter's worry",
        pairing.pk,
    )
    flag = SafetyFlag.objects.get(pk=leaving["flag"].pk)
    assert (flag.pairing_id, flag.raised_by_id, flag.status) == (None, supporter.pk, "closed")
    assert [a.kind for a in FlagAction.objects.filter(flag=flag)] == ["closed"]
    own = Concern.objects.get(pk=leaving["own"].pk)
    assert (own.pairing_id, own.raised_by_id, own.raiser_side) == (None, None, "survivor")
    for row in (theirs, flag, own):
        for field in row._meta.concrete_fields:
            _no_trace(str(getattr(row, field.attname)))
            assert getattr(row, field.attname) != survivor.pk or field.name in ("id", "pairing_ref")


def test_safeguard_records_still_show_to_coordinators_with_no_trace_of_who_left(
    leaving, coordinator_client
):
    survivor_erase(user=leaving["survivor"])

    concerns = coordinator_client.get(reverse("team:concerns"))
    assert concerns.status_code == 200
    page = concerns.content.decode()
    assert f'data-concern="{leaving["theirs"].pk}"' in page
    assert f'data-concern="{leaving["own"].pk}"' in page
    assert f"raised by {LEFT}" in page
    _no_trace(page)

    theirs = coordinator_client.get(reverse("team:concern", args=[leaving["theirs"].pk]))
    assert theirs.status_code == 200
    page = theirs.content.decode()
    assert "supporter&#x27;s worry" in page
    assert "Alex (the peer supporter), about a pairing that has since ended" in page
    _no_trace(page)

    own = coordinator_client.get(reverse("team:concern", args=[leaving["own"].pk]))
    assert own.status_code == 200
    page = own.content.decode()
    assert f"the person seeking support, {LEFT}" in page
    _no_trace(page)

    flag = coordinator_client.get(reverse("team:flag", args=[leaving["flag"].pk]))
    assert flag.status_code == 200
    page = flag.content.decode()
    assert "we spoke to them" in page and "about a pairing that has since ended" in page
    _no_trace(page)

    for name in ("team:flags", "team:health", "home"):
        response = coordinator_client.get(reverse(name))
        assert response.status_code == 200
        _no_trace(response.content.decode())


def test_safeguard_records_left_behind_can_still_be_answered(
    leaving, supporter, supporter_client, coordinator, coordinator_client
):
    survivor_erase(user=leaving["survivor"])
    for pk in (leaving["theirs"].pk, leaving["own"].pk):
        response = coordinator_client.post(
            reverse("team:concern", args=[pk]), {"status": "resolved", "response": "done"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("team:concern", args=[pk])
        assert Concern.objects.get(pk=pk).status == "resolved"
    # The supporter hears about theirs; nobody is told about the one whose raiser left.
    assert Notification.objects.filter(user=supporter, kind="concern.updated").count() == 1

    # The supporter's own pages and home still work.
    for url in (
        reverse("home"),
        reverse("care:concerns"),
        reverse("care:concern", args=[leaving["theirs"].pk]),
        reverse("care:flags"),
        reverse("care:flag", args=[leaving["flag"].pk]),
    ):
        response = supporter_client.get(url)
        assert response.status_code == 200, url
        _no_trace(response.content.decode())


def test_safeguard_an_open_flag_still_holds_the_deletion_back(leaving, coordinator):
    flag = care_services.safety_flag_raise(
        supporter=leaving["pairing"].supporter,
        pairing=leaving["pairing"],
        category="others",
        text="another",
    )
    assert flag.status == FlagStatus.OPEN
    with pytest.raises(ValidationError, match="can't delete your account"):
        survivor_erase(user=leaving["survivor"])
    assert User.objects.filter(pk=leaving["survivor"].pk).exists()


@pytest.mark.django_db(transaction=True)
def test_safeguard_migration_notes_the_pairing_and_side_of_rows_already_there(seed_data):
    pairing = PairingFactory()
    concern = Concern.objects.create(
        pairing=pairing, raised_by=pairing.survivor, category="other", text="x"
    )
    flag = SafetyFlag.objects.create(
        pairing=pairing, raised_by=pairing.supporter, category="self", text="x"
    )
    # As rows made before the fields existed: nothing noted.
    Concern.objects.update(pairing_ref=None, raiser_side="")
    SafetyFlag.objects.update(pairing_ref=None, raiser_side="")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([("care", "0001_initial")])
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        MigrationExecutor(connection).migrate(latest)
    concern.refresh_from_db()
    flag.refresh_from_db()
    assert (concern.pairing_ref, concern.raiser_side) == (pairing.pk, "survivor")
    assert (flag.pairing_ref, flag.raiser_side) == (pairing.pk, "supporter")
