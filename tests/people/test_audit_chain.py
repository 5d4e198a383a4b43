"""The audit trail is one append-only hash chain: the database (PostgreSQL) and the model refuse
to change or delete a row, audit_verify finds a tampered row, concurrent appends keep one chain,
a deleted person's identity goes from the trail while the chain still verifies, and pruning from
the oldest end behind a checkpoint keeps it verifiable."""

from __future__ import annotations

import json
import time

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from peersupport.people import audit, audit_hash
from peersupport.people.events import AuditAction
from peersupport.people.models import AuditAppendOnly, AuditEvent
from peersupport.people.services import audit_record
from tests.factories import CoordinatorFactory, SurvivorFactory
from tests.helpers import race


def _verify_line(capsys) -> dict:
    try:
        call_command("audit_verify")
    except SystemExit as stop:  # a broken chain exits 1 after printing its line
        assert stop.code == 1
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _some_rows(n: int = 5) -> list[AuditEvent]:
    coordinator = CoordinatorFactory()
    survivor = SurvivorFactory()
    rows = []
    for i in range(n):
        rows.append(
            audit_record(
                actor=coordinator if i % 2 else None,
                action=AuditAction.PAIRING_VIEWED,
                target=survivor,
                count=i,
            )
        )
    return rows


# -- the chain, on any database ---------------------------------------------------------------


@pytest.mark.django_db
def test_audit_rows_chain_and_audit_verify_prints_one_json_line(capsys):
    rows = _some_rows()
    assert rows[0].prev_hash in (
        audit_hash.GENESIS,
        *AuditEvent.objects.values_list("hash", flat=True),
    )
    for earlier, later in zip(rows, rows[1:], strict=False):
        assert later.prev_hash == earlier.hash
    line = _verify_line(capsys)
    assert line == {"events": AuditEvent.objects.count(), "ok": True, "first_bad_id": None}


@pytest.mark.django_db
def test_the_audit_model_refuses_to_change_or_delete_a_row():
    row = _some_rows(1)[0]
    with pytest.raises(AuditAppendOnly):
        row.save()
    with pytest.raises(AuditAppendOnly):
        row.delete()
    with pytest.raises(AuditAppendOnly):
        AuditEvent.objects.filter(pk=row.pk).update(action=AuditAction.MATCHING_RUN)
    with pytest.raises(AuditAppendOnly):
        AuditEvent.objects.filter(pk=row.pk).delete()
    with pytest.raises(AuditAppendOnly):
        AuditEvent.objects.bulk_create([AuditEvent(action=AuditAction.MATCHING_RUN)])
    with pytest.raises(AuditAppendOnly):
        AuditEvent(action=AuditAction.MATCHING_RUN).save()  # not through audit_record


@pytest.mark.django_db
def test_audit_data_holds_ids_counts_and_codes_never_sentences():
    coordinator = CoordinatorFactory()
    with pytest.raises(ValueError):
        audit_record(actor=coordinator, action=AuditAction.MATCHING_RUN, note="I felt unsafe")
    with pytest.raises(ValueError):
        audit_record(actor=coordinator, action=AuditAction.MATCHING_RUN, items=["a"])
    row = audit_record(
        actor=coordinator, action=AuditAction.MATCHING_RUN, n=3, ok=True, reason="coordinator_ended"
    )
    assert row.data == {"n": 3, "ok": True, "reason": "coordinator_ended"}


# -- PostgreSQL: the trigger, tampering, concurrency -----------------------------------------


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_audit_update_and_delete_are_refused_by_the_database(postgres):
    row = _some_rows(2)[1]  # a coordinator's
    assert row.actor_id is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(
            "UPDATE peersupport_auditevent SET action = %s WHERE id = %s", ["matching.run", row.pk]
        )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(
            "UPDATE peersupport_auditevent SET actor_id = NULL, actor_salt = NULL WHERE id = %s",
            [row.pk],
        )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM peersupport_auditevent WHERE id = %s", [row.pk])
    assert AuditEvent.objects.filter(pk=row.pk, action=AuditAction.PAIRING_VIEWED).exists()


