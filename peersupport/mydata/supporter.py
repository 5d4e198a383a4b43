"""A supporter's own information: everything they gave or wrote, to take away, and erasing it.

The same shape as a survivor's (services.py, whose beginning and end it shares): their account,
their application and profile, their pairings as they saw them (the person's pseudonym only for
pairings they accepted, never the survivor's note, check-ins or concerns), the sessions they
logged with their own private notes, what they raised (concerns, safety flags, debriefs and their
own debrief messages), the agreements they acknowledged and their notices. A pairing held from
them for safeguarding (matching/holds.py) is listed without the person or its sessions while
the hold lasts: the export is never a way round it.

Erasing ends every live pairing first, each survivor back in the queue at once with the same
wishes and a neutral notice, then deletes the account. Safeguarding records about their pairings
stay for the coordinators with nobody named (ethics/care/models.SafeguardRecord). It waits while
a safety matter involving them is open: a safety flag about one of their pairings, an urgent
concern about one (the survivor's urgent route, exploitation, harm), or their suspension.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from ethics.care.models import Concern, DebriefMessage, DebriefRequest, FlagStatus, SafetyFlag
from matching.models import Pairing, PairingState
from matching.standing import lock_supporter_and_pairings, pairing_requeue
from peersupport.people.events import AuditAction
from peersupport.people.models import Role, SupporterProfile, SupporterStatus, User
from peersupport.people.services import audit_record, mask_to_slots
from sessions.models import SupportSession

from .services import _names, _when, concerns_raised, erase_waits, export_end, export_start


def _profile(profile: SupporterProfile) -> dict[str, Any]:
    return {
        "status": profile.get_status_display(),
        "applied": _when(profile.created_at),
        "decided": _when(profile.decided_at),
        "decision_reason": profile.decision_reason,
        "lived_experience": profile.get_relationship_display(),
        "why_I_want_to_support": profile.motivation,
        "experiences_I_can_share": _names(profile.areas.all()),
        "languages": _names(profile.languages.all()),
        "ways_to_meet": _names(profile.meeting_modes.all()),
        "gender": str(profile.gender or ""),
        "availability": mask_to_slots(profile.availability),
        "how_many_at_once": profile.capacity,
        "open_to_new_people": profile.accepting_new,
        "pause_reason": profile.pause_reason,
    }


def _pairing(p: Pairing) -> dict[str, Any]:
    seen = (p.accepted_at is not None or p.has_started) and not p.safeguarding_hold
    return {
        "person": p.survivor.display_name if seen else None,
        "offered": _when(p.offered_at),
        "accepted": _when(p.accepted_at),
        "started": _when(p.activated_at),
        "ended": _when(p.ended_at),
        "state": p.get_state_display(),
        "how_it_ended": p.get_end_reason_display() if p.end_reason else None,
    }


def supporter_export(*, user: User) -> dict[str, Any]:
    """Everything the service holds that this supporter gave or wrote, and their pairings as
    they saw them. A fixed number of queries per kind of record."""
    if user.role != Role.SUPPORTER:
        raise ValueError("only supporters export through this service")
    data = export_start(user)
    profile = SupporterProfile.objects.filter(user=user).select_related("gender").first()
    if profile is not None:
        data["application_and_profile"] = _profile(profile)
    pairings = list(
        Pairing.objects.filter(supporter=user)
        .exclude(state=PairingState.PROPOSED)
        .select_related("survivor")
        .order_by("created_at", "id")
    )
    data["pairings"] = [_pairing(p) for p in pairings]
    data["sessions_you_logged"] = [
        {
            "when": _when(s.starts_at),
            "minutes": s.duration_minutes,
            "how": s.get_mode_display(),
            "status": s.get_status_display(),
            "how_they_said_they_were_doing": s.get_wellbeing_display() if s.wellbeing else None,
            "your_private_notes": s.private_notes,
        }
        for s in SupportSession.objects.filter(logged_by=user, pairing__supporter=user)
        .exclude(pairing__safeguarding_hold=True)
        .order_by("starts_at", "id")
    ]
    data["concerns"] = concerns_raised(user)
    data["safety_flags"] = [
        {
            "raised": _when(f.created_at),
            "category": f.get_category_display(),
            "text": f.text,
            "status": f.get_status_display(),
        }
        for f in SafetyFlag.objects.filter(raised_by=user).order_by("created_at", "id")
    ]
    data["debriefs"] = [
        {"asked": _when(d.created_at), "text": d.text, "status": d.get_status_display()}
        for d in DebriefRequest.objects.filter(requested_by=user).order_by("created_at", "id")
    ]
    data["debrief_messages_you_wrote"] = [
        {"when": _when(m.created_at), "text": m.text}
        for m in DebriefMessage.objects.filter(author=user).order_by("created_at", "id")
    ]
    return export_end(user, data)


def _open_matter_link(user: User, profile: SupporterProfile | None) -> str | None:
    """A coordinator's page about a safety matter involving this supporter still open, or None."""
    flag = (
        SafetyFlag.objects.filter(pairing__supporter=user)
        .exclude(status=FlagStatus.CLOSED)
        .order_by("created_at")
        .first()
    )
    if flag is not None:
        return reverse("team:flag", args=[flag.pk])
    concern = (
        Concern.objects.unresolved().urgent().filter(pairing__supporter=user).order_by("pk").first()
    )
    if concern is not None:
        return reverse("team:concern", args=[concern.pk])
    if profile is not None and profile.status == SupporterStatus.SUSPENDED:
        return f"{reverse('team:supporters')}?status={SupporterStatus.SUSPENDED}"
    return None


def supporter_erase(*, user: User) -> None:
    """Delete a supporter's account at their request (see the module's docstring).

    Locks in the one order (matching/locking.py, through standing.lock_supporter_and_pairings):
    the survivors of their live pairings, their profile, the requests and pairings, and last
    their own user row (the delete). A refusal while a safety matter is open says so plainly and
    tells the coordinators (services.erase_waits)."""
    if user.role != Role.SUPPORTER:
        raise ValidationError(_("Only peer supporters can delete their account here."))
    with transaction.atomic():
        profile_id = SupporterProfile.objects.filter(user=user).values_list("pk", flat=True)
        profile_id = profile_id.first()
        profile, pairings = (None, [])
        if profile_id is not None:
            profile, pairings = lock_supporter_and_pairings(profile_id)
        link = _open_matter_link(user, profile)
        if link is None:
            for pairing in pairings:
                pairing_requeue(pairing, user)
            User.objects.filter(pk=user.pk).delete()
            audit_record(
                actor=None,
                action=AuditAction.ACCOUNT_ERASED,
                role=Role.SUPPORTER,
                survivors_requeued=len(pairings),
            )
            return
    erase_waits(user=user, link=link)
