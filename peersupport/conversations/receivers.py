"""What conversations do when matching's rows change (matching never imports this app)."""

from __future__ import annotations

from matching.models import Pairing, PairingState

from . import live


def pairing_saved(sender, instance: Pairing, created: bool, update_fields=None, **kwargs) -> None:
    """A pairing that had started and is no longer active (paused, blocked, ended, reassigned):
    its open pages are closed once the change is committed. `lifecycle.transition` is the only
    writer of a pairing's state and saves it with update_fields naming "state"."""
    if created or instance.state == PairingState.ACTIVE or instance.activated_at is None:
        return
    if update_fields is not None and "state" not in update_fields:
        return
    live.conversation_closed(instance.pk)


def pairing_deleted(sender, instance: Pairing, **kwargs) -> None:
    """The pairing went with an account: its open pages are closed."""
    if instance.activated_at is not None:
        live.conversation_closed(instance.pk)
