"""Why a supporter fits a request, component by component: what a proposal stores (codes and
numbers that sum to its score) and what the pages show (put in words in the reader's language).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy, ngettext

from . import engine
from .engine import wording
from .instance import load_for_pair, weights
from .models import Pairing

COMPONENT_LABELS = {
    engine.SHARED_EXPERIENCE: gettext_lazy("Shared lived experience"),
    engine.NICE_TO_HAVE: gettext_lazy("Nice-to-have preferences"),
    engine.AVAILABILITY: gettext_lazy("Availability"),
    engine.TIMEZONE: gettext_lazy("Time zone"),
    engine.WAITING: gettext_lazy("Waiting time"),
}


def explanation_data(components: list[engine.Component]) -> list[dict]:
    """What Pairing.explanation stores: each component's points and its reason as data (a
    code and numbers), so it is put in words, in the reader's language, when shown."""
    return [
        {
            "name": c.name,
            "points_int": int(c.points_int),
            "weight": float(c.weight),
            "raw": float(c.raw),
            "reason": c.reason.code,
            "args": c.reason.args,
        }
        for c in components
    ]


def components_from_data(data: list[dict]) -> list[engine.Component]:
    return [
        engine.Component(
            name=row["name"],
            raw=row.get("raw", 0.0),
            weight=row.get("weight", 0.0),
            points_int=row["points_int"],
            reason=engine.Reason.of(row.get("reason", ""), **row.get("args", {})),
        )
        for row in data
    ]


@dataclass(frozen=True)
class ShownComponent:
    name: str
    label: str
    points: float
    reason: engine.Reason


def explanation_rows(pairing: Pairing) -> list[ShownComponent]:
    """The pairing's explanation as stored when it was proposed (it sums to its score), with
    a label per component, for the pages."""
    return [
        ShownComponent(
            name=c.name,
            label=COMPONENT_LABELS.get(c.name, c.name),
            points=c.points,
            reason=c.reason,
        )
        for c in explain_pairing(pairing)
    ]


def offer_points(pairing: Pairing) -> list[str]:
    """What matters to a supporter about an offer, in their words: what they have in common
    with the person and when they could meet. The points, weights and caps behind the score
    stay on the coordinators' pages (explanation_rows)."""
    points = []
    for component in explain_pairing(pairing):
        text = _offer_point(component.reason.code, component.reason.args)
        if text:
            points.append(text)
    return points


def _offer_point(code: str, a: dict) -> str:
    if code == wording.R_SHARED and a.get("shared"):
        return ngettext(
            "You share %(shared)d of the %(wanted)d lived experience they would like their "
            "supporter to share.",
            "You share %(shared)d of the %(wanted)d lived experiences they would like their "
            "supporter to share.",
            a["wanted"],
        ) % {"shared": a["shared"], "wanted": a["wanted"]}
    if code == wording.R_NICE and a.get("met"):
        return ngettext(
            "You fit %(met)d of the %(stated)d wish they gave about their supporter.",
            "You fit %(met)d of the %(stated)d wishes they gave about their supporter.",
            a["stated"],
        ) % {"met": a["met"], "stated": a["stated"]}
    if code == wording.R_AVAILABLE_ANY:
        return gettext("They can meet at any time of the week.")
    if code == wording.R_SUPPORTER_ANY:
        return gettext("You said you can meet at any time of the week.")
    if code == wording.R_AVAILABLE_SOME:
        return ngettext(
            "You are free at %(common)d of the %(slots)d time of the week they gave.",
            "You are free at %(common)d of the %(slots)d times of the week they gave.",
            a["slots"],
        ) % {"common": a["common"], "slots": a["slots"]}
    if code == wording.R_TZ_SAME:
        return gettext("You are in the same time zone.")
    if code in (wording.R_TZ_APART, wording.R_TZ_CAPPED):
        hours = round(a["minutes"] / 60, 1)
        shown = f"{hours:g}"
        return ngettext(
            "Your time zones are %(hours)s hour apart.",
            "Your time zones are %(hours)s hours apart.",
            1 if hours == 1 else 2,
        ) % {"hours": shown}
    if code in (wording.R_WAITING, wording.R_WAITING_FULL):
        if not a.get("days"):
            return gettext("They asked for a supporter today.")
        return ngettext(
            "They asked for a supporter %(days)d day ago.",
            "They asked for a supporter %(days)d days ago.",
            a["days"],
        ) % {"days": a["days"]}
    return ""


def explain_pairing(pairing: Pairing) -> list[engine.Component]:
    """Why this supporter fits this request, component by component (for coordinators and
    for the supporter's offer page): the explanation stored with the pairing, which sums to
    its stored score. Only a pairing stored without one is explained from today's data."""
    if pairing.explanation:
        return components_from_data(pairing.explanation)
    return explain_now(pairing.request_id, pairing.supporter_id)


def explain_now(request_id: int, supporter_id: int) -> list[engine.Component]:
    """The explanation of this request with this supporter from the current data."""
    instance = load_for_pair(request_id, supporter_id)
    if instance is None:
        return []
    return engine.explain(instance.requests, 0, instance.supporters, 0, weights())
