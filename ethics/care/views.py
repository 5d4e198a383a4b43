"""The pages of the people who raise things: a concern, an urgent flag, a debrief, a change
request, blocking a supporter. Each person sees what they raised and its status.

Coordinators handle all of these on their own pages (peersupport.coordination, under /team/);
a link that brings a coordinator here (an old notice, a bookmark) takes them there.
Thin: parse, check access (ethics.care.access: the object or 404), call a service, render.
A refusal re-shows the form with its message; a pairing that went while the form was open (the
survivor deleted their account) is said so in a message, not a 404 page.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ethics.agreements import guidelines
from matching.locking import gone_message
from matching.models import Pairing
from peersupport.people.access import (
    supporter_required,
    survivor_or_supporter_required,
    survivor_required,
)
from peersupport.people.confirm import confirm_page
from peersupport.people.form_base import first_error, show_validation_error
from peersupport.people.models import Role

from . import selectors, services
from .access import (
    get_change_request_for,
    get_concern_for,
    get_debrief_for,
    get_flag_for,
    get_pairing_to_block,
    get_pairing_to_change,
    get_pairing_to_flag,
    get_pairing_to_raise_concern,
    is_approved_supporter,
)
from .forms import (
    ChangeForm,
    ConcernForm,
    ConfirmForm,
    DebriefForm,
    FlagForm,
    MessageForm,
)
from .models import ChangeStatus, DebriefStatus


def _coordinators_to(team_page: str):
    """Send a coordinator to their own page for the same thing (`team_page`, with the same
    arguments); everyone else gets this view."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.is_authenticated and request.user.role == Role.COORDINATOR:
                return redirect(team_page, *args, **kwargs)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _pairing_or_gone(request, get_pairing, pk: int):
    """(the pairing, None), or (None, home with a message) for a POST about a pairing that is
    no longer there at all."""
    try:
        return get_pairing(request.user, pk), None
    except Http404:
        if request.method != "POST" or Pairing.objects.filter(pk=pk).exists():
            raise
    messages.error(request, gone_message())
    return None, redirect("home")


# -- concerns -------------------------------------------------------------------------------


@_coordinators_to("team:concerns")
@survivor_or_supporter_required
def concerns(request):
    items = selectors.concerns_raised_by(request.user)
    return render(request, "ethics/concerns.html", {"concerns": items})


@survivor_or_supporter_required
@require_http_methods(["GET", "POST"])
def concern_new(request, pk: int):
    pairing, gone = _pairing_or_gone(request, get_pairing_to_raise_concern, pk)
    if gone is not None:
        return gone
    by_supporter = request.user.pk == pairing.supporter_id
    form = ConcernForm(request.POST or None, by_supporter=by_supporter)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_raise(
                user=request.user,
                pairing=pairing,
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("Thank you. A coordinator will look at it."))
            return redirect("care:concern", pk=concern.pk)
    return render(
        request,
        "ethics/concern_form.html",
        {"form": form, "pairing": pairing, "by_supporter": by_supporter},
    )


@_coordinators_to("team:concern")
@survivor_or_supporter_required
@require_http_methods(["GET", "POST"])
def concern_detail(request, pk: int):
    concern = get_concern_for(request.user, pk)
    if request.method == "POST":
        raise Http404  # only coordinators act on it, on their own page
    return render(request, "ethics/concern_detail.html", {"concern": concern})


# -- safety flags ---------------------------------------------------------------------------


@_coordinators_to("team:flags")
@supporter_required
def flags(request):
    items = selectors.flags_raised_by(request.user)
    return render(request, "ethics/flags.html", {"flags": items})


@supporter_required
@require_http_methods(["GET", "POST"])
def flag_new(request, pk: int):
    pairing, gone = _pairing_or_gone(request, get_pairing_to_flag, pk)
    if gone is not None:
        return gone
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag = services.safety_flag_raise(
                supporter=request.user,
                pairing=pairing,
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("Sent. Every coordinator has been alerted."))
            return redirect("care:flag", pk=flag.pk)
    return render(
        request,
        "ethics/flag_form.html",
        {"form": form, "pairing": pairing, "confidentiality": guidelines.confidentiality_context()},
    )


@_coordinators_to("team:flag")
@supporter_required
@require_http_methods(["GET", "POST"])
def flag_detail(request, pk: int):
    flag = get_flag_for(request.user, pk)
    if request.method == "POST":
        raise Http404  # only coordinators act on it, on their own page
    return render(request, "ethics/flag_detail.html", {"flag": flag})


# -- debriefs -------------------------------------------------------------------------------


def _debrief_access(user) -> None:
    if not is_approved_supporter(user):
        raise Http404


@_coordinators_to("team:debriefs")
@supporter_required
@require_http_methods(["GET", "POST"])
def debriefs(request):
    user = request.user
    _debrief_access(user)
    if request.method == "POST":
        try:
            services.debrief_volunteer_set(
                user=user, volunteer=request.POST.get("volunteer") == "1"
            )
        except ValidationError as error:
            messages.error(request, first_error(error))
        return redirect("care:debriefs")
    return render(
        request,
        "ethics/debriefs.html",
        {
            "debriefs": selectors.debriefs_for(user),
            "is_volunteer": selectors.is_debrief_volunteer(user),
            "may_volunteer": is_approved_supporter(user, paused_ok=False),
        },
    )


@supporter_required
@require_http_methods(["GET", "POST"])
def debrief_new(request):
    _debrief_access(request.user)
    form = DebriefForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            debrief = services.debrief_request(
                supporter=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("Sent to the supporter network."))
            return redirect("care:debrief", pk=debrief.pk)
    return render(request, "ethics/debrief_form.html", {"form": form})


