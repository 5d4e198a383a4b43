"""Matching's answers to what the layers below signal."""

from __future__ import annotations

from .services import pairings_activate_ready


def activate_ready_pairings(sender, *, user, **kwargs) -> None:
    """Someone acknowledged an agreement: a pairing waiting for both sides may start now."""
    pairings_activate_ready(user=user)
