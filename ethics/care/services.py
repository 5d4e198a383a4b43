"""Every write in ethics, each in a transaction with its audit row.

Audit rows and notifications carry ids and codes, never what anyone wrote. Locks, in the one
order of matching/locking.py: whatever belongs to a survivor's pairing (raising a concern or a
flag, asking for a change, blocking, a coordinator answering a concern or a change request)
locks the survivor's user row first, then the pairing, then the care row, so it never deadlocks
with the survivor deleting their account and is refused plainly if the account went first.
The debrief rows and a flag's own row (a supporter's and coordinators' only) are locked alone
when their state changes.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ethics.agreements.services import clean_text
from matching import lifecycle, locking
from matching.access import survivor_may_see_supporter
from matching.models import CAPACITY_STATES, Block, Pairing, PairingState, TransitionReason
from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import Role, SupporterStatus, User
from peersupport.people.notifications import notify, notify_coordinators
from peersupport.people.services import audit_record

from .models import (
    URGENT_CATEGORIES,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Concern,
    ConcernCategory,
    ConcernStatus,
    DebriefMessage,
    DebriefRequest,
    DebriefStatus,
    DebriefVolunteer,
    FlagAction,
    FlagActionKind,
    FlagCategory,
    FlagStatus,
    SafetyFlag,
)
from .safeguarding import safeguarding_alert


def _require_coordinator(user: User) -> None:
    if user.role != Role.COORDINATOR:
        raise ValidationError(_("Only a coordinator can do that."))


# -- concerns -------------------------------------------------------------------------------


def _party_or_error(pairing: Pairing, user: User) -> None:
    if user.pk not in (pairing.survivor_id, pairing.supporter_id):
        raise ValidationError(_("You are not part of this pairing."))


@transaction.atomic
def concern_raise(*, user: User, pairing: Pairing, category: str, text: str) -> Concern:
    """A concern about the relationship, for the coordinators (the other side never sees it)."""
    _party_or_error(pairing, user)
    pairing = locking.lock_pairing(pairing.pk, gone=_("This pairing has already ended.")).pairing
    if category not in ConcernCategory.values:
        raise ValidationError({"category": _("Choose one of the options shown.")})
    text = clean_text(text, field="text")
    concern = Concern.objects.create(pairing=pairing, raised_by=user, category=category, text=text)
    audit_record(
        actor=user,
        action=AuditAction.CONCERN_RAISED,
        target=concern,
        pairing=pairing.pk,
        category=category,
    )
    if concern.is_urgent:  # exploitation or harm: held, and every coordinator emailed
        safeguarding_alert(concern=concern, pairing=pairing, actor=user)
        return concern
    notify_coordinators(
        kind=NotificationKind.CONCERN_NEW,
        text=_("Someone has raised a concern about their pairing. Please look at it."),
        link=reverse("team:concern", args=[concern.pk]),
    )
    return concern


def concern_record_view(*, concern: Concern, coordinator: User) -> None:
    """A coordinator opened a concern: that is recorded."""
    if coordinator.role == Role.COORDINATOR:
        audit_record(actor=coordinator, action=AuditAction.CONCERN_VIEWED, target=concern)


@transaction.atomic
def concern_update(
    *,
    concern_id: int,
    coordinator: User,
    status: str,
    response: str = "",
    category: str | None = None,
) -> Concern:
    """A coordinator answers a concern, and may set its category: one set to exploitation or
    harm holds the pairing and alerts every coordinator, as if it had been raised so."""
    _require_coordinator(coordinator)
    gone = _("This concern is no longer there (the person may have left). Nothing was saved.")
    if category is not None and category not in ConcernCategory.values:
        raise ValidationError({"category": _("Choose one of the options shown.")})
    pairing_id = Concern.objects.filter(pk=concern_id).values_list("pairing_id", flat=True).first()
    held = None
    if category in URGENT_CATEGORIES and pairing_id is not None:
        # The pairing is held too: survivor and pairing first, in the one order.
        held = locking.lock_pairing(pairing_id, gone=gone).pairing
    if Concern.objects.filter(pk=concern_id, pairing__isnull=True).exists():
        # The pairing went with an account: no survivor to lock, only the record (level 5).
        concern = Concern.objects.select_for_update().filter(pk=concern_id).first()
        if concern is None:
            raise locking.RowGone(gone)
    else:
        concern = locking.lock_with_survivor(
            Concern.objects.all(), concern_id, survivor_field="pairing__survivor_id", gone=gone
        )
    if status not in ConcernStatus.values:
        raise ValidationError({"status": _("Choose one of the options shown.")})
    response = clean_text(response, field="response", required=False)
    concern.status = status
    concern.handled_by = coordinator
    if response:
        concern.response = response
    concern.resolved_at = timezone.now() if status == ConcernStatus.RESOLVED else None
    became_urgent = category is not None and category in URGENT_CATEGORIES and not concern.is_urgent
    concern.category = category or concern.category
    concern.save(
        update_fields=["status", "handled_by", "response", "resolved_at", "updated_at", "category"]
    )
    audit_record(
        actor=coordinator,
        action=AuditAction.CONCERN_UPDATED,
        target=concern,
        status=status,
        responded=bool(response),
        category=concern.category,
    )
    if became_urgent:
        safeguarding_alert(concern=concern, pairing=held, actor=coordinator)
    if concern.raised_by_id is not None:  # else they have left: nobody to tell
        notify(
            user=concern.raised_by,
            kind=NotificationKind.CONCERN_UPDATED,
            text=_("There is news about something you raised."),
            link=reverse("care:concern", args=[concern.pk]),
        )
    return concern


# -- safety flags ---------------------------------------------------------------------------


@transaction.atomic
def safety_flag_raise(*, supporter: User, pairing: Pairing, category: str, text: str) -> SafetyFlag:
    """Danger to self, to others, or a child at risk: every coordinator is told at once (in the
    app, and by a discreet email queued for after the commit)."""
    # Its survivor may be deleting their account at this very moment, and deleting waits for
    # an open flag (peersupport.mydata.services.survivor_erase): whichever locks the survivor
    # first goes first.
    refused = _("You can only flag something about a person you support.")
    pairing = locking.lock_pairing(pairing.pk, supporter_id=supporter.pk, gone=refused).pairing
    if pairing.state not in CAPACITY_STATES:
        raise ValidationError(refused)
    if category not in FlagCategory.values:
        raise ValidationError({"category": _("Choose one of the options shown.")})
    text = clean_text(text, field="text")
    flag = SafetyFlag.objects.create(
        pairing=pairing, raised_by=supporter, category=category, text=text
    )
    audit_record(
        actor=supporter,
        action=AuditAction.FLAG_RAISED,
        target=flag,
        pairing=pairing.pk,
        category=category,
    )
    # Every coordinator gets the email, even one who turned email notifications off.
    notify_coordinators(
        kind=NotificationKind.FLAG_NEW,
        text=_("Urgent: a supporter needs a coordinator now. Please look at their flag."),
        link=reverse("team:flag", args=[flag.pk]),
        force_email=True,
    )
    return flag


def safety_flag_record_view(*, flag: SafetyFlag, coordinator: User) -> None:
    if coordinator.role == Role.COORDINATOR:
        audit_record(actor=coordinator, action=AuditAction.FLAG_VIEWED, target=flag)


@transaction.atomic
def safety_flag_act(*, flag_id: int, coordinator: User, kind: str, note: str = "") -> FlagAction:
    """A coordinator takes the flag on, adds a note, or closes it. Each is recorded."""
    _require_coordinator(coordinator)
    flag = SafetyFlag.objects.select_for_update().get(pk=flag_id)
    if kind not in FlagActionKind.values:
        raise ValidationError({"kind": _("Choose one of the options shown.")})
    note = clean_text(note, field="note", required=kind == FlagActionKind.NOTE)
    now = timezone.now()
    if flag.status == FlagStatus.CLOSED:
        raise ValidationError(_("This flag is closed."))
    fields: list[str] = []
    if kind == FlagActionKind.ACKNOWLEDGED:
        if flag.status != FlagStatus.OPEN:
            raise ValidationError(_("A coordinator has already taken this on."))
        flag.status, flag.acknowledged_by, flag.acknowledged_at = (
            FlagStatus.ACKNOWLEDGED,
            coordinator,
            now,
        )
        fields = ["status", "acknowledged_by", "acknowledged_at"]
    elif kind == FlagActionKind.CLOSED:
        if flag.acknowledged_by_id is None:
            flag.acknowledged_by, flag.acknowledged_at = coordinator, now
            fields += ["acknowledged_by", "acknowledged_at"]
        flag.status, flag.closed_at = FlagStatus.CLOSED, now
        fields += ["status", "closed_at"]
    if fields:
        flag.save(update_fields=fields)
    action = FlagAction.objects.create(flag=flag, actor=coordinator, kind=kind, note=note, at=now)
    audit_record(
        actor=coordinator, action=AuditAction(f"flag.{kind}"), target=flag, noted=bool(note)
    )
    if kind != FlagActionKind.NOTE and flag.raised_by_id is not None:
        notify(
            user=flag.raised_by,
            kind=NotificationKind.FLAG_UPDATED,
            text=_("A coordinator has responded to your flag."),
            link=reverse("care:flag", args=[flag.pk]),
        )
    return action


# -- debriefs -------------------------------------------------------------------------------


def _approved(user: User) -> bool:
    profile = getattr(user, "supporter_profile", None)
    return (
        user.role == Role.SUPPORTER
        and profile is not None
        and profile.status == SupporterStatus.APPROVED
    )


@transaction.atomic
def debrief_volunteer_set(*, user: User, volunteer: bool) -> bool:
    if volunteer and not _approved(user):
        raise ValidationError(_("Only approved supporters who are not paused can volunteer."))
    if volunteer:
        _row, changed = DebriefVolunteer.objects.get_or_create(user=user)
    else:
        changed = DebriefVolunteer.objects.filter(user=user).delete()[0] > 0
    if changed:
        audit_record(
            actor=user,
            action=AuditAction.DEBRIEF_VOLUNTEERED
            if volunteer
            else AuditAction.DEBRIEF_VOLUNTEER_STOPPED,
            target=user,
        )
    return volunteer


# Pseudonyms that are also everyday words: "I hope" must not read as naming "Hope". These
# count as a name only when written with a capital letter.
EVERYDAY_WORD_NAMES = frozenset(
    [
        "amber",
        "angel",
        "april",
        "ash",
        "autumn",
        "bear",
        "birch",
        "blessing",
        "blue",
        "brave",
        "bright",
        "brook",
        "buddy",
        "calm",
        "charity",
        "cliff",
        "dale",
        "dawn",
        "destiny",
        "dove",
        "echo",
        "faith",
        "fern",
        "free",
        "friend",
        "frost",
        "glen",
        "grace",
        "guest",
        "happy",
        "harmony",
        "hazel",
        "heath",
        "hero",
        "honey",
        "hope",
        "ivy",
        "jay",
        "joy",
        "june",
        "kind",
        "lark",
        "light",
        "lily",
        "love",
        "lucky",
        "may",
        "melody",
        "mercy",
        "moss",
        "nova",
        "oak",
        "ocean",
        "patience",
        "peace",
        "pearl",
        "person",
        "prudence",
        "quiet",
        "rain",
        "reed",
        "rest",
        "river",
        "robin",
        "rose",
        "rowan",
        "ruby",
        "sage",
        "serenity",
        "sky",
        "snow",
        "someone",
        "star",
        "still",
        "storm",
        "summer",
        "sunny",
        "sunshine",
        "true",
        "unity",
        "user",
        "will",
        "wolf",
        "wren",
    ]
)


def _names_of_people_supported(supporter: User) -> list[str]:
    names = Pairing.objects.filter(supporter=supporter).values_list(
        "survivor__display_name", flat=True
    )
    return [name.strip() for name in set(names) if name and len(name.strip()) >= 2]


def _names_someone(text: str, name: str) -> bool:
    """Whole words only ("Al" is not in "always"); an everyday word only when capitalised."""
    if name.lower() in EVERYDAY_WORD_NAMES:
        first = re.escape(name[0].upper())
        pattern = rf"(?<!\w){first}(?i:{re.escape(name[1:])})(?!\w)"
        return re.search(pattern, text) is not None
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None


@transaction.atomic
def debrief_request(*, supporter: User, text: str) -> DebriefRequest:
    """Ask the network for a debrief, without naming the person supported."""
    if supporter.role != Role.SUPPORTER or not getattr(supporter, "supporter_profile", None):
        raise ValidationError(_("Only peer supporters can ask for a debrief."))
    if supporter.supporter_profile.status not in (SupporterStatus.APPROVED, SupporterStatus.PAUSED):
        raise ValidationError(_("Only approved peer supporters can ask for a debrief."))
    text = clean_text(text, field="text")
    for name in _names_of_people_supported(supporter):
        if _names_someone(text, name):
            raise ValidationError(
                {"text": _("This seems to name someone you support. Please leave names out.")}
            )
    debrief = DebriefRequest.objects.create(requested_by=supporter, text=text)
    audit_record(actor=supporter, action=AuditAction.DEBRIEF_REQUESTED, target=debrief)
    link = reverse("care:debrief", args=[debrief.pk])
    volunteers = (
        User.objects.filter(
            debrief_volunteer__isnull=False,
            is_active=True,
            supporter_profile__status=SupporterStatus.APPROVED,
        )
        .exclude(pk=supporter.pk)
        .only("pk", "email_notifications", "is_active")
    )
    for volunteer in volunteers:
        notify(
            user=volunteer,
            kind=NotificationKind.DEBRIEF_NEW,
            text=_("A fellow supporter would like to debrief."),
            link=link,
            email=False,
        )
    notify_coordinators(
        kind=NotificationKind.DEBRIEF_NEW,
        text=_("A supporter would like to debrief."),
        link=reverse("team:debrief", args=[debrief.pk]),
        email=False,
    )
    return debrief


def _may_pick_up(user: User, debrief: DebriefRequest) -> bool:
    if user.pk == debrief.requested_by_id:
        return False
    if user.role == Role.COORDINATOR:
        return True
    return _approved(user) and DebriefVolunteer.objects.filter(user=user).exists()


@transaction.atomic
def debrief_pick_up(*, debrief_id: int, user: User) -> DebriefRequest:
    debrief = DebriefRequest.objects.select_for_update().get(pk=debrief_id)
    if not _may_pick_up(user, debrief):
        raise ValidationError(_("Only a coordinator or a debrief volunteer can pick this up."))
    if debrief.status != DebriefStatus.OPEN:
        raise ValidationError(_("Someone has already picked this up."))
    debrief.status = DebriefStatus.PICKED_UP
    debrief.picked_up_by = user
    debrief.picked_up_at = timezone.now()
    debrief.save(update_fields=["status", "picked_up_by", "picked_up_at"])
    audit_record(actor=user, action=AuditAction.DEBRIEF_PICKED_UP, target=debrief)
    notify(
        user=debrief.requested_by,
        kind=NotificationKind.DEBRIEF_PICKED_UP,
        text=_("Someone has picked up your debrief request."),
        link=reverse("care:debrief", args=[debrief.pk]),
    )
    return debrief


@transaction.atomic
def debrief_message_add(*, debrief_id: int, user: User, text: str) -> DebriefMessage:
    debrief = DebriefRequest.objects.select_for_update().get(pk=debrief_id)
    if user.pk not in (debrief.requested_by_id, debrief.picked_up_by_id):
        raise ValidationError(_("Only the two people in this debrief can write here."))
    if debrief.status != DebriefStatus.PICKED_UP:
        raise ValidationError(_("Messages can be written once it is picked up and until closed."))
    text = clean_text(text, field="text")
    message = DebriefMessage.objects.create(debrief=debrief, author=user, text=text)
    audit_record(actor=user, action=AuditAction.DEBRIEF_MESSAGE, target=debrief)
    other_id = (
        debrief.picked_up_by_id if user.pk == debrief.requested_by_id else debrief.requested_by_id
    )
    recipient = User.objects.get(pk=other_id)
    notify(
        user=recipient,
        kind=NotificationKind.DEBRIEF_MESSAGE,
        text=_("There is a new message in a debrief."),
        link=reverse(
            "team:debrief" if recipient.role == Role.COORDINATOR else "care:debrief",
            args=[debrief.pk],
        ),
        email=False,
    )
    return message


@transaction.atomic
def debrief_close(*, debrief_id: int, user: User) -> DebriefRequest:
    debrief = DebriefRequest.objects.select_for_update().get(pk=debrief_id)
    if user.pk not in (debrief.requested_by_id, debrief.picked_up_by_id) and (
        user.role != Role.COORDINATOR
    ):
        raise ValidationError(_("Only the people in this debrief can close it."))
    if debrief.status == DebriefStatus.CLOSED:
        raise ValidationError(_("This debrief is already closed."))
    debrief.status = DebriefStatus.CLOSED
    debrief.closed_at = timezone.now()
    debrief.save(update_fields=["status", "closed_at"])
    audit_record(actor=user, action=AuditAction.DEBRIEF_CLOSED, target=debrief)
    return debrief


# -- change requests and blocks -------------------------------------------------------------


@transaction.atomic
def change_request_open(*, user: User, pairing: Pairing, reason: str = "") -> ChangeRequest:
    """A survivor asks for a different supporter (no reason needed), or a supporter asks to
    hand over (with a reason for the coordinators). The reassignment is the coordinators'."""
    _party_or_error(pairing, user)
    ended = _("This pairing has already ended.")
    pairing = locking.lock_pairing(pairing.pk, gone=ended).pairing
    if pairing.state not in CAPACITY_STATES:
        raise ValidationError(ended)
    is_survivor = user.pk == pairing.survivor_id
    kind = ChangeKind.CHANGE if is_survivor else ChangeKind.HANDOVER
    reason = clean_text(reason, field="reason", required=not is_survivor)
    already = _("You have already asked. A coordinator will be in touch.")
    if ChangeRequest.objects.open().filter(pairing=pairing, kind=kind).exists():
        raise ValidationError(already)
    try:
        with transaction.atomic():
            change = ChangeRequest.objects.create(
                pairing=pairing, kind=kind, requested_by=user, reason=reason
            )
    except IntegrityError as error:
        raise ValidationError(already) from error
    audit_record(
        actor=user,
        action=AuditAction(f"change.{kind}"),
        target=change,
        pairing=pairing.pk,
        given=bool(reason),
    )
    notify_coordinators(
        kind=NotificationKind(f"change.{kind}"),
        text=(
            _("Someone has asked for a different peer supporter.")
            if is_survivor
            else _("A supporter has asked to hand over a pairing.")
        ),
        link=reverse("team:change", args=[change.pk]),
        email=False,
    )
    return change