@_coordinators_to("team:debrief")
@supporter_required
@require_http_methods(["GET", "POST"])
def debrief_detail(request, pk: int):
    return debrief_page(
        request,
        get_debrief_for(request.user, pk),
        urls="care",
        template="ethics/debrief_detail.html",
    )


def debrief_page(request, debrief, *, urls: str, template: str, overseer: bool = False):
    """A debrief's thread and its actions, for the supporters in it and (with `overseer`, from
    the team's pages) a coordinator, who may also pick up or close any debrief. `urls` is the
    URL namespace to come back to ("care" or "team")."""
    user = request.user
    form = MessageForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "message":
            form = MessageForm(request.POST)
            if form.is_valid():
                try:
                    services.debrief_message_add(
                        debrief_id=debrief.pk, user=user, text=form.cleaned_data["text"]
                    )
                except ValidationError as error:
                    show_validation_error(form, error)
                else:
                    return redirect(f"{urls}:debrief", pk=debrief.pk)
        elif action in ("pick_up", "close"):
            try:
                if action == "pick_up":
                    services.debrief_pick_up(debrief_id=debrief.pk, user=user)
                else:
                    services.debrief_close(debrief_id=debrief.pk, user=user)
            except ValidationError as error:
                messages.error(request, first_error(error))
            else:
                if action == "close":
                    messages.success(request, _("Closed."))
                    return redirect(f"{urls}:debriefs")
                messages.success(request, _("You picked it up. Say hello below."))
            return redirect(f"{urls}:debrief", pk=debrief.pk)
        else:
            raise Http404
    in_it = user.pk in (debrief.requested_by_id, debrief.picked_up_by_id)
    return render(
        request,
        template,
        {
            "debrief": debrief,
            "thread": debrief.messages.select_related("author"),
            "form": form if in_it and debrief.status == DebriefStatus.PICKED_UP else None,
            "may_pick_up": debrief.status == DebriefStatus.OPEN
            and (overseer or user.pk != debrief.requested_by_id),
            "may_close": debrief.status != DebriefStatus.CLOSED and (overseer or in_it),
        },
        status=400 if form.errors else 200,
    )


# -- change requests and blocks -------------------------------------------------------------


@_coordinators_to("team:changes")
@survivor_or_supporter_required
def changes(request):
    items = selectors.change_requests_by(request.user)
    return render(request, "ethics/changes.html", {"changes": items})


@survivor_or_supporter_required
@require_http_methods(["GET", "POST"])
def change_new(request, pk: int):
    pairing, gone = _pairing_or_gone(request, get_pairing_to_change, pk)
    if gone is not None:
        return gone
    is_survivor = request.user.role == Role.SURVIVOR
    form = ChangeForm(request.POST or None, reason_required=not is_survivor)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_request_open(
                user=request.user, pairing=pairing, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("Thank you. A coordinator will be in touch."))
            return redirect("care:change", pk=change.pk)
    return render(
        request,
        "ethics/change_form.html",
        {"form": form, "pairing": pairing, "is_survivor": is_survivor},
    )


@_coordinators_to("team:change")
@survivor_or_supporter_required
@require_http_methods(["GET", "POST"])
def change_detail(request, pk: int):
    """The person who asked sees it, and may withdraw it while it is open."""
    change = get_change_request_for(request.user, pk)
    if request.method == "POST":
        status = request.POST.get("status", "")
        try:
            services.change_request_close(request_id=change.pk, actor=request.user, status=status)
        except ValidationError as error:
            messages.error(request, first_error(error))
        else:
            messages.success(request, _("Saved."))
        return redirect("care:change", pk=change.pk)
    return render(
        request,
        "ethics/change_detail.html",
        {"change": change, "is_open": change.status == ChangeStatus.OPEN},
    )


@survivor_or_supporter_required
def change_withdraw(request, pk: int):
    """Check before withdrawing a change request; the button posts to change_detail."""
    change = get_change_request_for(request.user, pk)
    if change.status != ChangeStatus.OPEN:
        messages.info(request, _("This request has already been closed."))
        return redirect("care:change", pk=pk)
    return confirm_page(
        request,
        heading=_("Do you want to withdraw this request?"),
        happens=[
            _("The coordinators stop working on it."),
            _("Your pairing carries on as it is now."),
            _("You can ask again at any time from your home page."),
        ],
        action=reverse("care:change", args=[pk]),
        fields={"status": ChangeStatus.WITHDRAWN},
        confirm=_("Yes, withdraw the request"),
        back=reverse("care:change", args=[pk]),
    )


@survivor_required
@require_http_methods(["GET", "POST"])
def block(request, pk: int):
    pairing = get_pairing_to_block(request.user, pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.supporter_block(survivor=request.user, pairing_id=pairing.pk)
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Done. Your pairing is paused, they can no longer see your details, and "
                    "they will never be offered to you again. A coordinator will be in touch."
                ),
            )
            return redirect("home")
    name = pairing.supporter.display_name
    return confirm_page(
        request,
        heading=_("Do you want to block %(name)s?") % {"name": name},
        happens=[
            _("Your pairing is paused at once."),
            _("%(name)s can no longer see your details.") % {"name": name},
            _("The coordinators are told, and will help you with what comes next."),
            _("%(name)s will never be offered to you again.") % {"name": name},
        ],
        action=reverse("care:block", args=[pk]),
        confirm=_("Yes, block %(name)s") % {"name": name},
        back=reverse("matching:pairing", args=[pk]),
        form=form,
        extra="ethics/_block_note.html",
        extra_context={"pairing": pairing},
    )
