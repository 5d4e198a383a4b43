"""Each person's own pages: their home, their profile and a supporter's pause.

They sit at the top because they compose the layers below: the survivor's home shows the
request, the sessions and the care records; the supporter's home shows the caseload.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ethics.care.selectors import supporter_caseload
from matching import supporters
from peersupport.coordination.views import queue
from peersupport.people import services
from peersupport.people.access import (
    supporter_required,
)
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


@login_required
def home(request):
    user = request.user
    if user.role == Role.SURVIVOR:
        profile, _created = SurvivorProfile.objects.get_or_create(user=user)
        return render(request, "people/home_survivor.html", {"profile": profile})
    if user.role == Role.SUPPORTER:
        profile = get_object_or_404(SupporterProfile, user=user)
        caseload = None
        if profile.status in (SupporterStatus.APPROVED, SupporterStatus.PAUSED):
            caseload = supporter_caseload(user, profile=profile)
        return render(
            request, "people/home_supporter.html", {"profile": profile, "caseload": caseload}
        )
    if user.role == Role.COORDINATOR:
        return queue(request)  # the coordinator's home is the queue
    raise Http404


@login_required
def profile_edit(request):
    user = request.user
    role_form_class, instance = None, None
    if user.role == Role.SURVIVOR:
        instance, _created = SurvivorProfile.objects.get_or_create(user=user)
        role_form_class = SurvivorProfileForm
    elif user.role == Role.SUPPORTER:
        instance = get_object_or_404(SupporterProfile, user=user)
        role_form_class = SupporterProfileForm

    data = request.POST if request.method == "POST" else None
    account_form = AccountSettingsForm(data, instance=user, prefix="account")
    role_form = (
        role_form_class(data, instance=instance, prefix="profile") if role_form_class else None
    )
    if request.method == "POST":
        forms_ok = account_form.is_valid() and (role_form is None or role_form.is_valid())
        if forms_ok and isinstance(role_form, SupporterProfileForm):
            # Capacity and "open to new people" touch matching: the service locks the
            # profile, checks the places taken and sends open offers back to the queue.
            data = role_form.cleaned_data
            try:
                supporters.supporter_profile_update(
                    profile_id=instance.pk,
                    actor=user,
                    areas=data["areas"],
                    languages=data["languages"],
                    meeting_modes=data["meeting_modes"],
                    gender=data["gender"],
                    availability=services.slots_to_mask(data["availability"]),
                    capacity=data["capacity"],
                    accepting_new=data["accepting_new"],
                )
            except ValidationError as error:
                role_form.add_error("capacity", error.messages[0])
                forms_ok = False
            else:
                role_form = None  # saved
        if forms_ok:
            account_form.save()
            if role_form is not None:
                role_form.save()
            services.audit_record(actor=user, action="profile.updated", target=user)
            messages.success(request, _("Saved."))
            return redirect("profile")
    return render(
        request, "people/profile.html", {"account_form": account_form, "role_form": role_form}
    )


@supporter_required
@require_http_methods(["GET", "POST"])
def supporter_pause(request):
    profile = get_object_or_404(SupporterProfile, user=request.user)
    form = PauseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        pausing = profile.status == SupporterStatus.APPROVED
        try:
            supporters.supporter_set_paused(
                profile_id=profile.pk,
                actor=request.user,
                paused=pausing,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("You are paused. No new people will be offered to you.")
                if pausing
                else _("Welcome back. You can be offered new people again."),
            )
        return redirect("home")
    return render(request, "people/pause.html", {"form": form, "profile": profile})
