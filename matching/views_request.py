"""A survivor's request for a peer supporter, in short steps and a check-your-answers page
(matching/request_steps.py), for a new request and for changing an open one. Only the check
page writes, through services.request_open or services.request_update."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ethics.agreements.selectors import outstanding_agreements
from peersupport.people.access import survivor_required
from peersupport.people.form_base import first_error, slot_label
from peersupport.people.time_zones import time_zone_label

from . import request_steps, selectors, services
from .access import get_request_for
from .forms import RequestForm
from .models import RequestStatus
from .request_steps import BY_SLUG, NEW, STEPS, Draft, Step


def _urls(pk: int | None):
    """The addresses of a new request's steps, or of changing request `pk`."""
    if pk is None:
        return (
            lambda slug: reverse("matching:request_step", kwargs={"step": slug}),
            reverse("matching:request_check"),
        )
    return (
        lambda slug: reverse("matching:request_edit_step", kwargs={"pk": pk, "step": slug}),
        reverse("matching:request_edit_check", kwargs={"pk": pk}),
    )


def _refusal(request, pk: int | None):
    """Why this person may not be here now (a page or a redirect), or None."""
    if pk is not None:
        support_request = get_request_for(request.user, pk)  # 404 unless it is theirs
        if support_request.status != RequestStatus.OPEN:
            messages.info(request, _("This request can no longer be changed."))
            return redirect("matching:request", pk=pk)
        return None
    outstanding = outstanding_agreements(request.user)
    if outstanding:
        return render(
            request,
            "matching/gate.html",
            {"outstanding": outstanding, "agreements_url": reverse("agreements:acknowledge")},
        )
    overview = selectors.survivor_overview(request.user)
    if overview.request is not None or overview.pairing is not None:
        request_steps.draft_clear(request.session)
        messages.info(request, _("You already have a request open or a supporter."))
        return redirect("home")
    return None


def _fresh_draft(request, pk: int | None) -> Draft:
    if pk is None:
        initial = RequestForm.initial_from_profile(request.user)
        return Draft(target=NEW, data=request_steps.as_form_data(initial))
    support_request = get_request_for(request.user, pk)
    initial = RequestForm.initial_from_request(support_request)
    seen = [step.slug for step in STEPS]
    return Draft(target=str(pk), data=request_steps.as_form_data(initial), seen=seen)


def _draft(request, pk: int | None) -> Draft:
    target = NEW if pk is None else str(pk)
    return request_steps.draft_load(request.session, target) or _fresh_draft(request, pk)


@survivor_required
@require_http_methods(["GET"])
def request_new(request):
    refusal = _refusal(request, None)
    if refusal is not None:
        return refusal
    draft = _draft(request, None)
    first = draft.first_unseen()
    return redirect("matching:request_step", step=(first or STEPS[0]).slug)


@survivor_required
@require_http_methods(["GET"])
def request_edit(request, pk: int):
    """Changing a request starts from what it says now, on the check page."""
    refusal = _refusal(request, pk)
    if refusal is not None:
        return refusal
    request_steps.draft_save(request.session, _fresh_draft(request, pk))
    return redirect("matching:request_edit_check", pk=pk)


