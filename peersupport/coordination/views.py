"""The coordinators' everyday pages: the queue (also their home page), the supporters with
their places, the pairings to look at, and the service's figures. Coordinators only: anyone
else gets 404.

The other coordinator pages are beside this one, by topic: views_pairings (proposals, one
pairing), views_care (what people raise), views_agreements, views_people (applications,
settings). All are under /team/, in the URL namespace `team`."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching import supporters as supporter_services
from peersupport.people import services as people_services
from peersupport.people.access import coordinator_required, get_application_for
from peersupport.people.events import AuditAction
from peersupport.people.form_base import first_error
from peersupport.people.models import SupporterStatus

from . import figures, health, selectors
from .forms import SupporterActionForm
from .queue_shown import queue_shown


@coordinator_required
def queue(request):
    """The queue: also the coordinator's home page."""
    show = request.GET.get("show", "all")
    if show not in selectors.QUEUE_FILTERS:
        show = "all"
    language = selectors.int_or_none(request.GET.get("language"))
    # Kept under the queue's generation (queue_shown.py): no queries on most views.
    shown, page = queue_shown(show=show, language=language, page_number=request.GET.get("page"))
    return render(
        request,
        "team/queue.html",
        {
            "page": page,
            "rows_html": shown["rows_html"],
            "show": show,
            "filters": selectors.QUEUE_FILTERS,
            "language": language,
            "languages": shown["languages"],
            "pending_count": shown["pending_count"],
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
        "team/supporters.html",
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
        messages.error(request, first_error(error))
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
        "team/at_risk.html",
        {"page": page, "show": show, "filters": selectors.RISK_FILTERS},
    )


@coordinator_required
def service_health(request):
    """The service's figures: kept for settings.FIGURES_CACHE_SECONDS (figures.py), and the
    page says as of when."""
    return render(
        request,
        "team/health.html",
        {**figures.kept(), "figures_seconds": settings.FIGURES_CACHE_SECONDS},
    )


@coordinator_required
def service_health_csv(request):
    data = health.service_health().suppressed()
    people_services.audit_record(actor=request.user, action=AuditAction.FIGURES_EXPORTED)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="figures-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(["section", "key", "value"])
    writer.writerows(data.rows())
    return response