def test_a_tampered_audit_row_is_found_by_audit_verify(postgres, capsys):
    rows = _some_rows(6)
    assert _verify_line(capsys)["ok"] is True
    # Tampering needs the trigger out of the way: only the table's owner can do that.
    _raw("ALTER TABLE peersupport_auditevent DISABLE TRIGGER peersupport_audit_append_only")
    try:
        _raw(
            "UPDATE peersupport_auditevent SET data = %s::jsonb WHERE id = %s",
            ['{"count": 99}', rows[3].pk],
        )
        line = _verify_line(capsys)
        assert line == {
            "events": AuditEvent.objects.count(),
            "ok": False,
            "first_bad_id": rows[3].pk,
        }
        # A row taken out of the middle breaks the link of the one after it.
        _raw("DELETE FROM peersupport_auditevent WHERE id = %s", [rows[3].pk])
        assert _verify_line(capsys)["first_bad_id"] == rows[4].pk
    finally:
        _raw("ALTER TABLE peersupport_auditevent ENABLE TRIGGER peersupport_audit_append_only")


def test_an_audit_actor_swapped_for_another_person_is_found(postgres, capsys):
    rows = _some_rows(3)
    someone_else = CoordinatorFactory()
    _raw("ALTER TABLE peersupport_auditevent DISABLE TRIGGER peersupport_audit_append_only")
    try:
        _raw(
            "UPDATE peersupport_auditevent SET actor_id = %s WHERE id = %s",
            [someone_else.pk, rows[1].pk],
        )
        assert _verify_line(capsys)["first_bad_id"] == rows[1].pk
    finally:
        _raw("ALTER TABLE peersupport_auditevent ENABLE TRIGGER peersupport_audit_append_only")


@pytest.mark.django_db(transaction=True)
def test_concurrent_audit_appends_keep_one_chain(postgres, capsys):
    coordinator = CoordinatorFactory()

    def append_slowly():
        for i in range(5):
            with transaction.atomic():
                audit_record(actor=coordinator, action=AuditAction.PAIRING_VIEWED, n=i)
                time.sleep(0.02)  # hold the transaction open: the other thread must wait

    assert race([append_slowly, append_slowly, append_slowly]) == ["ok", "ok", "ok"]
    prevs = list(AuditEvent.objects.order_by("id").values_list("prev_hash", flat=True))
    assert len(prevs) == len(set(prevs)), "two rows chained to the same previous row"
    assert _verify_line(capsys) == {"events": len(prevs), "ok": True, "first_bad_id": None}


# -- a deleted person, and pruning -----------------------------------------------------------


def test_deleting_an_account_removes_its_identity_from_the_audit_and_the_chain_holds(
    postgres, capsys
):
    survivor = SurvivorFactory()
    coordinator = CoordinatorFactory()
    own = audit_record(actor=survivor, action=AuditAction.ACCOUNT_EXPORTED, target=survivor)
    about = audit_record(actor=coordinator, action=AuditAction.PAIRING_VIEWED, target=survivor)
    survivor_id = survivor.pk
    survivor.delete()
    own.refresh_from_db()
    about.refresh_from_db()
    assert (own.actor_id, own.actor_salt, own.target_id, own.target_salt) == (None,) * 4
    assert own.actor_ref and own.target_ref  # the hash still covers who it was, unreadably
    assert about.actor_id == coordinator.pk  # the coordinator is still named
    assert about.target_id is None
    assert not AuditEvent.objects.for_person(survivor_id).exists()
    assert _verify_line(capsys)["ok"] is True


def test_the_database_refuses_to_empty_the_audit_identity_of_a_person_still_here(postgres):
    coordinator = CoordinatorFactory()
    row = audit_record(actor=coordinator, action=AuditAction.AUDIT_VIEWED)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        audit.forget_person(coordinator.pk)
    row.refresh_from_db()
    assert row.actor_id == coordinator.pk


def test_pruning_the_audit_behind_a_checkpoint_keeps_the_chain_verifiable(postgres, capsys):
    rows = _some_rows(6)
    checkpoint = audit.prune_through(through_id=rows[2].pk)
    assert checkpoint.action == AuditAction.AUDIT_CHECKPOINT
    assert checkpoint.data["through_id"] == rows[2].pk
    assert checkpoint.data["through_hash"] == rows[2].hash
    assert not AuditEvent.objects.filter(pk__lte=rows[2].pk).exists()
    assert AuditEvent.objects.filter(pk=rows[3].pk).exists()
    assert _verify_line(capsys) == {
        "events": AuditEvent.objects.count(),
        "ok": True,
        "first_bad_id": None,
    }
    # Rows after the checkpoint's mark are still refused.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM peersupport_auditevent WHERE id = %s", [rows[3].pk])
