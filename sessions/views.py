"""Pages for a pair's sessions, schedule and check-ins. Only the two people of a pairing reach
them (sessions.access answers 404 to anyone else); private notes only their author."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from matching.models import CAPACITY_STATES
from peersupport.people.access import approved_supporter_required, survivor_or_supporter_required
from peersupport.people.confirm import confirm_page
from peersupport.people.form_base import first_error, show_validation_error
from peersupport.people.models import Role
from peersupport.people.shown import kept_html
from peersupport.platform import dates as shown_dates

from . import dates, selectors, services
from .access import (
    get_checkin_for,
    get_pairing_as_party,
    get_session_for,
    get_session_notes_for,
    get_session_to_edit,
)
from .forms import CheckInAnswerForm, NotesForm, ScheduleForm, SessionForm, SessionOutcomeForm
from .models import SESSION_TRANSITIONS, CheckInSchedule, SessionStatus


@approved_supporter_required
@require_http_methods(["GET", "POST"])
def session_new(request):
    """Log a session, or plan one ahead."""
    if request.method == "POST":
        chosen = request.POST.get("pairing")
        if chosen:
            get_pairing_as_party(request.user, chosen)  # 404 unless it is one of theirs
        form = SessionForm(request.POST, supporter=request.user)
        if form.is_valid():
            try:
                session = services.session_log(
                    supporter=request.user,
                    pairing_id=form.cleaned_data["pairing"].pk,
                    notes=form.cleaned_data["notes"],
                    **form.session_data(),
                )
            except ValidationError as error:
                show_validation_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("peer_sessions:pairing", pk=session.pairing_id)
    else:
        initial = {"status": SessionStatus.HELD, "duration_minutes": 60}
        chosen = request.GET.get("pairing")
        if chosen:
            initial["pairing"] = get_pairing_as_party(request.user, chosen).pk
        if request.GET.get("plan"):
            initial["status"] = SessionStatus.SCHEDULED
        form = SessionForm(initial=initial, supporter=request.user)
    return render(request, "sessions/session_form.html", {"form": form, "editing": False})


@survivor_or_supporter_required
def session_detail(request, pk: int):
    session = get_session_for(request.user, pk)
    return render(
        request,
        "sessions/session_detail.html",
        {
            "session": session,
            "is_survivor": request.user.pk == session.pairing.survivor_id,
            "is_author": request.user.pk == session.logged_by_id,
            "may_update": bool(SESSION_TRANSITIONS[session.status]),
        },
    )


@approved_supporter_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk: int):
    session = get_session_to_edit(request.user, pk)
    statuses = SESSION_TRANSITIONS[session.status]
    if not statuses:
        messages.info(request, _("A cancelled session cannot be changed."))
        return redirect("peer_sessions:session", pk=session.pk)
    if request.method == "POST":
        form = SessionOutcomeForm(request.POST, statuses=statuses, pairing=session.pairing)
        if form.is_valid():
            try:
                services.session_update(
                    supporter=request.user, session_id=session.pk, **form.session_data()
                )
            except ValidationError as error:
                show_validation_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("peer_sessions:session", pk=session.pk)
    else:
        form = SessionOutcomeForm(
            statuses=statuses,
            pairing=session.pairing,
            initial={
                # Empty when the stored time cannot be shown: the supporter chooses it again.
                "starts_at": shown_dates.on_clock(session.starts_at),
                "duration_minutes": session.duration_minutes,
                "mode": session.mode,
                "status": session.status,
                "wellbeing": session.wellbeing,
            },
        )
    return render(
        request,
        "sessions/session_form.html",
        {"form": form, "editing": True, "session": session},
    )


@approved_supporter_required
@require_http_methods(["GET", "POST"])
def session_notes(request, pk: int):
    """The author's private notes: nobody else reaches this page."""
    session = get_session_notes_for(request.user, pk)
    editable = session.pairing.state in CAPACITY_STATES
    if request.method == "POST" and not editable:
        raise Http404
    if request.method == "POST":
        form = NotesForm(request.POST)
        if form.is_valid():
            try:
                services.session_notes_save(
                    author=request.user, session_id=session.pk, notes=form.cleaned_data["notes"]
                )
            except ValidationError as error:
                show_validation_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("peer_sessions:session_notes", pk=session.pk)
    else:
        form = NotesForm(initial={"notes": session.private_notes})
    return render(
        request,
        "sessions/session_notes.html",
        {"form": form, "session": session, "editable": editable},
    )


@survivor_or_supporter_required
@require_http_methods(["GET", "POST"])
def session_change(request, pk: int):
    """Cancel a planned session (either side) or ask for another time (the survivor)."""
    session = get_session_for(request.user, pk, live_only=True)
    is_survivor = request.user.pk == session.pairing.survivor_id
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel":
                services.session_cancel(user=request.user, session_id=session.pk)
                messages.success(request, _("The session is cancelled. We have let them know."))
            elif action == "another_time" and is_survivor:
                services.session_reschedule_request(survivor=request.user, session_id=session.pk)
                messages.success(
                    request, _("We have asked your supporter to suggest another time.")
                )
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, first_error(error))
        return redirect("peer_sessions:session", pk=session.pk)
    return render(
        request,
        "sessions/session_change.html",
        {
            "session": session,
            "is_survivor": is_survivor,
            "may_ask": is_survivor and session.reschedule_requested_at is None,
        },
    )


