"""The survivor's and the supporter's pages: requests, offers and their own pairing.

Coordinators run and review the matcher, and handle pairings, on their own pages
(peersupport.coordination, under /team/)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ethics.agreements.selectors import outstanding_agreements
from peersupport.people import audit
from peersupport.people.access import (
    coordinator_required,
    role_required,
    supporter_required,
    survivor_or_supporter_required,
    survivor_required,
)
from peersupport.people.confirm import confirm_page
from peersupport.people.events import AuditAction
from peersupport.people.form_base import first_error
from peersupport.people.models import Role
from peersupport.people.shown import kept_html

from . import explanations, queue_cache, selectors, services
from .access import (
    get_offer_for,
    get_pairing_for,
    get_request_for,
    pairings_visible_to,
    survivor_may_see_supporter,
    was_offered_to,
)
from .forms import DeclineForm, PairingActionForm
from .models import EndReason, Pairing, PairingState, RequestStatus
from .request_summary import request_summary


def _agreements_url() -> str:
    return reverse("agreements:acknowledge")


@survivor_required
def request_detail(request, pk: int):
    support_request = get_request_for(request.user, pk)
    overview = selectors.survivor_overview(request.user)
    return render(
        request,
        "matching/request_detail.html",
        {
            "support_request": selectors.request_details(support_request),
            "overview": overview if overview.request == support_request else None,
        },
    )


@survivor_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request, pk: int):
    """GET: check before you continue; POST: withdraw."""
    support_request = get_request_for(request.user, pk)
    if request.method == "GET":
        if support_request.status != RequestStatus.OPEN:
            messages.info(request, _("This request is no longer open."))
            return redirect("matching:request", pk=pk)
        return confirm_page(
            request,
            heading=_("Do you want to withdraw your request?"),
            happens=[
                _("We stop looking for a peer supporter for you."),
                _("If a peer supporter has already been asked, we take the question back."),
                _("Nothing you told us is shared with anyone."),
                _("You can ask for a peer supporter again at any time from your home page."),
            ],
            action=reverse("matching:request_withdraw", args=[pk]),
            confirm=_("Yes, withdraw my request"),
            back=reverse("matching:request", args=[pk]),
        )
    try:
        services.request_withdraw(request_id=pk, survivor=request.user)
    except ValidationError as error:
        messages.error(request, first_error(error))
    else:
        messages.success(request, _("Your request has been withdrawn."))
    return redirect("home")


# -- supporters: offers --------------------------------------------------------------------


def _offer_no_longer_open(request, pk: int):
    """For an offer that was made to this supporter but has moved on (withdrawn, expired,
    declined, accepted), or that is gone altogether (the survivor deleted their account) when
    they answer it: home, with a clear message. Anyone else's offer: 404."""
    gone = request.method == "POST" and not Pairing.objects.filter(pk=pk).exists()
    if not gone and not was_offered_to(request.user, pk):
        raise Http404
    messages.info(request, _("This offer is no longer open."))
    return redirect("home")


def _open_offer(request, pk: int):
    try:
        return get_offer_for(request.user, pk), None
    except Http404:
        return None, _offer_no_longer_open(request, pk)


def _agreements_gate(request):
    return render(
        request,
        "matching/gate.html",
        {
            "outstanding": outstanding_agreements(request.user),
            "agreements_url": _agreements_url(),
            "for_offer": True,
        },
    )


@supporter_required
def offer_detail(request, pk: int):
    pairing, closed = _open_offer(request, pk)
    if closed is not None:
        return closed
    if outstanding_agreements(request.user):
        return _agreements_gate(request)
    # What the survivor shared is shown to someone not yet paired with them: recorded.
    audit.record_read(request, AuditAction.REQUEST_VIEWED, pairing.request, pairing=pairing.pk)
    # Declining is checked on a page of its own (offer_decline), with its optional reason.
    return render(
        request,
        "matching/offer_detail.html",
        {
            "pairing": pairing,
            "support_request": selectors.request_details(pairing.request),
            "points": explanations.offer_points(pairing),
        },
    )


@supporter_required
@require_POST
def offer_accept(request, pk: int):
    _pairing, closed = _open_offer(request, pk)
    if closed is not None:
        return closed
    try:
        pairing = services.offer_accept(pairing_id=pk, supporter=request.user)
    except ValidationError as error:
        messages.error(request, first_error(error))
        return redirect("home")
    messages.success(request, _("Thank you for accepting."))
    return redirect("matching:pairing", pk=pairing.pk)


def _decline_page(request, pk: int, form: DeclineForm):
    """Check before declining, with an optional reason; a reason too long comes back here,
    its error in the summary and beside the note."""
    return confirm_page(
        request,
        heading=_("Do you want to decline this offer?"),
        happens=[
            _("The person is not told that you said no, or why."),
            _("Their request goes back to the coordinators, who will look for someone else."),
            _("You will not be offered this request again."),
        ],
        action=reverse("matching:offer_decline", args=[pk]),
        confirm=_("Yes, decline the offer"),
        back=reverse("matching:offer", args=[pk]),
        form=form,
        status=400 if form.is_bound else 200,
    )


