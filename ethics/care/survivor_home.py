"""What a survivor's home shows of their request, pairing and sessions, kept per survivor
under their home's numbers (home_cache: moved by a write to their request, pairing, a
session, a check-in, an acknowledgement, a publication or a change of name).

Only plain stand-ins are kept (ids, states, times, labels, the supporter's pseudonym): never
a request (it holds the survivor's note), a session or a check-in row. The clock moves a
session from "coming up" to "before" and brings check-ins due, so an entry lasts until the
next session begins and at most SURVIVOR_HOME_SECONDS.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import timezone

from matching.selectors import SurvivorOverview, survivor_overview
from peersupport.people.models import User
from sessions.selectors import SurvivorPanel, survivor_panel

SURVIVOR_HOME_SECONDS = 60


def _pairing(pairing) -> SimpleNamespace | None:
    if pairing is None:
        return None
    supporter = SimpleNamespace(display_name=pairing.supporter.display_name)
    return SimpleNamespace(pk=pairing.pk, state=pairing.state, supporter=supporter)


def _session(session) -> SimpleNamespace:
    return SimpleNamespace(
        pk=session.pk,
        starts_at=session.starts_at,
        reschedule_requested_at=session.reschedule_requested_at,
        get_mode_display=session.get_mode_display(),
        get_status_display=session.get_status_display(),
    )


def _plain(overview: SurvivorOverview, panel: SurvivorPanel) -> dict:
    request = overview.request
    return {
        "overview": SurvivorOverview(
            request=SimpleNamespace(pk=request.pk) if request is not None else None,
            pairing=_pairing(overview.pairing),
            status=overview.status,
            text=str(overview.text),
            waiting=overview.waiting,
            must_agree=overview.must_agree,
        ),
        "panel": SurvivorPanel(
            pairing=_pairing(panel.pairing),
            upcoming=[_session(s) for s in panel.upcoming],
            past=[_session(s) for s in panel.past],
            checkins_to_answer=[SimpleNamespace(pk=c.pk) for c in panel.checkins_to_answer],
        ),
    }


def survivor_home_seconds(data: dict) -> int:
    """How long what survivor_home_shown gave may be shown as it is."""
    now = timezone.now()
    starts = [s.starts_at for s in data["panel"].upcoming]
    return min([SURVIVOR_HOME_SECONDS, *(int((t - now).total_seconds()) + 1 for t in starts)])


def survivor_home_shown(survivor: User) -> dict:
    """{"overview": matching's SurvivorOverview, "panel": sessions' SurvivorPanel}, in plain
    stand-ins, for templates/people/_home_survivor_panels.html (whose HTML the home view keeps,
    home_cache.kept_html, for survivor_home_seconds at most)."""
    return _plain(survivor_overview(survivor), survivor_panel(survivor))
