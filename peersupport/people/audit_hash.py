"""The audit chain's arithmetic, with no database: a row's hash and the pseudonymous references
that stand for the people in it. The data migration that hashed the rows written before the
chain existed uses these same functions, so they never change; a new format gets a new
VERSION and verification learns both.

A row's hash covers its time, action, the actor's role, its target type, its data (ids, codes
and counts), the previous row's hash, and, for the actor and the target, a reference
`sha256(salt ":" id)` with a random salt kept on the row. While the id and the salt are there,
verification checks the reference against them; removing a person's identity (the one UPDATE
the database allows, see docs/architecture.md) empties the id and the salt together and keeps
the reference, so the chain still verifies and nothing links the row to anyone any more.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime

VERSION = "v1"
GENESIS = "0" * 64  # the previous hash of the first row ever written


def new_salt() -> str:
    return secrets.token_hex(16)


def identity_ref(salt: str | None, value: int | None) -> str:
    """The reference that stands for an id in the hash ("" when there is no id)."""
    if value is None:
        return ""
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()


def canonical_data(data) -> str:
    return json.dumps(data or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def row_hash(
    *,
    prev_hash: str,
    at: datetime,
    action: str,
    actor_role: str,
    actor_ref: str,
    target_type: str,
    target_ref: str,
    data,
) -> str:
    fields = [
        VERSION,
        prev_hash,
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        str(action),
        actor_role,
        actor_ref,
        target_type,
        target_ref,
        canonical_data(data),
    ]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()
