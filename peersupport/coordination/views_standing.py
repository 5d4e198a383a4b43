"""A coordinator suspends, reinstates or retires a supporter (matching/standing.py). Each page
says what happens and for whom; GET changes nothing, its button posts to the same address, which
does it. Coordinators only: anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from matching import standing
from peersupport.people.access import coordinator_required, get_application_for
from peersupport.people.form_base import show_validation_error
from peersupport.people.models import SupporterStatus

from .forms import ReasonForm
from .views_confirm import _check


def _list(status: str) -> str:
    return f"{reverse('team:supporters')}?status={status}"


@coordinator_required
@require_http_methods(["GET", "POST"])
def supporter_suspend(request, pk: int):
    profile = get_application_for(request.user, pk)
    if profile.status not in (SupporterStatus.APPROVED, SupporterStatus.PAUSED):
        messages.info(request, _("Only an approved supporter can be suspended."))
        return redirect(_list(profile.status))
    form = ReasonForm(
        request.POST or None, label=_("Reason (for the coordinators only)"), required=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            counts = standing.supporter_suspend(
                profile_id=profile.pk, coordinator=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Suspended. %(paused)s pairings paused, %(requeued)s people back in the "
                    "queue, %(withdrawn)s offers withdrawn."
                )
                % counts,
            )
            return redirect(_list(SupporterStatus.SUSPENDED))
    name = profile.user.display_name
    return _check(
        request,
        heading=_("Do you want to suspend %(name)s?") % {"name": name},
        happens=[
            _("%(name)s can no longer open any supporter page or see anyone they support.")
            % {"name": name},
            _("Offers and proposals waiting for them go back to the queue."),
            _(
                "Each pairing that has started is paused. The person supported is told it is "
                "paused and that they can ask for a different peer supporter; you can reassign "
                "it from the pairing's page."
            ),
            _("A pairing that has not started yet ends, and that person is back in the queue."),
            _("%(name)s is told only that their account is on hold.") % {"name": name},
        ],
        action=reverse("team:supporter_suspend", args=[pk]),
        form=form,
        confirm=_("Yes, suspend %(name)s") % {"name": name},
        back=_list(profile.status),
        status=400 if form.errors else 200,
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def supporter_reinstate(request, pk: int):
    profile = get_application_for(request.user, pk)
    if profile.status != SupporterStatus.SUSPENDED:
        messages.info(request, _("Only a suspended supporter can be reinstated."))
        return redirect(_list(profile.status))
    if request.method == "POST":
        try:
            standing.supporter_reinstate(profile_id=profile.pk, coordinator=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Reinstated."))
        return redirect(_list(SupporterStatus.APPROVED))
    name = profile.user.display_name
    return _check(
        request,
        heading=_("Do you want to reinstate %(name)s?") % {"name": name},
        happens=[
            _("%(name)s is approved again and can be offered new people.") % {"name": name},
            _(
                "Their pairings stay paused: resume or reassign each from its page. Until then "
                "%(name)s cannot see them."
            )
            % {"name": name},
        ],
        action=reverse("team:supporter_reinstate", args=[pk]),
        confirm=_("Yes, reinstate %(name)s") % {"name": name},
        back=_list(profile.status),
        danger=False,
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def supporter_retire(request, pk: int):
    profile = get_application_for(request.user, pk)
    allowed = (SupporterStatus.APPROVED, SupporterStatus.PAUSED, SupporterStatus.SUSPENDED)
    if profile.status not in allowed:
        messages.info(request, _("Only an approved or suspended supporter can be retired."))
        return redirect(_list(profile.status))
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        label=_("Reason (for the coordinators; optional)"),
        required=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            standing.supporter_retire(
                profile_id=profile.pk, coordinator=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, _("Retired."))
            return redirect(_list(SupporterStatus.RETIRED))
    name = profile.user.display_name
    return _check(
        request,
        heading=_("Do you want to retire %(name)s?") % {"name": name},
        happens=[
            _("Every pairing of %(name)s ends; each person supported is back in the queue.")
            % {"name": name},
            _("Offers and proposals waiting for them go back to the queue."),
            _("%(name)s can no longer open any supporter page.") % {"name": name},
            _("This cannot be undone."),
        ],
        action=reverse("team:supporter_retire", args=[pk]),
        form=form,
        confirm=_("Yes, retire %(name)s") % {"name": name},
        back=_list(profile.status),
        status=400 if form.errors else 200,
    )
