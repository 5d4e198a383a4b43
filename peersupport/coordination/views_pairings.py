"""The coordinators' pages for pairings: the matcher's proposals (run it, offer or discard
what it proposes) and one page per pairing, with its whole story and every change a
coordinator makes to it. Coordinators only: anyone else gets 404.

(The survivor and the supporter have their own view of their pairing: matching:pairing.)

A change that lost a race (someone else changed the pairing first, or the survivor deleted
their account) is refused by the services with a message; a pairing gone by then sends the
coordinator to the queue with that message, never to a 404 page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ethics.care.handover import pairing_end_by_coordinator, pairing_reassign
from matching import explanations, runner
from matching import selectors as matching_selectors
from matching import services as matching_services
from matching.access import get_pairing_for
from matching.locking import gone_message
from matching.models import CAPACITY_STATES, EndReason, Pairing, PairingState
from matching.reassign import Trigger, stale_message, version_token
from peersupport.people import audit
from peersupport.people.access import coordinator_required
from peersupport.people.confirm import confirm_page
from peersupport.people.events import AuditAction
from peersupport.people.form_base import first_error

from . import selectors
from .forms import EndPairingForm, ReassignForm


def _gone(request, *, to: str = "team:queue", message: str | None = None):
    """The pairing was deleted (its survivor deleted their account) while the page was open:
    say so and go on, instead of a 404 page."""
    messages.error(request, message or gone_message())
    return redirect(to)


def _pairing_to_change(request, pk: int) -> Pairing | None:
    """The pairing for a coordinator's POST, or None if it is no longer there."""
    try:
        return get_pairing_for(request.user, pk)
    except Http404:
        if request.method == "POST" and not Pairing.objects.filter(pk=pk).exists():
            return None
        raise


# -- the matcher's proposals ----------------------------------------------------------------


@coordinator_required
def proposals(request):
    pending = list(matching_selectors.proposals_for_review())
    for pairing in pending:
        pairing.reasons = explanations.explanation_rows(pairing)
    return render(request, "team/proposals.html", {"pending": pending})


@coordinator_required
@require_POST
def run(request):
    result = runner.matching_run(actor=request.user)
    if result.busy:
        messages.info(
            request,
            _("Matching is already running; its proposals will appear here in a moment."),
        )
        return redirect("team:proposals")
    messages.success(
        request,
        _("Proposed a supporter for %(proposed)s of %(requests)s waiting requests.")
        % {"proposed": len(result.proposals), "requests": result.requests},
    )
    return redirect("team:proposals")


@coordinator_required
@require_POST
def proposal_decide(request, pk: int):
    pairing = _pairing_to_change(request, pk)
    if pairing is None:
        return _gone(request, to="team:proposals")
    decision = request.POST.get("decision")
    if pairing.state != PairingState.PROPOSED or decision not in ("offer", "discard"):
        messages.error(request, _("This proposal has already been handled."))
        return redirect("team:proposals")
    try:
        if decision == "offer":
            pairing = matching_services.pairing_offer(pairing_id=pairing.pk, actor=request.user)
            if pairing.state == PairingState.ENDED:
                messages.error(
                    request, _("That supporter can no longer take this; the request is back.")
                )
            else:
                messages.success(request, _("Offered."))
        else:
            matching_services.proposal_discard(pairing_id=pairing.pk, actor=request.user)
            messages.success(request, _("Discarded; the request is back in the queue."))
    except ValidationError as error:
        messages.error(request, first_error(error))
    return redirect("team:proposals")


# -- one pairing ----------------------------------------------------------------------------


_TRIGGER_REASON = {
    "change": EndReason.SURVIVOR_CHANGE,
    "handover": EndReason.SUPPORTER_HANDOVER,
    "blocked": EndReason.SURVIVOR_CHANGE,
}

# Buttons beside the forms: pause, resume, or record that the two have finished.
_STATE_ACTIONS = ("pause", "resume", "complete")