@transaction.atomic
def change_request_close(*, request_id: int, actor: User, status: str) -> ChangeRequest:
    """A coordinator marks it done (or withdrawn); the person who asked may withdraw it."""
    change = locking.lock_with_survivor(
        ChangeRequest.objects.all(),
        request_id,
        survivor_field="pairing__survivor_id",
        gone=_("This request is no longer there (the person may have left). Nothing was saved."),
    )
    if change.status != ChangeStatus.OPEN:
        raise ValidationError(_("This request has already been closed."))
    if actor.role == Role.COORDINATOR:
        allowed = (ChangeStatus.DONE, ChangeStatus.WITHDRAWN)
    elif actor.pk == change.requested_by_id:
        allowed = (ChangeStatus.WITHDRAWN,)
    else:
        raise ValidationError(_("You cannot change this request."))
    if status not in allowed:
        raise ValidationError(_("That change is not possible."))
    change.status = status
    change.closed_by = actor
    change.closed_at = timezone.now()
    change.save(update_fields=["status", "closed_by", "closed_at"])
    audit_record(actor=actor, action=AuditAction(f"change.{status}"), target=change)
    if actor.pk != change.requested_by_id:
        notify(
            user=change.requested_by,
            kind=NotificationKind.CHANGE_CLOSED,
            text=_("A coordinator has dealt with your request."),
            link=reverse("care:change", args=[change.pk]),
        )
    return change


