"""Coordinators check before they continue: pausing or finishing a pairing, discarding a
proposal, declining an application, pausing a supporter. Each page says what will happen and
for whom, changes nothing, and its button posts to the view that always did the work (so its
refusals, lost races and 404s stay there). Coordinators only: anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from matching.access import get_pairing_for
from matching.models import PairingState
from peersupport.people.access import coordinator_required, get_application_for
from peersupport.people.confirm import confirm_page
from peersupport.people.models import SupporterStatus

from .forms import ReasonForm

TEAM_BASE = "team/base.html"


def _check(request, **kwargs):
    return confirm_page(request, base=TEAM_BASE, **kwargs)


@coordinator_required
def pairing_pause(request, pk: int):
    pairing = get_pairing_for(request.user, pk)
    if pairing.state != PairingState.ACTIVE:
        messages.info(request, _("This pairing is not active, so it cannot be paused."))
        return redirect("team:pairing", pk=pk)
    names = {"survivor": pairing.survivor.display_name, "supporter": pairing.supporter.display_name}
    return _check(
        request,
        heading=_("Do you want to pause the pairing of %(survivor)s with %(supporter)s?") % names,
        happens=[
            _("Their sessions and check-ins stop for now. Nothing is deleted."),
            _("Both of them are told that the pairing is paused, but not why."),
            _("Either of them, or a coordinator, can resume it."),
        ],
        action=reverse("team:pairing", args=[pk]),
        fields={"action": "pause"},
        confirm=_("Yes, pause the pairing"),
        back=reverse("team:pairing", args=[pk]),
    )


@coordinator_required
def pairing_finish(request, pk: int):
    pairing = get_pairing_for(request.user, pk)
    if pairing.state not in (PairingState.ACTIVE, PairingState.PAUSED):
        messages.info(request, _("This pairing has not started or has already ended."))
        return redirect("team:pairing", pk=pk)
    names = {"survivor": pairing.survivor.display_name, "supporter": pairing.supporter.display_name}
    return _check(
        request,
        heading=_("Do you want to record that %(survivor)s and %(supporter)s have finished?")
        % names,
        happens=[
            _("The pairing ends as completed. It cannot be started again."),
            _("Both of them are told that the pairing has ended."),
            _(
                "%(survivor)s has no open request afterwards, until they ask for a peer "
                "supporter again."
            )
            % names,
            _("%(supporter)s's place is free for someone new.") % names,
        ],
        action=reverse("team:pairing", args=[pk]),
        fields={"action": "complete"},
        confirm=_("Yes, end the pairing"),
        back=reverse("team:pairing", args=[pk]),
    )


@coordinator_required
def proposal_discard(request, pk: int):
    pairing = get_pairing_for(request.user, pk)
    if pairing.state != PairingState.PROPOSED:
        messages.info(request, _("This proposal has already been handled."))
        return redirect("team:proposals")
    names = {"survivor": pairing.survivor.display_name, "supporter": pairing.supporter.display_name}
    return _check(
        request,
        heading=_("Do you want to discard the proposal of %(supporter)s for %(survivor)s?") % names,
        happens=[
            _("Nobody is offered anything, and neither of them is told."),
            _("%(survivor)s's request goes back to the queue.") % names,
            _("The next matching run may propose a supporter again, possibly the same one."),
        ],
        action=reverse("team:proposal_decide", args=[pk]),
        fields={"decision": "discard"},
        confirm=_("Yes, discard the proposal"),
        back=reverse("team:proposals"),
    )


@coordinator_required
def application_decline(request, pk: int):
    profile = get_application_for(request.user, pk)
    if profile.status != SupporterStatus.APPLIED:
        messages.info(request, _("This application has already been decided."))
        return redirect("team:application", pk=pk)
    name = profile.user.display_name
    return _check(
        request,
        heading=_("Do you want to decline the application from %(name)s?") % {"name": name},
        happens=[
            _("%(name)s cannot support anyone through the service.") % {"name": name},
            _(
                "We tell them their application has been reviewed; they read your reason on "
                "their home page."
            ),
            _("This cannot be undone."),
        ],
        action=reverse("team:application", args=[pk]),
        fields={"decision": "decline"},
        form=ReasonForm(label=_("Reason (they will read this)"), required=True),
        confirm=_("Yes, decline the application"),
        back=reverse("team:application", args=[pk]),
    )


@coordinator_required
def supporter_pause(request, pk: int):
    profile = get_application_for(request.user, pk)
    if profile.status != SupporterStatus.APPROVED:
        messages.info(request, _("This supporter is not active, so they cannot be paused."))
        return redirect(f"{reverse('team:supporters')}?status={profile.status}")
    name = profile.user.display_name
    return _check(
        request,
        heading=_("Do you want to pause %(name)s?") % {"name": name},
        happens=[
            _("Nobody new is offered to %(name)s while they are paused.") % {"name": name},
            _("Proposals and offers waiting for them go back to the queue."),
            _("The people they already support stay with them."),
            _("We do not send %(name)s a notice about it: tell them yourself.") % {"name": name},
        ],
        action=reverse("team:supporter_action", args=[pk]),
        fields={"action": "pause"},
        form=ReasonForm(label=_("Reason (for the coordinators; optional)"), required=False),
        confirm=_("Yes, pause %(name)s") % {"name": name},
        back=f"{reverse('team:supporters')}?status={profile.status}",
    )