@survivor_required
@require_http_methods(["GET", "POST"])
def request_step(request, step: str, pk: int | None = None):
    if step not in BY_SLUG:
        raise Http404
    refusal = _refusal(request, pk)
    if refusal is not None:
        return refusal
    current = BY_SLUG[step]
    draft = _draft(request, pk)
    step_url, check_url = _urls(pk)
    # From the check page ("Change"), a step goes back there; otherwise on to the next.
    changing = request.GET.get("change") == "1" or draft.first_unseen() is None
    if request.method == "POST":
        form = current.form_class(request.POST)
        if form.is_valid():
            draft.record(current, form)
            request_steps.draft_save(request.session, draft)
            following = None if changing else request_steps.next_step(step)
            return redirect(step_url(following.slug) if following else check_url)
    elif step in draft.seen and not draft.step_form(current).is_valid():
        form = draft.step_form(current)  # sent back from the check page: show what is wrong
    else:
        form = current.form_class(initial=draft.data)
    before = request_steps.previous_step(step)
    if changing:
        back_url = check_url
    elif before is not None:
        back_url = step_url(before.slug)
    else:
        back_url = reverse("home")
    return render(
        request,
        "matching/request_step.html",
        {
            "form": form,
            "step": current,
            "number": request_steps.step_number(step),
            "count": len(STEPS),
            "back_url": back_url,
            "action": step_url(step) + ("?change=1" if changing else ""),
            "changing": changing,
            "editing": pk is not None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _summary(form: RequestForm, step_url) -> list[dict]:
    """The check page's rows: what each answer says, and the step that changes it."""
    d = form.cleaned_data
    none = _("None chosen")

    def names(values) -> str:
        return ", ".join(str(value) for value in values) or none

    def preference(value, is_must: bool) -> str:
        if not value:
            return _("No preference")
        return f"{value} ({_('a must')})" if is_must else str(value)

    relationships = dict(form.fields["relationship_pref"].choices)
    rows = [
        ("matters", _("Experiences your supporter must share"), names(d["areas_must"])),
        ("matters", _("Experiences it would be good to share"), names(d["areas_nice"])),
        ("supporter", _("Your supporter is"), preference(d["gender_pref"], d["gender_must"])),
        (
            "supporter",
            _("Your supporter would be"),
            preference(relationships.get(d["relationship_pref"]), d["relationship_must"]),
        ),
        ("meeting", _("Languages"), names(d["languages"])),
        ("meeting", _("Ways to meet"), names(d["meeting_modes"])),
        ("meeting", _("Time zone"), time_zone_label(d["time_zone"])),
        (
            "meeting",
            _("When you are usually free"),
            ", ".join(slot_label(slot) for slot in d["availability"]) or _("Any time"),
        ),
        (
            "anything-else",
            _("For your supporter"),
            d["note_for_supporter"].strip() or _("Nothing added"),
        ),
    ]
    return [
        {"key": key, "value": value, "url": step_url(slug) + "?change=1", "slug": slug}
        for slug, key, value in rows
    ]


@survivor_required
@require_http_methods(["GET", "POST"])
def request_check(request, pk: int | None = None):
    refusal = _refusal(request, pk)
    if refusal is not None:
        return refusal
    draft = _draft(request, pk)
    step_url, _check_url = _urls(pk)
    unseen = draft.first_unseen()
    if unseen is not None:
        return redirect(step_url(unseen.slug))
    form = RequestForm(data=draft.data)
    if not form.is_valid():
        # Something changed meanwhile (a choice was retired): the first step that needs it.
        wrong: Step = next(step for step in STEPS if not draft.step_form(step).is_valid())
        messages.error(request, _("Please look at this part again."))
        return redirect(step_url(wrong.slug) + "?change=1")
    status = 200
    if request.method == "POST":
        try:
            if pk is None:
                saved = services.request_open(survivor=request.user, data=form.request_data())
            else:
                saved = services.request_update(
                    request_id=pk, survivor=request.user, data=form.request_data()
                )
        except ValidationError as error:
            form.add_error(None, first_error(error))
            status = 400
        else:
            request_steps.draft_clear(request.session)
            if pk is None:
                messages.success(
                    request, _("Thank you. We will look for a peer supporter for you.")
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("matching:request", pk=saved.pk)
    if pk is None:
        back_url = step_url(STEPS[-1].slug)
    else:
        back_url = reverse("matching:request", kwargs={"pk": pk})
    return render(
        request,
        "matching/request_check.html",
        {
            "form": form,
            "rows": _summary(form, step_url),
            "back_url": back_url,
            "editing": pk is not None,
        },
        status=status,
    )