@transaction.atomic
def supporter_block(*, survivor: User, pairing_id: int) -> Block:
    """The survivor never wants this supporter again: the pairing pauses at once (so the
    supporter loses access), coordinators are told, and the matcher never offers them again."""
    refused = _("You can only block a supporter you have been paired with.")
    pairing = locking.lock_pairing(pairing_id, survivor_id=survivor.pk, gone=refused).pairing
    if not survivor_may_see_supporter(pairing):
        raise ValidationError(refused)
    try:
        with transaction.atomic():
            block = Block.objects.create(survivor=survivor, supporter=pairing.supporter)
    except IntegrityError as error:
        raise ValidationError(_("You have already blocked this supporter.")) from error
    if pairing.state == PairingState.ACTIVE:
        lifecycle.transition(
            pairing, to_state=PairingState.PAUSED, actor=survivor, reason=TransitionReason.BLOCKED
        )
    link = reverse("team:changes")
    if pairing.state != PairingState.ENDED:
        change, _created = ChangeRequest.objects.get_or_create(
            pairing=pairing,
            kind=ChangeKind.BLOCKED,
            status=ChangeStatus.OPEN,
            defaults={"requested_by": survivor},
        )
        link = reverse("team:change", args=[change.pk])
    audit_record(actor=survivor, action=AuditAction.BLOCK_CREATED, target=block, pairing=pairing.pk)
    notify_coordinators(
        kind=NotificationKind.PAIRING_BLOCKED,
        text=_("A pairing was paused at a person's request and needs a coordinator."),
        link=link,
    )
    return block
