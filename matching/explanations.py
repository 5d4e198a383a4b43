"""Why a supporter fits a request, component by component: what a proposal stores (codes and
numbers that sum to its score) and what the pages show (put in words in the reader's language).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from . import engine
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
