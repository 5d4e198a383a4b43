"""The audit trail's writes and its check: appending a row to the chain, verifying the chain,
removing a deleted person's identity, and pruning from the oldest end behind a checkpoint.

Appending takes the audit lock (a PostgreSQL advisory lock held until the transaction ends)
before reading the last row's hash, so two transactions never chain to the same row. It is
the last lock any write takes (docs/architecture.md, "Lock order"): a service writes its audit
row after its row locks, never before them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from . import audit_hash
from .events import AuditAction
from .models import USER_LABEL, AuditEvent, User

LOCK_KEY = 0x6175_6469_7463_6861  # "auditcha": the advisory lock's key
_process_lock = threading.Lock()  # SQLite (development) has no advisory locks
VERIFY_CHUNK = 2000

# Values a row's data may hold: ids, counts, flags and codes. A string must read like a code
# (letters, digits and ._:-, at most 80 characters) so no sentence anyone wrote fits.
_CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")


def _check_data(data: dict) -> dict:
    for key, value in data.items():
        if value is None or isinstance(value, bool | int):
            continue
        if isinstance(value, str) and len(value) <= 80 and set(value) <= _CODE_CHARS:
            continue
        raise ValueError(f"audit data {key!r} must be an id, a count, a flag or a code")
    return data


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def append(
    *, actor: User | None, action: AuditAction, target: models.Model | None = None, **data
) -> AuditEvent:
    """Append one row to the chain, in the caller's transaction (or its own)."""
    action = AuditAction(action)
    actor = actor if actor is not None and actor.is_authenticated else None
    _check_data(data)
    actor_salt = audit_hash.new_salt() if actor is not None else None
    target_id = target.pk if target is not None else None
    target_salt = audit_hash.new_salt() if target_id is not None else None
    row = AuditEvent(
        actor=actor,
        actor_role=actor.role if actor is not None else "",
        actor_salt=actor_salt,
        actor_ref=audit_hash.identity_ref(actor_salt, actor.pk if actor is not None else None),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target_id,
        target_salt=target_salt,
        target_ref=audit_hash.identity_ref(target_salt, target_id),
        data=data,
        at=timezone.now(),
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _lock()
            _write(row)
        else:
            with _process_lock:
                _write(row)
    return row


def record_read(request, action: AuditAction, target: models.Model | None = None, **data) -> None:
    """A sensitive page was opened: one row per GET (a POST that re-shows the page is a write,
    audited by its service). The view has already checked the person may see `target`."""
    if request.method == "GET":
        append(actor=request.user, action=action, target=target, **data)


def _write(row: AuditEvent) -> None:
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    row.prev_hash = last or audit_hash.GENESIS
    row.hash = _hash_of(row)
    row.save(force_insert=True)


def _hash_of(row: AuditEvent) -> str:
    return audit_hash.row_hash(
        prev_hash=row.prev_hash,
        at=row.at,
        action=row.action,
        actor_role=row.actor_role,
        actor_ref=row.actor_ref,
        target_type=row.target_type,
        target_ref=row.target_ref,
        data=row.data,
    )


# -- verifying --------------------------------------------------------------------------------


@dataclass
class Verdict:
    events: int
    ok: bool
    first_bad_id: int | None

    def as_dict(self) -> dict:
        return {"events": self.events, "ok": self.ok, "first_bad_id": self.first_bad_id}


def _identity_holds(salt: str | None, value: int | None, ref: str) -> bool:
    if value is None:
        return salt is None  # never written, or removed with its salt: the ref stands alone
    return salt is not None and audit_hash.identity_ref(salt, value) == ref


def _row_holds(row: AuditEvent, expected_prev: str) -> bool:
    return (
        row.prev_hash == expected_prev
        and _identity_holds(row.actor_salt, row.actor_id, row.actor_ref)
        and _identity_holds(row.target_salt, row.target_id, row.target_ref)
        and _hash_of(row) == row.hash
    )


def _anchor() -> str:
    """Where the chain starts: the genesis, or the last pruned row's hash as the latest
    checkpoint recorded it (the checkpoint itself is a chained row, checked on the walk)."""
    checkpoint = (
        AuditEvent.objects.filter(action=AuditAction.AUDIT_CHECKPOINT)
        .order_by("-id")
        .values_list("data", flat=True)
        .first()
    )
    return checkpoint["through_hash"] if checkpoint else audit_hash.GENESIS


def _rows() -> Iterator[AuditEvent]:
    return (
        AuditEvent.objects.order_by("id")
        .only(
            "id",
            "actor_id",
            "actor_role",
            "actor_salt",
            "actor_ref",
            "action",
            "target_type",
            "target_id",
            "target_salt",
            "target_ref",
            "data",
            "at",
            "prev_hash",
            "hash",
        )
        .iterator(chunk_size=VERIFY_CHUNK)
    )


def verify() -> Verdict:
    """Walk the chain oldest first, streaming: the first row whose hash, link or identity
    references do not hold is reported."""
    expected = _anchor()
    count = 0
    for row in _rows():
        count += 1
        if not _row_holds(row, expected):
            return Verdict(events=AuditEvent.objects.count(), ok=False, first_bad_id=row.pk)
        expected = row.hash
    return Verdict(events=count, ok=True, first_bad_id=None)


# -- the two documented exceptions to append-only ---------------------------------------------


def forget_person(user_id: int) -> int:
    """Remove a deleted person's identity from the trail: their id (as actor, or as a target
    that was their account) and its salt are emptied; the reference the hash covers stays.
    The database allows this UPDATE only for an account that no longer exists."""
    base = models.QuerySet(AuditEvent)
    with transaction.atomic():
        changed = base.filter(actor_id=user_id).update(actor=None, actor_salt=None)
        changed += base.filter(target_type=USER_LABEL, target_id=user_id).update(
            target_id=None, target_salt=None
        )
    return changed


def forget_deleted_user(sender, instance, **kwargs) -> None:
    """post_delete receiver for User: every way an account goes forgets it in the trail, in
    the deleting transaction."""
    forget_person(instance.pk)


def prune_through(*, through_id: int, actor: User | None = None) -> AuditEvent | None:
    """Remove the rows up to `through_id` (the oldest end) and keep the rest verifiable: first
    a checkpoint row is appended that records the last removed row's id and hash, then the
    rows behind it go (the database allows deleting a row only behind a checkpoint).
    The retention sweep decides `through_id`; this only keeps the chain whole."""
    with transaction.atomic():
        _lock()
        last = (
            AuditEvent.objects.filter(id__lte=through_id)
            .order_by("-id")
            .values_list("id", "hash")
            .first()
        )
        if last is None:
            return None
        removed = AuditEvent.objects.filter(id__lte=last[0]).count()
        checkpoint = append(
            actor=actor,
            action=AuditAction.AUDIT_CHECKPOINT,
            through_id=last[0],
            through_hash=last[1],
            removed=removed,
        )
        models.QuerySet(AuditEvent).filter(id__lte=last[0])._raw_delete(connection.alias)
    return checkpoint
