"""A survivor's own information: everything they gave or wrote, to take away, and erasing it.

The export holds what the person gave the service and what was recorded about their own
pairings, never another person's private words (a supporter's private notes, coordinators'
working notes). Erasing deletes the account and, through the database's cascades, every
request, pairing, session, check-in and change request that belongs to it.

Concerns and safety flags raised about their pairings (by either side, the survivor's own
concerns too) are safeguarding records and stay for the coordinators, with nothing left that
points at the person: deleting sets their `pairing` and `raised_by` to NULL, and the rows keep
only the pairing's number and which side raised them (ethics/care/models.SafeguardRecord).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ethics.agreements.models import Acknowledgement
from ethics.care.models import ChangeRequest, Concern, FlagStatus, SafetyFlag
from matching.locking import lock_survivor_to_erase
from matching.models import Block, Pairing, PairingState, SupportRequest
from peersupport.conversations.selectors import survivor_export as conversation_export
from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import Notification, Role, User
from peersupport.people.notifications import notify, notify_coordinators
from peersupport.people.services import audit_record, mask_to_slots
from sessions.models import CheckIn, SupportSession

EXPORT_FORMAT = 1


def _when(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def concerns_raised(user: User) -> list[dict[str, Any]]:
    """The concerns `user` raised, with the coordinators' replies, for their export (the same
    for a survivor and a supporter)."""
    return [
        {
            "raised": _when(c.created_at),
            "category": c.get_category_display(),
            "text": c.text,
            "status": c.get_status_display(),
            "reply": c.response,
        }
        for c in Concern.objects.filter(raised_by=user).order_by("created_at", "id")
    ]


def _names(queryset) -> list[str]:
    return sorted(str(item) for item in queryset)


def export_start(user: User) -> dict[str, Any]:
    """The start of anyone's export: the format and their account."""
    return {
        "format": EXPORT_FORMAT,
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "email_notifications": user.email_notifications,
            "joined": _when(user.date_joined),
        },
    }


