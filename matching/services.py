"""Every write in matching: requests, proposals (one, or the matcher's run in bulk), offers,
and the pairing lifecycle.

Each service runs in a transaction and writes its transition/audit rows. Locks, in the one
order of matching/locking.py: the survivor's user row (so deleting the account waits, or is
waited for), the supporter's profile row guards capacity (offering and accepting lock it; who
may be offered someone is eligibility.py's rule), the request, the pairing row guards its
state. Emails are queued with transaction.on_commit (through peersupport.people.notifications).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from ethics.agreements.selectors import outstanding_agreements
from peersupport.people.events import AuditAction, NotificationKind
from peersupport.people.models import BARRED_SUPPORTER_STATUSES, SupporterProfile, User
from peersupport.people.notifications import notify, notify_coordinators
from peersupport.people.services import audit_record

from . import eligibility, engine, lifecycle, locking, queue_cache
from .eligibility import Refusal
from .explanations import explain_now, explanation_data
from .models import (
    Block,
    EndReason,
    Pairing,
    PairingState,
    RequestStatus,
    SupportRequest,
    TransitionReason,
)

# -- requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestData:
    areas_must: list
    areas_nice: list
    languages: list
    meeting_modes: list
    time_zone: str
    availability: int
    gender_pref: object | None
    gender_must: bool
    relationship_pref: str
    relationship_must: bool
    note_for_supporter: str


def _validate_request_data(data: RequestData) -> None:
    errors = {}
    if not data.languages:
        errors["languages"] = _("Choose at least one language.")
    if not data.meeting_modes:
        errors["meeting_modes"] = _("Choose at least one way to meet.")
    if data.gender_must and data.gender_pref is None:
        errors["gender_pref"] = _("Choose a gender, or untick “must”.")
    if data.relationship_must and not data.relationship_pref:
        errors["relationship_pref"] = _("Choose a preference, or untick “must”.")
    if errors:
        raise ValidationError(errors)


def _apply_request_data(request: SupportRequest, data: RequestData) -> None:
    request.time_zone = data.time_zone
    request.availability = data.availability
    request.gender_pref = data.gender_pref
    request.gender_must = data.gender_must
    request.relationship_pref = data.relationship_pref
    request.relationship_must = data.relationship_must
    request.note_for_supporter = data.note_for_supporter
    request.save()
    request.areas_must.set(data.areas_must)
    request.areas_nice.set([a for a in data.areas_nice if a not in set(data.areas_must)])
    request.languages.set(data.languages)
    request.meeting_modes.set(data.meeting_modes)


@transaction.atomic
def request_open(
    *, survivor: User, data: RequestData, previous_pairing: Pairing | None = None
) -> SupportRequest:
    if not survivor.is_survivor:
        raise ValidationError(_("Only people seeking support can ask for a peer supporter."))
    if outstanding_agreements(survivor):
        raise ValidationError(
            _("Please read and acknowledge what to expect before asking for a peer supporter.")
        )
    _validate_request_data(data)
    if SupportRequest.objects.live().filter(survivor=survivor).exists():
        raise ValidationError(_("You already have a request open or a supporter."))
    request = SupportRequest(survivor=survivor, previous_pairing=previous_pairing)
    try:
        with transaction.atomic():
            _apply_request_data(request, data)
    except IntegrityError as error:  # a concurrent request won the race
        raise ValidationError(_("You already have a request open or a supporter.")) from error
    audit_record(actor=survivor, action=AuditAction.REQUEST_OPENED, target=request)
    return request


def _lock_request(request_id: int) -> SupportRequest:
    return SupportRequest.objects.select_for_update().get(pk=request_id)


def _pending_pairing(request: SupportRequest) -> Pairing | None:
    return Pairing.objects.select_for_update().filter(request=request).open_offers().first()


@transaction.atomic
def request_update(*, request_id: int, survivor: User, data: RequestData) -> SupportRequest:
    request = _lock_request(request_id)
    if request.survivor_id != survivor.pk or request.status != RequestStatus.OPEN:
        raise ValidationError(_("This request can no longer be changed."))
    _validate_request_data(data)
    pending = _pending_pairing(request)
    if pending is not None:
        # What the supporter was shown is no longer true: take the offer back.
        lifecycle.transition(
            pending, to_state=PairingState.ENDED, actor=survivor, reason=EndReason.WITHDRAWN
        )
    _apply_request_data(request, data)
    audit_record(actor=survivor, action=AuditAction.REQUEST_UPDATED, target=request)
    return request


@transaction.atomic
def request_withdraw(*, request_id: int, survivor: User) -> SupportRequest:
    request = _lock_request(request_id)
    if request.survivor_id != survivor.pk or request.status != RequestStatus.OPEN:
        raise ValidationError(_("This request is no longer open."))
    pending = _pending_pairing(request)
    if pending is not None:
        lifecycle.transition(
            pending,
            to_state=PairingState.ENDED,
            actor=survivor,
            reason=EndReason.REQUEST_WITHDRAWN,
        )
    request.status = RequestStatus.WITHDRAWN
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=survivor, action=AuditAction.REQUEST_WITHDRAWN, target=request)
    return request


# -- offers -------------------------------------------------------------------------------


def _offer_link(pairing: Pairing) -> str:
    return reverse("matching:offer", args=[pairing.pk])


@transaction.atomic
def pairing_propose(
    *,
    request: SupportRequest,
    supporter: User,
    actor: User | None,
    score: int = 0,
    explanation: list | None = None,
    previous: Pairing | None = None,
) -> Pairing:
    """Store a proposal. Without an `explanation`, it is computed now (and the score is its
    sum), so the explanation a coordinator reads always sums to the stored score."""
    if explanation is None:
        components = explain_now(request.pk, supporter.pk)
        if components:
            explanation = explanation_data(components)
            score = sum(c.points_int for c in components)
    pairing = Pairing.objects.create(
        request=request,
        survivor_id=request.survivor_id,
        supporter=supporter,
        state=PairingState.PROPOSED,
        score=score,
        explanation=explanation or [],
        previous=previous,
    )
    lifecycle.record_creation(
        pairing, actor=actor, reason=TransitionReason.MATCHER if actor is None else ""
    )
    return pairing


@dataclass(frozen=True)
class Proposal:
    """One pair the matcher chose, with why (its score is the components' sum)."""

    request_id: int
    survivor_id: int
    supporter_id: int
    components: list[engine.Component]


@transaction.atomic(savepoint=False)
def pairings_propose_bulk(
    *, proposals: Sequence[Proposal], actor: User | None, **counts: int
) -> list[int]:
    """Store the matcher's proposals at once: each pairing with its explanation and score,
    its first transition (reason "matcher"), and one audit row for the run ("matching.run":
    how many proposals, and the run's other `counts`, never names). Returns their ids.

    A fixed number of queries: one insert per lifecycle.BULK_BATCH pairings and as many for
    their transitions, and the audit row. The run calls it in its own transaction, which holds
    the locks on the requests proposed for (hence no savepoint: nothing here is retried)."""
    now = timezone.now()
    pairings = [
        Pairing(
            request_id=p.request_id,
            survivor_id=p.survivor_id,
            supporter_id=p.supporter_id,
            state=PairingState.PROPOSED,
            score=sum(c.points_int for c in p.components),
            explanation=explanation_data(p.components),
            created_at=now,
        )
        for p in proposals
    ]
    created = Pairing.objects.bulk_create(pairings, batch_size=lifecycle.BULK_BATCH)
    queue_cache.invalidate()  # a bulk insert sends no post_save
    lifecycle.record_creations(created, actor=actor, reason=TransitionReason.MATCHER)
    audit_record(actor=actor, action=AuditAction.MATCHING_RUN, proposals=len(created), **counts)
    return [p.pk for p in created]


@transaction.atomic
def pairing_offer(*, pairing_id: int, actor: User | None) -> Pairing:
    """Turn a proposal into an offer to the supporter. If the supporter may not be offered
    this person now (eligibility.refusal: paused, full, agreements to acknowledge, blocked,
    ...), the proposal is withdrawn instead and the returned pairing is ended: check
    `pairing.state`. So is a proposal whose request is no longer open."""
    handled = _("This proposal has already been handled.")
    locked = locking.lock_pairing(
        pairing_id, supporters_profile=True, with_request=True, gone=handled
    )
    profile, request, pairing = locked.profile, locked.request, locked.pairing
    if pairing.state != PairingState.PROPOSED:
        raise lifecycle.TransitionError(handled)
    if request.status != RequestStatus.OPEN:
        reason = (
            EndReason.REQUEST_WITHDRAWN
            if request.status == RequestStatus.WITHDRAWN
            else EndReason.WITHDRAWN
        )
        lifecycle.transition(pairing, to_state=PairingState.ENDED, actor=actor, reason=reason)
        return pairing
    if profile is None or eligibility.refusal(
        profile,
        survivor_id=pairing.survivor_id,
        request_id=pairing.request_id,
        offer_id=pairing.pk,
    ):
        lifecycle.transition(
            pairing, to_state=PairingState.ENDED, actor=actor, reason=EndReason.WITHDRAWN
        )
        return pairing
    pairing.offer_expires_at = timezone.now() + timedelta(hours=settings.OFFER_TTL_HOURS)
    lifecycle.transition(
        pairing, to_state=PairingState.OFFERED, actor=actor, extra_fields=("offer_expires_at",)
    )
    notify(
        user=pairing.supporter,
        kind=NotificationKind.OFFER_NEW,
        text=_("Someone new has been offered to you. Please answer the offer."),
        link=_offer_link(pairing),
    )
    return pairing


def proposals_offer(*, pairing_ids: Iterable[int], actor: User | None) -> int:
    """Offer each of these proposals (the matcher's run, when it offers at once), each in a
    transaction of its own as `pairing_offer`, so a supporter's lock is held for one offer
    only. A proposal handled meanwhile (e.g. a coordinator discarded it) is left as it is.
    Returns how many became offers."""
    offered = 0
    for pairing_id in pairing_ids:
        try:
            pairing = pairing_offer(pairing_id=pairing_id, actor=actor)
        except ValidationError:
            continue
        offered += pairing.state == PairingState.OFFERED
    return offered


# What a supporter reads when they may not accept an offer now.
_ACCEPT_REFUSAL_TEXT = {
    Refusal.PAUSED: _lazy("You are paused: resume before accepting someone new."),
    Refusal.NOT_APPROVED: _lazy("You are paused: resume before accepting someone new."),
    Refusal.AGREEMENTS: _lazy(
        "Please read and acknowledge the current agreements before accepting someone new."
    ),
    Refusal.FULL: _lazy("Accepting would take you over the number you can support."),
}


@transaction.atomic
def offer_accept(*, pairing_id: int, supporter: User) -> Pairing:
    """The supporter says yes. Their profile row is locked so two acceptances at once can
    never take them over capacity."""
    no_longer_open = _("This offer is no longer open.")
    locked = locking.lock_pairing(
        pairing_id,
        supporter_id=supporter.pk,
        supporters_profile=True,
        with_request=True,
        gone=no_longer_open,
    )
    profile, request, pairing = locked.profile, locked.request, locked.pairing
    if (
        profile is None
        or pairing.state != PairingState.OFFERED
        or request.status != RequestStatus.OPEN
    ):
        raise ValidationError(no_longer_open)
    if pairing.offer_expires_at and pairing.offer_expires_at <= timezone.now():
        raise ValidationError(_("This offer has expired."))
    why = eligibility.refusal(
        profile,
        survivor_id=pairing.survivor_id,
        request_id=pairing.request_id,
        offer_id=pairing.pk,
        accepting=True,
    )
    if why is not None:
        # Not accepting new people, or this person excluded: neither is ever offered (closing
        # to new people withdraws open offers), so such an offer is as good as gone.
        raise ValidationError(
            str(_ACCEPT_REFUSAL_TEXT.get(why, _("This offer is no longer open.")))
        )
    lifecycle.transition(pairing, to_state=PairingState.AWAITING_AGREEMENT, actor=supporter)
    request.status = RequestStatus.MATCHED
    request.save(update_fields=["status", "updated_at"])
    notify(
        user=pairing.survivor,
        kind=NotificationKind.PAIRING_ACCEPTED,
        text=_("A peer supporter is ready for you. Your pairing starts once you both agree."),
        link=reverse("matching:pairing", args=[pairing.pk]),
    )
    notify_coordinators(
        kind=NotificationKind.PAIRING_ACCEPTED,
        text=_("An offer was accepted."),
        link=reverse("team:proposals"),
        email=False,
    )
    if eligibility.places_held(supporter.pk) >= profile.capacity:
        offers_withdraw_for(supporter=supporter, actor=None, keep=pairing.pk)
    _activate_if_ready(pairing)
    return pairing


@transaction.atomic
def offer_decline(*, pairing_id: int, supporter: User, note: str = "") -> Pairing:
    pairing = Pairing.objects.select_for_update().get(pk=pairing_id, supporter=supporter)
    if pairing.state != PairingState.OFFERED:
        raise ValidationError(_("This offer is no longer open."))
    lifecycle.transition(
        pairing,
        to_state=PairingState.ENDED,
        actor=supporter,
        reason=EndReason.DECLINED,
        note=note,
    )
    notify_coordinators(
        kind=NotificationKind.OFFER_DECLINED,
        text=_("An offer was declined; the request is back in the queue."),
        link=reverse("team:proposals"),
        email=False,
    )
    return pairing


@transaction.atomic
def proposal_discard(*, pairing_id: int, actor: User) -> Pairing:
    """A coordinator sets a proposal aside; the request goes back to the queue."""
    pairing = Pairing.objects.select_for_update().get(pk=pairing_id)
    if pairing.state != PairingState.PROPOSED:
        raise ValidationError(_("This proposal has already been handled."))
    lifecycle.transition(
        pairing, to_state=PairingState.ENDED, actor=actor, reason=EndReason.WITHDRAWN
    )
    return pairing


@transaction.atomic
def offers_withdraw_for(*, supporter: User, actor: User | None, keep: int | None = None) -> int:
    """Take back this supporter's open proposals and offers (paused, or full): the requests
    go back to the queue at once.

    Called under the lock on the supporter's profile. The pairings are locked by id, without
    their survivors' user rows: withdrawing writes nothing of the survivors' (no request, no
    notice to them), so it never waits for a user row while holding a pairing."""
    pending = (
        Pairing.objects.select_for_update().filter(supporter=supporter).open_offers().order_by("pk")
    )
    if keep is not None:
        pending = pending.exclude(pk=keep)
    count = 0
    for pairing in pending:
        lifecycle.transition(
            pairing, to_state=PairingState.ENDED, actor=actor, reason=EndReason.WITHDRAWN
        )
        count += 1
    if count:
        if actor is None or actor.pk != supporter.pk:
            notify(
                user=supporter,
                kind=NotificationKind.OFFER_WITHDRAWN,
                text=_("Your open offers have been withdrawn."),
                link=reverse("home"),
                email=False,
            )
        if actor is None or not actor.is_coordinator:
            notify_coordinators(
                kind=NotificationKind.OFFER_WITHDRAWN,
                text=_("Offers were withdrawn; the requests are back in the queue."),
                link=reverse("team:proposals"),
                email=False,
            )
    return count


def offers_expire(*, now=None) -> int:
    """End the offers whose time ran out; their requests return to the queue."""
    now = now or timezone.now()
    expired_ids = list(
        Pairing.objects.filter(state=PairingState.OFFERED, offer_expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    count = 0
    for pairing_id in expired_ids:
        with transaction.atomic():
            pairing = (
                Pairing.objects.select_for_update(skip_locked=True)
                .filter(pk=pairing_id, state=PairingState.OFFERED, offer_expires_at__lte=now)
                .first()
            )
            if pairing is None:
                continue
            lifecycle.transition(
                pairing, to_state=PairingState.ENDED, actor=None, reason=EndReason.EXPIRED
            )
            notify(
                user=pairing.supporter,
                kind=NotificationKind.OFFER_EXPIRED,
                text=_("An offer was not answered in time and has closed."),
                link=reverse("home"),
                email=False,
            )
            count += 1
    if count:
        # One notice for the sweep, however many offers it closed.
        notify_coordinators(
            kind=NotificationKind.OFFER_EXPIRED,
            text=ngettext(
                "An offer expired; the request is back in the queue.",
                "%(count)d offers expired; the requests are back in the queue.",
                count,
            )
            % {"count": count},
            link=reverse("team:proposals"),
            email=False,
        )
    return count


# -- starting, pausing, ending --------------------------------------------------------------


def _activate_if_ready(pairing: Pairing) -> bool:
    if pairing.state != PairingState.AWAITING_AGREEMENT or pairing.safeguarding_hold:
        return False  # a pairing held for safeguarding waits for a coordinator
    if outstanding_agreements(pairing.survivor) or outstanding_agreements(pairing.supporter):
        return False
    lifecycle.transition(
        pairing, to_state=PairingState.ACTIVE, actor=None, reason=TransitionReason.AGREED
    )
    for person in (pairing.survivor, pairing.supporter):
        notify(
            user=person,
            kind=NotificationKind.PAIRING_ACTIVE,
            text=_("Your pairing has started."),
            link=reverse("matching:pairing", args=[pairing.pk]),
        )
    return True


@transaction.atomic
def pairings_activate_ready(*, user: User) -> int:
    """After `user` acknowledged agreements: start their pairings where both sides have
    acknowledged the versions current now."""
    waiting = Pairing.objects.filter(
        Q(survivor=user) | Q(supporter=user), state=PairingState.AWAITING_AGREEMENT
    ).order_by("pk")
    started = 0
    for pairing_id in list(waiting.values_list("pk", flat=True)):
        # The one lock order: the survivor, then the pairing (a deletion may win: skip it).
        try:
            pairing = locking.lock_pairing(pairing_id).pairing
        except locking.RowGone:
            continue
        started += _activate_if_ready(pairing)
    return started


def _party(pairing: Pairing, user: User) -> bool:
    return user.pk in (pairing.survivor_id, pairing.supporter_id) or user.is_coordinator


@transaction.atomic
def pairing_set_paused(*, pairing_id: int, actor: User, paused: bool, note: str = "") -> Pairing:
    # The other side is told: their user row may be the survivor's, so the order starts there.
    pairing = locking.lock_pairing(pairing_id, gone=_("This pairing has already ended.")).pairing
    if not _party(pairing, actor):
        raise ValidationError(_("You are not part of this pairing."))
    if (
        not paused
        and Block.objects.filter(
            survivor_id=pairing.survivor_id, supporter_id=pairing.supporter_id
        ).exists()
    ):
        raise ValidationError(
            _("This pairing stays paused: a coordinator will help you find another supporter.")
        )
    if not paused and pairing.safeguarding_hold and not actor.is_coordinator:
        # Held for safeguarding (matching/holds.py): only a coordinator lifts it.
        raise ValidationError(_("This pairing stays paused until a coordinator resumes it."))
    if not paused and (
        SupporterProfile.objects.filter(
            user_id=pairing.supporter_id, status__in=BARRED_SUPPORTER_STATUSES
        ).exists()
    ):
        raise ValidationError(
            _("The supporter is suspended: reinstate them first, or reassign the pairing.")
        )
    pairing.safeguarding_hold = pairing.safeguarding_hold and paused
    lifecycle.transition(
        pairing,
        to_state=PairingState.PAUSED if paused else PairingState.ACTIVE,
        actor=actor,
        reason=TransitionReason.PAUSED if paused else TransitionReason.RESUMED,
        note=note if actor.is_coordinator else "",
        extra_fields=("safeguarding_hold",),
    )
    text = _("Your pairing has been paused.") if paused else _("Your pairing has resumed.")
    for person in _other_parties(pairing, actor):
        notify(
            user=person,
            kind=NotificationKind.PAIRING_PAUSED if paused else NotificationKind.PAIRING_RESUMED,
            text=text,
            link=reverse("matching:pairing", args=[pairing.pk]),
        )
    return pairing


def _other_parties(pairing: Pairing, actor: User) -> list[User]:
    """The survivor and the supporter, except whoever acted."""
    return [person for person in (pairing.survivor, pairing.supporter) if person.pk != actor.pk]


@transaction.atomic
def pairing_end(
    *,
    pairing_id: int,
    actor: User,
    reason: str,
    note: str = "",
    reopen: bool = False,
    notify_parties: bool | None = None,
) -> tuple[Pairing, SupportRequest | None]:
    """End a started pairing. With `reopen`, the survivor gets a new open request (same
    wishes) linked to this pairing, in the same transaction, so they are never left
    without a request or a pairing.

    The survivor and supporter (except whoever ended it) are told it ended, in neutral
    words, never why; coordinators too when one of them did not end it. By default not
    with `reopen`: a reassignment tells each side itself what concerns them."""
    locked = locking.lock_pairing(
        pairing_id, with_request=True, gone=_("This pairing has already ended.")
    )
    request, pairing = locked.request, locked.pairing
    if not _party(pairing, actor):
        raise ValidationError(_("You are not part of this pairing."))
    lifecycle.transition(
        pairing, to_state=PairingState.ENDED, actor=actor, reason=reason, note=note
    )
    if request.status in (RequestStatus.MATCHED, RequestStatus.OPEN):
        request.status = RequestStatus.CLOSED
        request.closed_at = timezone.now()
        request.save(update_fields=["status", "closed_at", "updated_at"])
    new_request = _reopen_request(request, pairing) if reopen else None
    if notify_parties if notify_parties is not None else not reopen:
        for person in _other_parties(pairing, actor):
            notify(
                user=person,
                kind=NotificationKind.PAIRING_ENDED,
                text=(
                    _("One of your pairings has ended. Thank you for the support you gave.")
                    if person.pk == pairing.supporter_id
                    else _("Your pairing has ended.")
                ),
                link=reverse("home"),
            )
        if not actor.is_coordinator:
            notify_coordinators(
                kind=NotificationKind.PAIRING_ENDED,
                text=_("A pairing has ended."),
                link=reverse("team:pairing", args=[pairing.pk]),
                email=False,
            )
    return pairing, new_request


def _reopen_request(old: SupportRequest, pairing: Pairing) -> SupportRequest:
    new = SupportRequest.objects.create(
        survivor_id=old.survivor_id,
        previous_pairing=pairing,
        time_zone=old.time_zone,
        availability=old.availability,
        gender_pref=old.gender_pref,
        gender_must=old.gender_must,
        relationship_pref=old.relationship_pref,
        relationship_must=old.relationship_must,
        note_for_supporter=old.note_for_supporter,
    )
    new.areas_must.set(old.areas_must.all())
    new.areas_nice.set(old.areas_nice.all())
    new.languages.set(old.languages.all())
    new.meeting_modes.set(old.meeting_modes.all())
    audit_record(
        actor=None, action=AuditAction.REQUEST_REOPENED, target=new, previous_pairing=pairing.pk
    )
    return new
