"""Score: integer features per pair -> exact integer points via small lookup tables.
Shared by the bulk scorer (:func:`~.edges.eligible_edges`) and the explanations
(:func:`~.explanations.explain`), so both give identical points.

Scores are integer "centipoints" (``SCORE_SCALE`` = 100 per point). Five components, each
``weight x fraction earned``; every fraction is a ratio of small integers (or, for waiting, a
float per request), so each component's points are looked up in a small table built with
exact integer round-half-up arithmetic: ``points_int = round(weight_centi x num / den)``. A
pair's ``score_int`` is the plain sum of its five ``points_int``. Explaining a pair runs the
very same feature and table code on that pair alone, so its components always sum to the
solver's score exactly (a test checks random pairs).

* shared_experience: shared / wanted lived-experience areas (must + nice). Asking for none
  counts as fully met (see "Choices" below).
* nice_to_have: nice-to-have supporter preferences met (gender, relationship to lived
  experience) / stated; none stated counts as fully met.
* availability: of the request's weekly slots, the share the supporter also has; "any time"
  (mask 0) on either side is a full fit.
* timezone: circular distance between UTC offsets, full points at 0 h, linear down to 0 at
  ``Weights.timezone_cap_hours``.
* waiting: per request, linear in days waiting up to ``Weights.waiting_cap_days``. It is
  constant across a request's supporters, so it never changes *which* supporter a request
  gets; it only decides which requests win when places are short (fairness).

Choices worth knowing
=====================
* "Nothing asked" is a full fit on that component (no areas wanted, no nice-to-have
  preference, "any time"): every component measures how fully the supporter meets what the
  survivor asked for. This keeps flexible survivors from being starved in contention; the
  alternative (0 points) would push requests without stated preferences behind everyone.
* ``score_int`` is always >= 0 and at most ``Weights.max_score_int()``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .data import (
    AVAILABILITY,
    COMPONENTS,
    NICE_TO_HAVE,
    SHARED_EXPERIENCE,
    TIMEZONE,
    WAITING,
    Weights,
)
from .packing import _AV_BITS, _DAY_MINUTES, _PackedRequests, _PackedSupporters


def _round_half_up(num: int, den: int) -> int:
    """round(num / den) with halves up, exact (num >= 0, den > 0)."""
    return (2 * num + den) // (2 * den)


def _fraction_table(weight_centi: int, max_den: int) -> np.ndarray:
    """int32 [(max_den+1)^2]: index den * (max_den+1) + num -> round(weight * num / den),
    halves up, in exact integer arithmetic; den 0 means "nothing asked", a full fit."""
    den = np.arange(max_den + 1, dtype=np.int64)[:, None]
    num = np.minimum(np.arange(max_den + 1, dtype=np.int64)[None, :], den)
    safe = np.maximum(den, 1)
    table = np.where(den == 0, weight_centi, (2 * weight_centi * num + safe) // (2 * safe))
    return table.astype(np.int32).ravel()


@dataclass(frozen=True, eq=False)
class _Tables:
    n_areas: int
    shared: np.ndarray  # [(A+1)^2]: n_wanted * (A+1) + n_shared
    nice: np.ndarray  # [3^2]: n_stated * 3 + n_met
    availability: np.ndarray  # [33^2]: n_slots * 33 + n_common (n_slots 0 = any time)
    timezone: np.ndarray  # [1440]: |normalised offset difference| in minutes
    cap_minutes: int


@functools.lru_cache(maxsize=32)
def _tables(weights: Weights, n_areas: int) -> _Tables:
    centi = weights.centi()
    cap = max(1, round(weights.timezone_cap_hours * 60))
    diff = np.arange(_DAY_MINUTES)
    dist = np.minimum(diff, _DAY_MINUTES - diff)
    tz = np.array(
        [_round_half_up(centi[TIMEZONE] * (cap - min(int(d), cap)), cap) for d in dist],
        dtype=np.int32,
    )
    return _Tables(
        n_areas=n_areas,
        shared=_fraction_table(centi[SHARED_EXPERIENCE], n_areas),
        nice=_fraction_table(centi[NICE_TO_HAVE], 2),
        availability=_fraction_table(centi[AVAILABILITY], _AV_BITS),
        timezone=tz,
        cap_minutes=cap,
    )


@dataclass
class _Features:
    n_wanted: np.ndarray
    n_shared: np.ndarray
    n_stated: np.ndarray
    n_met: np.ndarray
    n_slots: np.ndarray
    n_common: np.ndarray
    tz_diff: np.ndarray  # minutes in 0..1439; circular distance is min(d, 1440 - d)
    waiting_points: np.ndarray


def _features(pr: _PackedRequests, ps: _PackedSupporters, r: np.ndarray, s: np.ndarray):
    """Small-integer features of pairs (r[i], s[i]); r, s index pr / ps."""
    if pr.areas_wanted.shape[1] == 1:
        n_shared = np.bitwise_count(pr.areas_wanted[r, 0] & ps.areas[s, 0])
    else:
        n_shared = np.bitwise_count(pr.areas_wanted[r] & ps.areas[s]).sum(axis=1)
    n_met = (pr.gender_nice[r] == ps.gender[s]).astype(np.int8)
    n_met += pr.relationship_nice[r] == ps.relationship[s]
    return _Features(
        n_wanted=pr.n_wanted[r],
        n_shared=n_shared.astype(np.int32),
        n_stated=pr.n_stated[r],
        n_met=n_met.astype(np.int32),
        n_slots=pr.n_slots[r],
        n_common=np.bitwise_count(pr.availability[r] & ps.availability[s]).astype(np.int32),
        tz_diff=np.abs(pr.tz[r] - ps.tz[s]),
        waiting_points=pr.waiting_points[r],
    )


def _points(f: _Features, t: _Tables) -> dict[str, np.ndarray]:
    a1 = t.n_areas + 1
    return {
        SHARED_EXPERIENCE: t.shared[f.n_wanted * a1 + f.n_shared],
        NICE_TO_HAVE: t.nice[f.n_stated * 3 + f.n_met],
        AVAILABILITY: t.availability[f.n_slots * (_AV_BITS + 1) + f.n_common],
        TIMEZONE: t.timezone[f.tz_diff],
        WAITING: f.waiting_points,
    }


def _scores(pr, ps, r, s, tables: _Tables) -> np.ndarray:
    pts = _points(_features(pr, ps, r, s), tables)
    total = pts[SHARED_EXPERIENCE].copy()
    for name in COMPONENTS[1:]:
        total += pts[name]
    return total
