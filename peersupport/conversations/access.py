"""Who may use a conversation: the pairing's two people, only while it is active and the
survivor has not blocked the supporter. Anyone else, and everyone once the pairing is paused,
blocked, ended or reassigned, gets 404 on every address (and a refused or closed socket).

Paused counts as closed for both: pausing is a break from the relationship, so the
conversation closes with it and opens again when the pairing resumes.

Coordinators never reach the conversation itself; an open safety flag about the pairing, or a
reported message under a concern not yet resolved, lets them read it (views audit each read).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from ethics.care.models import Concern, ConcernStatus, FlagStatus, SafetyFlag
from matching.models import Block, Pairing, PairingState
from peersupport.people.models import Role, User


def open_pairings_of(user_id: int):
    """The pairings whose conversation `user_id` may use now."""
    blocked = Block.objects.filter(survivor=OuterRef("survivor"), supporter=OuterRef("supporter"))
    return (
        Pairing.objects.filter(Q(survivor_id=user_id) | Q(supporter_id=user_id))
        .filter(state=PairingState.ACTIVE)
        .exclude(Exists(blocked))
    )


def may_talk(user_id: int, pairing_id: int) -> bool:
    return open_pairings_of(user_id).filter(pk=pairing_id).exists()


def get_conversation_for(user: User, pk: int) -> Pairing:
    """The pairing whose conversation `user` may use, else 404."""
    if not user.is_authenticated or user.role not in (Role.SURVIVOR, Role.SUPPORTER):
        raise Http404
    pairing = (
        open_pairings_of(user.pk).select_related("survivor", "supporter").filter(pk=pk).first()
    )
    if pairing is None:
        raise Http404
    return pairing


def get_flag_for_reading(user: User, pk: int) -> SafetyFlag:
    """A safety flag still being handled, about a pairing that is still there: coordinators
    only."""
    if not user.is_authenticated or user.role != Role.COORDINATOR:
        raise Http404
    flag = (
        SafetyFlag.objects.select_related("pairing__survivor", "pairing__supporter")
        .exclude(status=FlagStatus.CLOSED)
        .filter(pk=pk, pairing__isnull=False)
        .first()
    )
    if flag is None:
        raise Http404
    return flag


def get_report_for_reading(user: User, pk: int) -> Concern:
    """A concern a reported message became, not yet resolved: coordinators only."""
    if not user.is_authenticated or user.role != Role.COORDINATOR:
        raise Http404
    concern = (
        Concern.objects.select_related(
            "reported_message", "pairing__survivor", "pairing__supporter"
        )
        .exclude(status=ConcernStatus.RESOLVED)
        .filter(pk=pk, reported_message__isnull=False)
        .first()
    )
    if concern is None:
        raise Http404
    return concern
