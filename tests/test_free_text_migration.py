"""The data migrations that encrypt free text already stored: plain rows become tokens the
models read back, a token already there is left as it is (running again is safe), and
migrating backwards gives the plain text back."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from matching.models import PairingTransition
from peersupport.people.models import SupporterProfile
from peersupport.platform.crypto import decrypt, encrypt
from tests.factories import PairingFactory, SupporterFactory

PROFILE_FIELDS = ("motivation", "decision_reason", "pause_reason")
OURS = [("peersupport", "0005_free_text_encrypted"), ("matching", "0002_transition_note_encrypted")]
BEFORE = [("peersupport", "0004_outgoing_email"), ("matching", "0001_initial")]
MODULES = (
    "peersupport.people.migrations.0005_free_text_encrypted",
    "matching.migrations.0002_transition_note_encrypted",
)


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def _raw(table: str, column: str, pk: int) -> str:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def _profile_raw(profile, field: str) -> str:
    return _raw("peersupport_supporterprofile", field, profile.pk)


def _note_raw(pk: int) -> str:
    return _raw("matching_pairingtransition", "note", pk)


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of two, so a handful of rows crosses several of them."""
    for module in MODULES:
        monkeypatch.setattr(importlib.import_module(module), "BATCH", 2)


@pytest.mark.django_db(transaction=True)
def test_stored_free_text_is_encrypted_forwards_and_decrypted_backwards(seed_data, small_batches):
    profiles = [SupporterFactory().supporter_profile for _ in range(5)]
    pairing = PairingFactory()
    kept = PairingTransition.objects.create(
        pairing=pairing, to_state="active", note="written after the migration"
    )
    executor = _executor()
    latest = executor.loader.graph.leaf_nodes()
    try:
        # Backwards: the tokens written through the models become plain text again.
        executor.migrate(BEFORE)
        assert _note_raw(kept.pk) == "written after the migration"
        assert _profile_raw(profiles[0], "motivation") == "I would like to give back."

        # Rows as the code before stored them: plain text, and one value already a token.
        token = encrypt("already a token")
        with connection.cursor() as cursor:
            for number, profile in enumerate(profiles):
                cursor.execute(
                    "UPDATE peersupport_supporterprofile SET motivation = %s, "
                    "decision_reason = %s, pause_reason = %s WHERE id = %s",
                    [f"my own story {number}", f"declined {number}", "", profile.pk],
                )
            cursor.execute(
                "UPDATE peersupport_supporterprofile SET pause_reason = %s WHERE id = %s",
                [token, profiles[1].pk],
            )
            notes = []
            for number in range(5):
                cursor.execute(
                    "INSERT INTO matching_pairingtransition "
                    "(pairing_id, from_state, to_state, reason, note, at) "
                    "VALUES (%s, 'active', 'ended', 'declined', %s, %s) RETURNING id",
                    [pairing.pk, f"a reason {number}" if number else "", timezone.now()],
                )
                notes.append(cursor.fetchone()[0])

        # Forwards, as `manage.py migrate` does on a database from before.
        _executor().migrate(latest)
    finally:
        _executor().migrate(latest)

    for number, profile in enumerate(profiles):
        for field, text in (
            ("motivation", f"my own story {number}"),
            ("decision_reason", f"declined {number}"),
        ):
            raw = _profile_raw(profile, field)
            assert raw != text and decrypt(raw) == text
        assert _profile_raw(profile, "pause_reason") == ("" if number != 1 else token)
        profile = SupporterProfile.objects.get(pk=profile.pk)
        assert (profile.motivation, profile.decision_reason) == (
            f"my own story {number}",
            f"declined {number}",
        )
    assert SupporterProfile.objects.get(pk=profiles[1].pk).pause_reason == "already a token"
    assert _note_raw(notes[0]) == ""  # an empty note stays empty
    for number, pk in enumerate(notes[1:], start=1):
        raw = _note_raw(pk)
        assert raw != f"a reason {number}" and decrypt(raw) == f"a reason {number}"
        assert PairingTransition.objects.get(pk=pk).note == f"a reason {number}"
    assert PairingTransition.objects.get(pk=kept.pk).note == "written after the migration"


@pytest.mark.django_db(transaction=True)
def test_running_the_encryption_again_changes_nothing(seed_data):
    profile = SupporterFactory(profile__decision_reason="a reason").supporter_profile
    before = {field: _profile_raw(profile, field) for field in PROFILE_FIELDS}
    module = importlib.import_module(MODULES[0])
    state = _executor().loader.project_state(OURS[0])
    with connection.schema_editor() as editor:
        module.encrypt_rows(state.apps, editor)
    assert {field: _profile_raw(profile, field) for field in PROFILE_FIELDS} == before