def export_end(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """The end of anyone's export: the agreements they acknowledged and their notices."""
    data["agreements_acknowledged"] = [
        {
            "agreement": str(a.version.document),
            "version": a.version.number,
            "when": _when(a.acknowledged_at),
        }
        for a in Acknowledgement.objects.filter(user=user)
        .select_related("version__document")
        .order_by("acknowledged_at", "id")
    ]
    data["messages"] = [
        {"when": _when(n.created_at), "text": n.text}
        for n in Notification.objects.filter(user=user).order_by("created_at", "id")
    ]
    return data


def survivor_export(*, user: User) -> dict[str, Any]:
    """Everything the service holds that this survivor gave or that concerns their own support.

    Costs a fixed number of queries per kind of record, whatever the person's history.
    """
    if user.role != Role.SURVIVOR:
        raise ValueError("only survivors export through this service")
    data = export_start(user)

    profile = getattr(user, "survivor_profile", None)
    if profile is not None:
        data["profile"] = {
            "experience": profile.get_relationship_display(),
            "languages": _names(profile.languages.all()),
            "ways_to_meet": _names(profile.meeting_modes.all()),
            "experiences_to_share": _names(profile.areas.all()),
            "preferred_gender": str(profile.preferred_gender or ""),
            "prefers_survivor_supporter": profile.prefers_survivor_supporter,
            "availability": mask_to_slots(profile.availability),
        }

    requests = SupportRequest.objects.filter(survivor=user).prefetch_related(
        "areas_must", "areas_nice", "languages", "meeting_modes"
    )
    data["requests"] = [
        {
            "opened": _when(r.opened_at),
            "closed": _when(r.closed_at),
            "status": r.get_status_display(),
            "must_share": _names(r.areas_must.all()),
            "good_to_share": _names(r.areas_nice.all()),
            "languages": _names(r.languages.all()),
            "ways_to_meet": _names(r.meeting_modes.all()),
            "time_zone": r.time_zone,
            "availability": mask_to_slots(r.availability),
            "note_for_supporter": r.note_for_supporter,
        }
        for r in requests.order_by("opened_at", "id")
    ]

    # Only pairings that started show the supporter, as everywhere else in the service.
    visible = list(
        Pairing.objects.filter(survivor=user)
        .started()
        .select_related("supporter")
        .order_by("created_at", "id")
    )
    visible_ids = [p.pk for p in visible]
    data["pairings"] = [
        {
            "supporter": p.supporter.display_name,
            "started": _when(p.activated_at),
            "ended": _when(p.ended_at),
            "state": p.get_state_display(),
        }
        for p in visible
    ]
    data["sessions"] = [
        {
            "when": _when(s.starts_at),
            "minutes": s.duration_minutes,
            "how": s.get_mode_display(),
            "status": s.get_status_display(),
            "how_you_said_you_were_doing": s.get_wellbeing_display() if s.wellbeing else None,
        }
        for s in SupportSession.objects.without_notes()
        .filter(pairing_id__in=visible_ids)
        .order_by("starts_at", "id")
    ]
    data["check_ins"] = [
        {
            "due": _when(c.due_at),
            "answered": _when(c.answered_at),
            "how_you_were_doing": c.get_mood_display() if c.mood else None,
            "wanted_a_session": c.get_wants_session_display() if c.wants_session else None,
            "note": c.note,
        }
        for c in CheckIn.objects.filter(
            pairing_id__in=visible_ids, answered_at__isnull=False
        ).order_by("due_at", "id")
    ]
    data["concerns"] = concerns_raised(user)
    data["change_requests"] = [
        {
            "asked": _when(c.created_at),
            "kind": c.get_kind_display(),
            "reason": c.reason,
            "status": c.get_status_display(),
        }
        for c in ChangeRequest.objects.filter(requested_by=user).order_by("created_at", "id")
    ]
    data["blocked_supporters"] = [
        {"supporter": b.supporter.display_name, "since": _when(b.created_at)}
        for b in Block.objects.filter(survivor=user).select_related("supporter").order_by("id")
    ]
    # What the survivor and their supporters wrote to each other (peersupport/conversations).
    data["conversations"] = conversation_export(user)
    return export_end(user, data)


def survivor_erase(*, user: User) -> None:
    """Delete a survivor's account and everything that belongs to it, at their request.

    Concerns and safety flags about their pairings are safeguarding records: they stay, with
    no link left to the person (ethics/care/models.SafeguardRecord).

    A safety matter a coordinator is still handling (the limits of confidentiality) is the one
    thing that waits: the request is refused in words that do not say why, and the coordinators
    are told someone asked, so they can finish it and help. Supporters of live pairings are
    told, discreetly, that a pairing has ended; they are not told why.

    Locks in the one order (matching/locking.py): the user row, then their requests and
    pairings. Every write that touches a survivor's rows (a reassignment, a safety flag, a
    block, an acceptance) locks this user row first, so it waits for the deletion or the
    deletion waits for it: never both. An account already gone (deleted from another tab)
    counts as deleted.
    """
    if user.role != Role.SURVIVOR:
        raise ValidationError(_("Only people seeking support can delete their account here."))
    with transaction.atomic():
        user = lock_survivor_to_erase(user.pk)
        if user is None:
            return
        open_flag = (
            SafetyFlag.objects.filter(pairing__survivor=user)
            .exclude(status=FlagStatus.CLOSED)
            .order_by("created_at")
            .first()
        )
        if open_flag is None:
            _erase(user)
            return
    erase_waits(user=user, link=reverse("team:flag", args=[open_flag.pk]))


def erase_waits(*, user: User, link: str) -> None:
    """Refuse to delete `user`'s account while a safety matter (at `link`, a coordinator's
    page) is open: the refusal does not say why, and the coordinators are told someone asked,
    so they can finish it and help. Always raises ValidationError."""
    with transaction.atomic():
        # Tell the coordinators once a day at most, however often the person tries: the
        # notices already sent about this matter say whether they have been told.
        told_recently = Notification.objects.filter(
            kind=NotificationKind.ACCOUNT_ERASE_WAITING,
            link=link,
            created_at__gte=timezone.now() - datetime.timedelta(days=1),
        ).exists()
        if not told_recently:
            notify_coordinators(
                kind=NotificationKind.ACCOUNT_ERASE_WAITING,
                text=_(
                    "Someone asked to delete their account while a safety matter about them "
                    "is open. Please look at it."
                ),
                link=link,
            )
        audit_record(actor=user, action=AuditAction.ACCOUNT_ERASE_REFUSED, target=user)
    raise ValidationError(
        _(
            "We can't delete your account straight away. A coordinator has been told you "
            "asked, and will help you with it."
        )
    )


def _erase(user: User) -> None:
    live_supporters = list(
        User.objects.filter(
            pairings_as_supporter__survivor=user,
            pairings_as_supporter__state__in=[
                PairingState.OFFERED,
                PairingState.AWAITING_AGREEMENT,
                PairingState.ACTIVE,
                PairingState.PAUSED,
            ],
        ).distinct()
    )
    user.delete()
    # The audit row keeps no link to the person: the account is gone.
    audit_record(
        actor=None, action=AuditAction.ACCOUNT_ERASED, supporters_told=len(live_supporters)
    )
    for supporter in live_supporters:
        notify(
            user=supporter,
            kind=NotificationKind.PAIRING_ENDED,
            text=_("One of your pairings has ended. There is nothing you need to do."),
            link=reverse("home"),
        )
