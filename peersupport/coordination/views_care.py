"""The coordinators' side of what people raise: urgent flags, concerns, change requests and
debriefs, each as a list of what is still open and a page to handle one. Coordinators only:
anyone else gets 404.

The people who raised them keep their own pages (ethics.care.views), where they see what they
raised and its status. Opening one here is recorded (the services write the audit row). One that
went while the page was open (the survivor deleted their account) is answered with a message
and the list, never a 404 page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ethics.care import selectors as care_selectors
from ethics.care import services as care_services
from ethics.care.access import (
    get_change_request_for,
    get_concern_for,
    get_debrief_for,
    get_flag_for,
)
from ethics.care.models import (
    ChangeRequest,
    ChangeStatus,
    Concern,
    FlagStatus,
    SafetyFlag,
)
from ethics.care.views import debrief_page
from peersupport.people.access import coordinator_required
from peersupport.people.form_base import first_error, show_validation_error

from .concerns_shown import concerns_shown
from .forms import ConcernUpdateForm, FlagActionForm


def _or_gone(request, get_for, model, pk: int, *, to: str):
    """(the object, None), or (None, a redirect to the list `to` with a message) when a POST
    finds it no longer there: the survivor deleted their account while the page was open."""
    try:
        return get_for(request.user, pk), None
    except Http404:
        if request.method != "POST" or model.objects.filter(pk=pk).exists():
            raise
    return None, _gone(request, to=to)


def _gone(request, *, to: str):
    messages.error(
        request, _("This is no longer there (the person may have left). Nothing was saved.")
    )
    return redirect(to)


# -- urgent flags ---------------------------------------------------------------------------


@coordinator_required
def flags(request):
    return render(
        request,
        "team/flags.html",
        {
            "flags": care_selectors.open_safety_flags(),
            "urgent_concerns": care_selectors.open_urgent_concerns(),
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def flag(request, pk: int):
    flag, gone = _or_gone(request, get_flag_for, SafetyFlag, pk, to="team:flags")
    if gone is not None:
        return gone
    form = FlagActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            care_services.safety_flag_act(
                flag_id=flag.pk,
                coordinator=request.user,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            if not SafetyFlag.objects.filter(pk=flag.pk).exists():
                return _gone(request, to="team:flags")
            show_validation_error(form, error)
        else:
            messages.success(request, _("Recorded."))
            return redirect("team:flag", pk=flag.pk)
    if request.method == "GET":
        care_services.safety_flag_record_view(flag=flag, coordinator=request.user)
    return render(
        request,
        "team/flag.html",
        {
            "flag": flag,
            "form": form if flag.status != FlagStatus.CLOSED else None,
            "actions": flag.actions.select_related("actor"),
            "trail": care_selectors.audit_trail(flag),
        },
    )


# -- concerns -------------------------------------------------------------------------------


@coordinator_required
def concerns(request):
    # Kept between writes to concerns (concerns_shown.py): no query on most views.
    rows, page = concerns_shown(request.GET.get("page"))
    return render(request, "team/concerns.html", {"concerns": rows, "page": page})


@coordinator_required
@require_http_methods(["GET", "POST"])
def concern(request, pk: int):
    concern, gone = _or_gone(request, get_concern_for, Concern, pk, to="team:concerns")
    if gone is not None:
        return gone
    form = ConcernUpdateForm(
        request.POST or None, initial={"status": concern.status, "category": concern.category}
    )
    if request.method == "POST" and form.is_valid():
        try:
            care_services.concern_update(
                concern_id=concern.pk,
                coordinator=request.user,
                status=form.cleaned_data["status"],
                response=form.cleaned_data["response"],
                category=form.cleaned_data["category"] or None,
            )
        except ValidationError as error:
            if not Concern.objects.filter(pk=concern.pk).exists():
                return _gone(request, to="team:concerns")
            show_validation_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("team:concern", pk=concern.pk)
    if request.method == "GET":
        care_services.concern_record_view(concern=concern, coordinator=request.user)
    return render(
        request,
        "team/concern.html",
        {"concern": concern, "form": form, "trail": care_selectors.audit_trail(concern)},
    )


# -- change and handover requests -----------------------------------------------------------


@coordinator_required
def changes(request):
    return render(request, "team/changes.html", {"changes": care_selectors.open_change_requests()})


@coordinator_required
@require_http_methods(["GET", "POST"])
def change(request, pk: int):
    change, gone = _or_gone(request, get_change_request_for, ChangeRequest, pk, to="team:changes")
    if gone is not None:
        return gone
    if request.method == "POST":
        status = request.POST.get("status", "")
        try:
            care_services.change_request_close(
                request_id=change.pk, actor=request.user, status=status
            )
        except ValidationError as error:
            if not ChangeRequest.objects.filter(pk=change.pk).exists():
                return _gone(request, to="team:changes")
            messages.error(request, first_error(error))
        else:
            messages.success(request, _("Saved."))
        return redirect("team:change", pk=change.pk)
    return render(
        request,
        "team/change.html",
        {
            "change": change,
            "is_open": change.status == ChangeStatus.OPEN,
            "trail": care_selectors.audit_trail(change),
        },
    )


# -- debriefs -------------------------------------------------------------------------------


@coordinator_required
def debriefs(request):
    return render(
        request, "team/debriefs.html", {"debriefs": care_selectors.debriefs_for(request.user)}
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def debrief(request, pk: int):
    """A coordinator may pick a debrief up (and then talk it through like a volunteer), and
    may close any debrief."""
    return debrief_page(
        request,
        get_debrief_for(request.user, pk),
        urls="team",
        template="team/debrief.html",
        overseer=True,
    )
