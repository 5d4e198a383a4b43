"""Care's answers to writes elsewhere: keeping each person's home panel current (home_cache)."""

from __future__ import annotations

from matching.models import Pairing

from . import home_cache


def person_changed(sender, instance, **kwargs) -> None:
    """A row of one person's (an acknowledgement, a supporter profile, debrief volunteering)."""
    home_cache.touch(instance.user_id)


def pairing_changed(sender, instance, **kwargs) -> None:
    home_cache.touch(instance.survivor_id, instance.supporter_id)


def request_changed(sender, instance, **kwargs) -> None:
    """A survivor's request: their home shows its state."""
    home_cache.touch(instance.survivor_id)


def block_changed(sender, instance, **kwargs) -> None:
    home_cache.touch(instance.survivor_id, instance.supporter_id)


def pairing_row_changed(sender, instance, **kwargs) -> None:
    """A session, a check-in or a check-in schedule: the pair's homes show it (the caseload,
    the survivor's sessions)."""
    people = Pairing.objects.filter(pk=instance.pairing_id).values_list(
        "survivor_id", "supporter_id"
    )
    for survivor_id, supporter_id in people:
        home_cache.touch(survivor_id, supporter_id)


def everyone_changed(sender, update_fields=None, **kwargs) -> None:
    """A publication, any care record, or a person's name: every panel may show it.
    (Signing in writes only last_login, which no panel shows.)"""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    home_cache.touch_everyone()
