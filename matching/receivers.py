"""Matching's answers to what the layers below signal."""

from __future__ import annotations

from . import queue_cache
from .services import pairings_activate_ready


def activate_ready_pairings(sender, *, user, **kwargs) -> None:
    """Someone acknowledged an agreement: a pairing waiting for both sides may start now."""
    pairings_activate_ready(user=user)


def matcher_input_changed(sender, update_fields=None, **kwargs) -> None:
    """A row the matcher reads was written: the queue's kept suggestions are out of date.
    (Signing in writes the user's last_login, which the matcher does not read.)"""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    queue_cache.invalidate()