@supporter_required
@require_http_methods(["GET", "POST"])
def offer_decline(request, pk: int):
    """GET: check before you continue; POST: decline."""
    _pairing, closed = _open_offer(request, pk)
    if closed is not None:
        return closed
    if request.method == "GET":
        return _decline_page(request, pk, DeclineForm())
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _decline_page(request, pk, form)
    try:
        services.offer_decline(
            pairing_id=pk, supporter=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
    else:
        messages.success(request, _("Thank you for letting us know."))
    return redirect("home")


# -- both sides: their pairing -----------------------------------------------------------------


@role_required(Role.SURVIVOR, Role.SUPPORTER, Role.COORDINATOR)
def pairing_detail(request, pk: int):
    """The survivor's or the supporter's own view of their pairing. Coordinators have the
    whole story, and its changes, on their own page: an old link takes them there."""
    if request.user.is_coordinator:
        return redirect("team:pairing", pk=pk)
    user = request.user
    pairing = get_pairing_for(user, pk)
    context = {"pairing": pairing, "body": _pairing_body(user, pairing)}
    return render(request, "matching/pairing_detail.html", context)


def _pairing_body(user, pairing: Pairing):
    """What the page says about the pairing, kept between views (people/shown.py) under both
    people's numbers (their pairing, its request and sessions, their names) and the queue's
    (the vocabulary the request's summary names). For the supporter it holds the survivor's
    note to them, so theirs is kept sealed."""
    is_supporter = user.pk == pairing.supporter_id

    def render_body():
        context = {
            "pairing": pairing,
            "show_supporter": is_supporter or survivor_may_see_supporter(pairing),
            "is_survivor": user.pk == pairing.survivor_id,
            "is_supporter": is_supporter,
        }
        if is_supporter:
            # Plain words, kept (request_summary.py); the survivor's note comes from the row.
            context["support_request"] = request_summary(pairing.request)
        return render_to_string("matching/_pairing_body.html", context), None

    return kept_html(
        user,
        f"pairing:{pairing.pk}",
        render_body,
        people=(pairing.survivor_id, pairing.supporter_id),
        numbers=(queue_cache.GENERATION_KEY,) if is_supporter else (),
        sealed=is_supporter,
    )


def _pairing_confirmation(user, pairing: Pairing, action: str) -> dict:
    """What pausing or finishing means, said to the person reading: the survivor, or the
    supporter (who sees the survivor's name)."""
    survivor_reading = user.pk == pairing.survivor_id
    other = _("your peer supporter") if survivor_reading else pairing.survivor.display_name
    if action == "pause":
        return {
            "heading": _("Do you want to pause this pairing?"),
            "happens": [
                _("Your sessions and check-ins stop for now. Nothing is deleted."),
                _("We tell %(other)s that the pairing is paused, but not why.") % {"other": other},
                _("Either of you can resume it at any time from the pairing page."),
            ],
            "confirm": _("Yes, pause the pairing"),
        }
    happens = [
        _("The pairing ends. It cannot be started again."),
        _("We tell %(other)s that the pairing has ended, but not why.") % {"other": other},
        _("The coordinators are told too."),
    ]
    if survivor_reading:
        happens.append(
            _("If you would like a peer supporter again later, you can ask from your home page.")
        )
    return {
        "heading": _("Do you want to end this pairing?"),
        "happens": happens,
        "confirm": _("Yes, end the pairing"),
    }


# What each check can lead to, and the states in which it can.
_CONFIRMABLE = {
    "pause": (PairingState.ACTIVE,),
    "complete": (PairingState.ACTIVE, PairingState.PAUSED),
}


@survivor_or_supporter_required
def pairing_confirm(request, pk: int, action: str):
    """Check before pausing or finishing a pairing; the button posts to pairing_action."""
    pairing = get_pairing_for(request.user, pk)
    if pairing.state not in _CONFIRMABLE[action]:
        messages.info(request, _("This pairing can no longer be changed this way."))
        return redirect("matching:pairing", pk=pk)
    return confirm_page(
        request,
        **_pairing_confirmation(request.user, pairing, action),
        action=reverse("matching:pairing_action", args=[pk]),
        fields={"action": action},
        back=reverse("matching:pairing", args=[pk]),
    )


@survivor_or_supporter_required
@require_POST
def pairing_action(request, pk: int):
    """Pause, resume or finish. A pairing that ended or went meanwhile (reassigned, or the
    survivor deleted their account) is refused in words, and its page, now closed to this
    person, is not where they are sent."""
    pairing = get_pairing_for(request.user, pk)
    form = PairingActionForm(request.POST)
    if not form.is_valid():
        raise Http404
    action = form.cleaned_data["action"]
    try:
        if action == "complete":
            services.pairing_end(
                pairing_id=pairing.pk, actor=request.user, reason=EndReason.COMPLETED
            )
        else:
            services.pairing_set_paused(
                pairing_id=pairing.pk, actor=request.user, paused=action == "pause"
            )
    except ValidationError as error:
        messages.error(request, first_error(error))
        if not pairings_visible_to(request.user).filter(pk=pairing.pk).exists():
            return redirect("home")
    else:
        messages.success(request, _("Saved."))
    if action == "complete":
        return redirect("home")
    return redirect("matching:pairing", pk=pairing.pk)


@coordinator_required
def proposals_moved(request):
    """The old address of the coordinators' proposals page, still in notices already sent
    (and in the links matching's services build): the page is team:proposals now."""
    return redirect("team:proposals")
