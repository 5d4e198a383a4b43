"""Reads for agreements, concerns, flags, debriefs and change requests (fixed query counts)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from matching.access import pairings_visible_to
from matching.models import PairingState
from peersupport.people.models import AuditEvent, Role, User
from sessions import selectors as sessions_selectors
from sessions.selectors import Caseload

from .models import (
    URGENT_CATEGORIES,
    ChangeRequest,
    Concern,
    DebriefRequest,
    DebriefStatus,
    DebriefVolunteer,
    SafetyFlag,
)

# -- what the coordinators work through ------------------------------------------------------

_PAIRING_PEOPLE = ("pairing__survivor", "pairing__supporter")


def open_concerns():
    """Unresolved concerns, the urgent ones (the survivor's urgent route, exploitation, harm)
    first."""
    return (
        Concern.objects.unresolved()
        .urgent_first()
        .select_related(*_PAIRING_PEOPLE, "raised_by", "handled_by")
    )


def open_concerns_listed():
    """open_concerns as the coordinators' list shows them: the list's own columns only, so no
    one's words are read (and decrypted) for a line that shows none of them."""
    return (
        Concern.objects.unresolved()
        .urgent_first()
        .select_related("raised_by", "handled_by")
        .only(
            "category",
            "status",
            "created_at",
            "pairing_id",
            "raised_by__display_name",
            "handled_by__display_name",
        )
    )


def open_urgent_concerns():
    """What the flags page shows above the flags: urgent concerns, as urgent as a flag."""
    return open_concerns().urgent()


def open_safety_flags():
    return SafetyFlag.objects.not_closed().select_related(
        *_PAIRING_PEOPLE, "raised_by", "acknowledged_by"
    )


def open_change_requests():
    return ChangeRequest.objects.open().select_related(*_PAIRING_PEOPLE, "requested_by")


def coordinator_counts() -> dict[str, int]:
    concerns = Concern.objects.unresolved().aggregate(
        all=Count("pk"), urgent=Count("pk", filter=Q(category__in=URGENT_CATEGORIES))
    )
    return {
        "urgent_concerns": concerns["urgent"],
        "flags": SafetyFlag.objects.not_closed().count(),
        "concerns": concerns["all"],
        "changes": ChangeRequest.objects.open().count(),
        "debriefs": DebriefRequest.objects.not_closed().count(),
    }


# -- what a person sees of their own ---------------------------------------------------------


def concerns_raised_by(user: User):
    return Concern.objects.filter(raised_by=user).select_related(*_PAIRING_PEOPLE)


def flags_raised_by(user: User):
    return SafetyFlag.objects.filter(raised_by=user).select_related(*_PAIRING_PEOPLE)


def change_requests_by(user: User):
    return ChangeRequest.objects.filter(requested_by=user).select_related(*_PAIRING_PEOPLE)


def live_pairings_for(user: User):
    """The pairings a person can raise something about from their home page."""

    live = (PairingState.AWAITING_AGREEMENT, PairingState.ACTIVE, PairingState.PAUSED)
    return pairings_visible_to(user).filter(state__in=live).order_by("pk")


def is_debrief_volunteer(user: User) -> bool:
    return DebriefVolunteer.objects.filter(user=user).exists()


def debriefs_for(user: User):
    """The debriefs in `user`'s list until closed: their own, the ones they picked up, and
    (for volunteers and coordinators) the open ones waiting for someone."""
    base = DebriefRequest.objects.not_closed().select_related("requested_by", "picked_up_by")
    if user.role == Role.COORDINATOR:
        return base
    visible = Q(requested_by=user) | Q(picked_up_by=user)
    if _may_volunteer(user) and is_debrief_volunteer(user):
        visible |= Q(status=DebriefStatus.OPEN)
    return base.filter(visible)


def _may_volunteer(user: User) -> bool:
    profile = getattr(user, "supporter_profile", None)
    return user.role == Role.SUPPORTER and profile is not None and profile.is_approved


def audit_trail(obj) -> list[AuditEvent]:
    """The audit rows about one object (who viewed and changed it), oldest first."""
    return list(
        AuditEvent.objects.filter(target_type=obj._meta.label_lower, target_id=obj.pk)
        .select_related("actor")
        .order_by("at", "id")
    )


def _open_matter_raised_by(supporter: User):
    """Something this supporter raised about the pairing that is still open. (Concerns the
    survivor raised are for the coordinators only, so they never show here.)"""
    concern = Concern.objects.unresolved().filter(pairing=OuterRef("pk"), raised_by=supporter)
    flag = SafetyFlag.objects.not_closed().filter(pairing=OuterRef("pk"), raised_by=supporter)
    return Exists(concern) | Exists(flag)


def supporter_caseload(supporter: User, **kwargs) -> Caseload:
    """The supporter's caseload (sessions) with their own open concerns and flags marked."""
    return sessions_selectors.supporter_caseload(
        supporter, open_concern=_open_matter_raised_by(supporter), **kwargs
    )


# A caseload shown on the supporter's home (kept as HTML, home_cache.kept_html) is redone at
# least this often: the clock moves what it shows (a check-in falling overdue, one coming due).
CASELOAD_SECONDS = 60


def caseload_seconds(caseload: Caseload) -> int:
    """How long a caseload may be shown as it is: until its next session begins, and at most
    CASELOAD_SECONDS."""
    now = timezone.now()
    starts = [row.next_session for row in caseload.rows if row.next_session]
    until = [int((start - now).total_seconds()) + 1 for start in starts]
    return min([CASELOAD_SECONDS, *until])
