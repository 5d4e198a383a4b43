"""Each person's own pages: their home, their profile and a supporter's pause.

They sit at the top because they compose the layers below: the survivor's home shows the
request, the sessions and the care records; the supporter's home shows the caseload.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ethics.care.home_cache import kept_html
from ethics.care.selectors import caseload_seconds, supporter_caseload
from ethics.care.survivor_home import survivor_home_seconds, survivor_home_shown
from matching import supporters
from matching.selectors import open_offers_for
from peersupport.coordination.views import queue
from peersupport.people import services
from peersupport.people.access import (
    is_barred_supporter,
    supporter_required,
)
from peersupport.people.confirm import confirm_page
from peersupport.people.form_base import first_error
from peersupport.people.forms import (
    AccountSettingsForm,
    PauseForm,
    SupporterProfileForm,
    SurvivorProfileForm,
)
from peersupport.people.models import (
    Role,
    SupporterProfile,
    SupporterStatus,
    SurvivorProfile,
)

from . import services as home_services


@login_required
def home(request):
    user = request.user
    if user.role == Role.SURVIVOR:
        context = {"panels": _survivor_panels(user)}
        return render(request, "people/home_survivor.html", context)
    if user.role == Role.SUPPORTER:
        # Through the user, so the menu's check of their standing reads the same row.
        profile = getattr(user, "supporter_profile", None)
        if profile is None:
            raise Http404
        panels = None
        if profile.status in (SupporterStatus.APPROVED, SupporterStatus.PAUSED):
            panels = _supporter_panels(user, profile)
        context = {
            "profile": profile,
            "panels": panels,
            "two_step": Role.SUPPORTER in settings.MFA_REQUIRED_ROLES,
        }
        return render(request, "people/home_supporter.html", context)
    if user.role == Role.COORDINATOR:
        return queue(request)  # the coordinator's home is the queue
    raise Http404


# Each home's panels are kept rendered (home_cache.kept_html) until a write they show, the
# clock (a session beginning, an offer running out) or HOME_PANEL_CACHE_SECONDS moves them on.
# What they are rendered from is read afresh (the panel too: ethics_panel_fresh), so a kept
# home is never older than its own expiry.


def _survivor_panels(user):
    def render():
        data = survivor_home_shown(user)
        context = {"user": user, "ethics_panel_fresh": True, **data}
        html = render_to_string("people/_home_survivor_panels.html", context)
        return html, survivor_home_seconds(data)

    return kept_html(user, "survivor", render)


def _supporter_panels(user, profile: SupporterProfile):
    def render():
        # What the lines show (no request read along, so no one's words decrypted for them).
        offers = list(open_offers_for(user).select_related(None).only("pk", "offer_expires_at"))
        caseload = supporter_caseload(user, profile=profile)
        context = {"user": user, "offers": offers, "caseload": caseload, "ethics_panel_fresh": True}
        html = render_to_string("people/_home_supporter_panels.html", context)
        now = timezone.now()
        expiries = [
            int((offer.offer_expires_at - now).total_seconds()) + 1
            for offer in offers
            if offer.offer_expires_at
        ]
        return html, min([caseload_seconds(caseload), *expiries])

    return kept_html(user, "supporter", render)


@login_required
def profile_edit(request):
    user = request.user
    role_form_class, instance = None, None
    if user.role == Role.SURVIVOR:
        # An unsaved profile for the form: a page view writes nothing.
        instance = SurvivorProfile.objects.filter(user=user).first() or SurvivorProfile(user=user)
        role_form_class = SurvivorProfileForm
    elif user.role == Role.SUPPORTER and not is_barred_supporter(user):
        instance = get_object_or_404(SupporterProfile, user=user)
        role_form_class = SupporterProfileForm

    data = request.POST if request.method == "POST" else None
    account_form = AccountSettingsForm(data, instance=user, prefix="account")
    role_form = (
        role_form_class(data, instance=instance, prefix="profile") if role_form_class else None
    )
    if (
        request.method == "POST"
        and account_form.is_valid()
        and (role_form is None or role_form.is_valid())
    ):
        try:
            home_services.profile_save(
                user=user,
                account={f: account_form.cleaned_data[f] for f in AccountSettingsForm.Meta.fields},
                profile=_profile_data(role_form),
            )
        except ValidationError as error:
            role_form.add_error("capacity", first_error(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("profile")
    return render(
        request, "people/profile.html", {"account_form": account_form, "role_form": role_form}
    )


def _profile_data(role_form) -> dict | None:
    if role_form is None:
        return None
    data = {f: role_form.cleaned_data[f] for f in role_form.Meta.fields}
    data["availability"] = services.slots_to_mask(role_form.cleaned_data["availability"])
    return data


@supporter_required
@require_http_methods(["GET", "POST"])
def supporter_pause(request):
    """Check before pausing (with an optional reason) or resuming; the POST does it."""
    profile = get_object_or_404(SupporterProfile, user=request.user)
    pausing = profile.status == SupporterStatus.APPROVED
    form = PauseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            supporters.supporter_set_paused(
                profile_id=profile.pk,
                actor=request.user,
                paused=pausing,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, first_error(error))
        else:
            messages.success(
                request,
                _("Saved.") if pausing else _("Welcome back. You can be offered new people again."),
            )
        return redirect("home")
    if pausing:
        return confirm_page(
            request,
            heading=_("Do you want to pause for self-care?"),
            happens=[
                _("Taking care of yourself is part of the commitment."),
                _("While you are paused, nobody new is offered to you."),
                _("Any offers waiting for you go back to the coordinators, who find someone else."),
                _("The people you already support stay with you, and are not told."),
                _("You can resume whenever you are ready, from your home page."),
            ],
            action=reverse("supporter_pause"),
            confirm=_("Yes, pause"),
            back=reverse("home"),
            form=form,
            danger=False,
        )
    return confirm_page(
        request,
        heading=_("Ready to resume?"),
        happens=[_("New people can be offered to you again.")],
        action=reverse("supporter_pause"),
        confirm=_("Yes, resume"),
        back=reverse("home"),
        danger=False,
    )