@coordinator_required
@require_http_methods(["GET", "POST"])
def pairing(request, pk: int, check: bool = False):
    """One pairing: its state, what they asked for, why they were matched, its open items and
    its whole history; pausing it, reassigning it, or ending it without offering anyone new
    (when nobody fits, or it must stop first).

    The page's reassign and end forms post to its `check` address first: valid, they show
    what will happen on a page of its own, whose button posts the same fields here."""
    if check and request.method != "POST":
        return redirect("team:pairing", pk=pk)
    pairing = _pairing_to_change(request, pk)
    if pairing is None:
        return _gone(request)
    action = request.POST.get("action") if request.method == "POST" else None
    if action in _STATE_ACTIONS:
        return _pause_or_finish(request, pairing, action)
    items = selectors.open_items_for(pairing)
    live = pairing.state in CAPACITY_STATES
    suggestions, unfit = selectors.suggestions_for_pairing(pairing) if live else ([], None)
    initial = {"version": version_token(pairing), "reason": EndReason.COORDINATOR_ENDED}
    trigger_kind = request.GET.get("trigger")
    trigger_id = selectors.int_or_none(request.GET.get("id"))
    if trigger_kind == "change" and trigger_id:
        change = next((c for c in items["changes"] if c.pk == trigger_id), None)
        if change is not None:
            initial.update(trigger_kind="change", trigger_id=change.pk)
            initial["reason"] = _TRIGGER_REASON.get(change.kind, EndReason.COORDINATOR_ENDED)
    elif trigger_kind == "concern" and any(c.pk == trigger_id for c in items["concerns"]):
        initial.update(trigger_kind="concern", trigger_id=trigger_id)
    ending = action == "end"
    reassigning = request.method == "POST" and not ending
    form = ReassignForm(
        request.POST if reassigning else None, initial=initial, suggestions=suggestions
    )
    end_form = EndPairingForm(
        request.POST if ending else None,
        initial={**initial, "reason": EndReason.COORDINATOR_ENDED},
        prefix="end",
    )
    refusal = None
    if request.method == "POST":
        acting = end_form if ending else form
        if not live:
            # Someone else reassigned or ended it since the page was drawn: say so plainly
            # (the forms are not shown for a pairing that has ended).
            refusal = stale_message()
        elif acting.is_valid():
            if check:
                return _check_change(request, pairing, acting, suggestions, ending=ending)
            try:
                if ending:
                    return _end(request, pairing, end_form.cleaned_data)
                return _reassign(request, pairing, form.cleaned_data)
            except ValidationError as error:
                if not Pairing.objects.filter(pk=pairing.pk).exists():
                    return _gone(request, message=first_error(error))
                # Said once in the error summary and once above the form that was refused.
                acting.add_error(None, first_error(error))
    audit.record_read(request, AuditAction.PAIRING_VIEWED, pairing)
    return render(
        request,
        "team/pairing.html",
        {
            "pairing": pairing,
            "support_request": matching_selectors.request_details(pairing.request),
            "reasons": explanations.explanation_rows(pairing),
            "items": items,
            "live": live,
            "suggestions": suggestions,
            "unfit": unfit,
            "form": form,
            "end_form": end_form,
            "refusal": refusal,
            "history": selectors.pairing_history(pairing),
        },
        status=400 if request.method == "POST" else 200,
    )


def _check_change(request, pairing, form, suggestions, *, ending: bool):
    """The page to check before a coordinator ends or reassigns a pairing: what happens to each
    person, and a button that posts the same answers to the pairing's page, which acts."""
    survivor, supporter = pairing.survivor.display_name, pairing.supporter.display_name
    who = {"survivor": survivor}
    happens = [
        _("The pairing between %(survivor)s and %(supporter)s ends.")
        % {"survivor": survivor, "supporter": supporter},
    ]
    if ending:
        if form.cleaned_data["then"] == EndPairingForm.REOPEN:
            happens.append(
                _("%(survivor)s goes back in the queue with the same wishes.")
                % {"survivor": survivor}
            )
        else:
            happens.append(_("%(survivor)s has no open request until they ask again.") % who)
        confirm = _("Yes, end the pairing")
    else:
        chosen = form.cleaned_data["supporter"]
        name = next((s.name for s in suggestions if s.supporter_id == chosen), "")
        happens.append(
            _("%(name)s is offered to support %(survivor)s, and can accept or decline.")
            % {"name": name or _("The supporter you chose"), "survivor": survivor}
        )
        confirm = (
            _("Yes, end it and offer %(name)s") % {"name": name} if name else _("Yes, continue")
        )
    happens += [
        _("%(supporter)s is told only that the pairing has ended.") % {"supporter": supporter},
        _("Neither person sees the reason or your note."),
    ]
    fields = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    return confirm_page(
        request,
        heading=_("End this pairing?"),
        happens=happens,
        action=reverse("team:pairing", kwargs={"pk": pairing.pk}),
        confirm=confirm,
        back=reverse("team:pairing", kwargs={"pk": pairing.pk}),
        fields=fields,
        base="team/base.html",
    )


def _pause_or_finish(request, pairing, action: str):
    try:
        if action == "complete":
            matching_services.pairing_end(
                pairing_id=pairing.pk, actor=request.user, reason=EndReason.COMPLETED
            )
        else:
            matching_services.pairing_set_paused(
                pairing_id=pairing.pk, actor=request.user, paused=action == "pause"
            )
    except ValidationError as error:
        if not Pairing.objects.filter(pk=pairing.pk).exists():
            return _gone(request, message=first_error(error))
        messages.error(request, first_error(error))
    else:
        messages.success(request, _("Saved."))
    return redirect("team:pairing", pk=pairing.pk)


def _trigger(data) -> Trigger | None:
    if data["trigger_kind"] and data["trigger_id"]:
        return Trigger(kind=data["trigger_kind"], pk=data["trigger_id"])
    return None


def _reassign(request, pairing, data):
    new = pairing_reassign(
        pairing_id=pairing.pk,
        coordinator=request.user,
        reason=data["reason"],
        supporter_id=data["supporter"],
        expected_version=data["version"],
        note=data["note"],
        trigger=_trigger(data),
    )
    messages.success(request, _("The pairing has ended and the new supporter has been offered."))
    return redirect("team:pairing", pk=new.pk)


def _end(request, pairing, data):
    _old, new_request = pairing_end_by_coordinator(
        pairing_id=pairing.pk,
        coordinator=request.user,
        reason=data["reason"],
        expected_version=data["version"],
        reopen=data["then"] == EndPairingForm.REOPEN,
        note=data["note"],
        trigger=_trigger(data),
    )
    if new_request is not None:
        messages.success(request, _("The pairing has ended. The person is back in the queue."))
    else:
        messages.success(
            request,
            _("The pairing has ended. The person has no open request until they ask again."),
        )
    return redirect("team:pairing", pk=pairing.pk)