@survivor_or_supporter_required
def session_cancel(request, pk: int):
    """Check before cancelling a planned session; the button posts to session_change."""
    session = get_session_for(request.user, pk, live_only=True)
    if not session.is_upcoming:
        messages.info(request, _("This session can no longer be changed here."))
        return redirect("peer_sessions:session", pk=pk)
    survivor_reading = request.user.pk == session.pairing.survivor_id
    when = shown_dates.shown(session.starts_at)
    return confirm_page(
        request,
        heading=_("Do you want to cancel the session on %(when)s?") % {"when": when},
        happens=[
            _("The session is cancelled. It cannot be brought back, but you can plan another."),
            _("We tell your peer supporter that it is cancelled, but not why.")
            if survivor_reading
            else _("We tell %(name)s that it is cancelled, but not why.")
            % {"name": session.pairing.survivor.display_name},
            _("Your pairing carries on as before."),
        ],
        action=reverse("peer_sessions:session_change", args=[pk]),
        fields={"action": "cancel"},
        confirm=_("Yes, cancel the session"),
        back=reverse("peer_sessions:session_change", args=[pk]),
    )


@survivor_or_supporter_required
def pairing_sessions(request, pk: int):
    """A pair's sessions, check-ins and schedule, for the two of them."""
    pairing = get_pairing_as_party(request.user, pk)
    body = _pairing_sessions_body(request.user, pairing, request.GET.get("page"))
    return render(request, "sessions/pairing.html", {"pairing": pairing, "body": body})


# Pages of past sessions past this are shown fresh, not kept: a kept page per number asked
# for would let anyone fill the cache.
_KEPT_PAGES = 100
# The page moves with the clock (a session begins, a check-in falls due): kept a minute at most.
_CLOCK_SECONDS = 60


def _pairing_sessions_body(user, pairing, page: str | None):
    """The page below the menus, kept between views (people/shown.py) under both people's
    numbers, which every write to the pairing, its sessions, check-ins and schedule, and their
    names, moves on. It shows the survivor's check-in words, so it is kept sealed."""

    def render_body():
        overview = selectors.pair_overview(pairing, user, page=page)
        context = {"overview": overview, "pairing": pairing, "user": user}
        seconds = _CLOCK_SECONDS
        if overview.changes_at is not None:
            until = (overview.changes_at - timezone.now()).total_seconds()
            seconds = max(1, min(seconds, int(until) + 1))
        return render_to_string("sessions/_pairing_body.html", context), seconds

    number = page or "1"
    if not (re.fullmatch(r"[0-9]{1,3}", number) and 0 < int(number) <= _KEPT_PAGES):
        return mark_safe(render_body()[0])  # noqa: S308 - rendered by the template engine
    return kept_html(
        user,
        f"sessions:{pairing.pk}:{int(number)}",
        render_body,
        people=(pairing.survivor_id, pairing.supporter_id),
        sealed=True,
    )


@survivor_or_supporter_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request, pk: int):
    pairing = get_pairing_as_party(request.user, pk)
    schedule = CheckInSchedule.objects.filter(
        pairing=pairing
    ).first() or services.schedule_defaults(pairing)
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                services.schedule_save(
                    user=request.user, pairing_id=pairing.pk, **form.cleaned_data
                )
            except ValidationError as error:
                show_validation_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("peer_sessions:pairing", pk=pairing.pk)
    else:
        now = timezone.now()
        next_due = schedule.next_due_at
        # A time gone by (or one stored out of range) is offered as tomorrow instead.
        if dates.checkin_time_problem(
            next_due_at=next_due, now=now, zone=timezone.get_current_timezone()
        ):
            next_due = now + timedelta(days=1)
        form = ScheduleForm(
            initial={
                "interval_days": schedule.interval_days,
                "next_due_at": timezone.localtime(next_due),
                "quiet_start": schedule.quiet_start,
                "quiet_end": schedule.quiet_end,
                "active": schedule.active,
            }
        )
    return render(request, "sessions/schedule_form.html", {"form": form, "pairing": pairing})


@survivor_or_supporter_required
@require_http_methods(["GET", "POST"])
def checkin_detail(request, pk: int):
    """The survivor answers a check-in here; their supporter can read the answer."""
    is_survivor = request.user.role == Role.SURVIVOR
    checkin = get_checkin_for(request.user, pk, to_answer=is_survivor)
    form = None
    if is_survivor and checkin.answered_at is None:
        form = CheckInAnswerForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.checkin_answer(
                    survivor=request.user, checkin_id=checkin.pk, **form.cleaned_data
                )
            except ValidationError as error:
                show_validation_error(form, error)
            else:
                messages.success(request, _("Thank you. Your supporter will see your answer."))
                return redirect("home")
    elif request.method == "POST":
        messages.info(request, _("This check-in has already been answered."))
        return redirect("peer_sessions:checkin", pk=checkin.pk)
    return render(
        request,
        "sessions/checkin.html",
        {"checkin": checkin, "form": form, "is_survivor": is_survivor},
    )
