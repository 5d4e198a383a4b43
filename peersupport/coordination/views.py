"""The coordinators' workspace pages. Coordinators only: anyone else gets 404."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ethics.care.handover import pairing_end_by_coordinator, pairing_reassign
from matching import supporters as supporter_services
from matching.access import get_pairing_for
from matching.models import CAPACITY_STATES, EndReason
from matching.reassign import (
    ReassignError,
    Trigger,
    stale_message,
    version_token,
)
from peersupport.people import services as people_services
from peersupport.people.access import coordinator_required, get_application_for
from peersupport.people.models import Language, SupporterProfile, SupporterStatus

from . import charts, health, selectors
from .forms import EndPairingForm, ReassignForm, SupporterActionForm


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _first_error(error: ValidationError) -> str:
    return error.messages[0] if error.messages else _("That did not work.")


@coordinator_required
def queue(request):
    """The queue: also the coordinator's home page."""
    show = request.GET.get("show", "all")
    if show not in selectors.QUEUE_FILTERS:
        show = "all"
    language = _int_or_none(request.GET.get("language"))
    page, rows = selectors.queue_page(
        page_number=request.GET.get("page"), show=show, language=language
    )
    return render(
        request,
        "workspace/queue.html",
        {
            "page": page,
            "rows": rows,
            "show": show,
            "filters": selectors.QUEUE_FILTERS,
            "language": language,
            "languages": Language.objects.active(),
            "pending_count": SupporterProfile.objects.pending().count(),
        },
    )


@coordinator_required
def supporters(request):
    status = request.GET.get("status", SupporterStatus.APPROVED)
    if status not in selectors.SUPPORTER_FILTERS:
        status = SupporterStatus.APPROVED
    search = request.GET.get("q", "").strip()[:60]
    page = selectors.paginate(
        selectors.supporters(status=status, search=search), request.GET.get("page")
    )
    dshow = request.GET.get("dshow", "not_closed")
    if dshow not in selectors.DEBRIEF_FILTERS:
        dshow = "not_closed"
    debriefs = selectors.paginate(selectors.debriefs(show=dshow), request.GET.get("dpage"))
    return render(
        request,
        "workspace/supporters.html",
        {
            "page": page,
            "status": status,
            "filters": selectors.SUPPORTER_FILTERS,
            "q": search,
            "debriefs": debriefs,
            "dshow": dshow,
            "debrief_filters": selectors.DEBRIEF_FILTERS,
        },
    )


@coordinator_required
@require_POST
def supporter_action(request, pk: int):
    profile = get_application_for(request.user, pk)
    form = SupporterActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
            break
        return redirect(f"{_supporters_url()}?status={profile.status}")
    action = form.cleaned_data["action"]
    reason = form.cleaned_data["reason"]
    try:
        if action in ("approve", "decline"):
            people_services.supporter_decide(
                profile_id=profile.pk,
                coordinator=request.user,
                approve=action == "approve",
                reason=reason,
            )
        elif action in ("pause", "resume"):
            supporter_services.supporter_set_paused(
                profile_id=profile.pk, actor=request.user, paused=action == "pause", reason=reason
            )
        else:
            supporter_services.supporter_capacity_set(
                profile_id=profile.pk,
                coordinator=request.user,
                capacity=form.cleaned_data["capacity"],
            )
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{_supporters_url()}?status={profile.status}")


def _supporters_url() -> str:
    return reverse("team:supporters")


@coordinator_required
def at_risk(request):
    show = request.GET.get("show", "all")
    if show not in selectors.RISK_FILTERS:
        show = "all"
    page = selectors.paginate(selectors.pairings_at_risk(show=show), request.GET.get("page"))
    return render(
        request,
        "workspace/at_risk.html",
        {"page": page, "show": show, "filters": selectors.RISK_FILTERS},
    )


_TRIGGER_REASON = {
    "change": EndReason.SURVIVOR_CHANGE,
    "handover": EndReason.SUPPORTER_HANDOVER,
    "blocked": EndReason.SURVIVOR_CHANGE,
    "concern": EndReason.COORDINATOR_ENDED,
}


@coordinator_required
@require_http_methods(["GET", "POST"])
def pairing(request, pk: int):
    """One pairing: its open items, its whole history, reassigning it, or ending it without
    offering anyone new (when nobody fits, or it must stop first)."""
    pairing = get_pairing_for(request.user, pk)
    items = selectors.open_items_for(pairing)
    live = pairing.state in CAPACITY_STATES
    suggestions, unfit = selectors.suggestions_for_pairing(pairing) if live else ([], None)
    initial = {"version": version_token(pairing), "reason": EndReason.COORDINATOR_ENDED}
    trigger_kind = request.GET.get("trigger")
    trigger_id = _int_or_none(request.GET.get("id"))
    if trigger_kind == "change" and trigger_id:
        change = next((c for c in items["changes"] if c.pk == trigger_id), None)
        if change is not None:
            initial.update(trigger_kind="change", trigger_id=change.pk)
            initial["reason"] = _TRIGGER_REASON.get(change.kind, EndReason.COORDINATOR_ENDED)
    elif trigger_kind == "concern" and any(c.pk == trigger_id for c in items["concerns"]):
        initial.update(trigger_kind="concern", trigger_id=trigger_id)
    ending = request.method == "POST" and request.POST.get("action") == "end"
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
            try:
                if ending:
                    return _end(request, pairing, end_form.cleaned_data)
                return _reassign(request, pairing, form.cleaned_data)
            except ReassignError as error:
                refusal = _first_error(error)
    return render(
        request,
        "workspace/pairing.html",
        {
            "pairing": pairing,
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


@coordinator_required
def service_health(request):
    data = health.service_health()
    return render(
        request,
        "workspace/health.html",
        {
            "health": data,
            "sessions_chart": charts.bar_chart(
                [(charts.week_label(week), n) for week, n in data.sessions_per_week],
                title=_("Sessions held per week"),
            ),
            "states_chart": charts.bar_chart(
                [(label, n) for _code, label, n in data.pairings_by_state],
                title=_("Pairings by state"),
            ),
        },
    )


@coordinator_required
def service_health_csv(request):
    data = health.service_health()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="figures-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(["section", "key", "value"])
    writer.writerows(data.rows())
    return response
