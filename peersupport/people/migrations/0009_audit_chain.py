"""The audit trail becomes an append-only hash chain.

1. The columns of the chain: the actor's role, salted references for the actor and the target,
   the previous row's hash and the row's own. The actor keeps no database constraint (an
   account's deletion no longer touches the trail: the deletion empties the person's ids
   through the one UPDATE the trigger allows). `action` takes its choices from a function, so
   a new AuditAction needs no migration.
2. The rows written before the chain are hashed, oldest first.
3. On PostgreSQL, a trigger refuses UPDATE and DELETE on the table, with two exceptions:
   emptying the id (and its salt) of a person whose account no longer exists, and deleting rows
   behind a checkpoint row (pruning from the oldest end). Elsewhere the model refuses.
"""

from django.db import migrations, models

import peersupport.people.events
from peersupport.people import audit_hash

GUARD = """
CREATE OR REPLACE FUNCTION peersupport_audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- Only rows behind a checkpoint (pruning from the oldest end keeps the chain whole).
        IF EXISTS (
            SELECT 1 FROM peersupport_auditevent c
            WHERE c.action = 'audit.checkpoint' AND c.id > OLD.id
              AND (c.data ->> 'through_id')::bigint >= OLD.id
        ) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'audit rows are append-only: ' || TG_OP || ' refused';
    END IF;
    -- UPDATE: nothing changes but a gone person's id, emptied with its salt.
    IF NEW.id = OLD.id
       AND NEW.action = OLD.action
       AND NEW.at = OLD.at
       AND NEW.data = OLD.data
       AND NEW.actor_role = OLD.actor_role
       AND NEW.actor_ref = OLD.actor_ref
       AND NEW.target_type = OLD.target_type
       AND NEW.target_ref = OLD.target_ref
       AND NEW.prev_hash = OLD.prev_hash
       AND NEW.hash = OLD.hash
       AND (
           (NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
            AND NEW.actor_salt IS NOT DISTINCT FROM OLD.actor_salt)
           OR (NEW.actor_id IS NULL AND NEW.actor_salt IS NULL
               AND NOT EXISTS (SELECT 1 FROM peersupport_user u WHERE u.id = OLD.actor_id))
       )
       AND (
           (NEW.target_id IS NOT DISTINCT FROM OLD.target_id
            AND NEW.target_salt IS NOT DISTINCT FROM OLD.target_salt)
           OR (NEW.target_id IS NULL AND NEW.target_salt IS NULL
               AND OLD.target_type = 'peersupport.user'
               AND NOT EXISTS (SELECT 1 FROM peersupport_user u WHERE u.id = OLD.target_id))
       )
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = 'audit rows are append-only: ' || TG_OP || ' refused';
END;
$$;
CREATE TRIGGER peersupport_audit_append_only
    BEFORE UPDATE OR DELETE ON peersupport_auditevent
    FOR EACH ROW EXECUTE FUNCTION peersupport_audit_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS peersupport_audit_append_only ON peersupport_auditevent;
DROP FUNCTION IF EXISTS peersupport_audit_guard();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD)


def hash_existing(apps, schema_editor):
    """Chain the rows written before the chain existed, oldest first (ids in order)."""
    AuditEvent = apps.get_model("peersupport", "AuditEvent")
    User = apps.get_model("peersupport", "User")
    roles = dict(User.objects.values_list("id", "role"))
    prev = audit_hash.GENESIS
    batch = []
    for row in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if row.actor_id is not None and row.actor_id not in roles:
            row.actor_id = None  # the account went before the chain: nothing to keep
        row.actor_role = roles.get(row.actor_id, "") if row.actor_id is not None else ""
        row.actor_salt = audit_hash.new_salt() if row.actor_id is not None else None
        row.actor_ref = audit_hash.identity_ref(row.actor_salt, row.actor_id)
        row.target_salt = audit_hash.new_salt() if row.target_id is not None else None
        row.target_ref = audit_hash.identity_ref(row.target_salt, row.target_id)
        row.prev_hash = prev
        row.hash = audit_hash.row_hash(
            prev_hash=prev,
            at=row.at,
            action=row.action,
            actor_role=row.actor_role,
            actor_ref=row.actor_ref,
            target_type=row.target_type,
            target_ref=row.target_ref,
            data=row.data,
        )
        prev = row.hash
        batch.append(row)
        if len(batch) >= 2000:
            _save(AuditEvent, batch)
            batch = []
    _save(AuditEvent, batch)


_CHAIN_FIELDS = [
    "actor_id",
    "actor_role",
    "actor_salt",
    "actor_ref",
    "target_salt",
    "target_ref",
    "prev_hash",
    "hash",
]


def _save(AuditEvent, rows) -> None:
    if rows:
        AuditEvent.objects.bulk_update(rows, _CHAIN_FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("peersupport", "0008_user_time_zone_default"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=peersupport.people.events.audit_action_choices, max_length=80
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=models.deletion.DO_NOTHING,
                to="peersupport.user",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_role",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_salt",
            field=models.CharField(blank=True, max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_ref",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="target_salt",
            field=models.CharField(blank=True, max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="target_ref",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(hash_existing, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(guard, unguard),
    ]
