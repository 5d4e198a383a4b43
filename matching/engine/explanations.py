"""Explanations for supporters and coordinators: a pair's score by component, with its
reasons (:func:`explain`, :func:`explain_pairs`, :func:`pair_score`), and what rules
supporters out for a request (:func:`ineligibility_reasons`).

The points come from the very same feature and table code as the solver's scores
(:mod:`.scoring`), so ``sum(c.points_int)`` equals the pair's ``score_int`` exactly. The
reasons are data (:class:`~.data.Reason`: a code and its numbers), put in words only when
shown (:mod:`.wording`).
"""

from __future__ import annotations

import math

import numpy as np

from .constraints import CONSTRAINTS, _constraint_masks
from .data import (
    AVAILABILITY,
    COMPONENTS,
    NICE_TO_HAVE,
    SHARED_EXPERIENCE,
    TIMEZONE,
    WAITING,
    Component,
    Reason,
    Requests,
    Supporters,
    Weights,
)
from .packing import (
    _DAY_MINUTES,
    _check_compatible,
    _exclusion_index,
    _pack_requests,
    _pack_supporters,
)
from .scoring import _features, _points, _tables
from .wording import (
    R_AVAILABLE_ANY,
    R_AVAILABLE_SOME,
    R_NICE,
    R_NICE_NONE,
    R_SHARED,
    R_SHARED_NONE,
    R_SUPPORTER_ANY,
    R_TZ_APART,
    R_TZ_CAPPED,
    R_TZ_SAME,
    R_WAITING,
    R_WAITING_FULL,
)


def explain(
    requests: Requests,
    r_idx: int,
    supporters: Supporters,
    s_idx: int,
    weights: Weights | None = None,
) -> list[Component]:
    """The score of pairing request ``r_idx`` with supporter ``s_idx``, by component.

    ``sum(c.points_int)`` equals the ``score_int`` the solver uses for this pair (same
    feature and table code). Hard constraints are not checked here; see
    :func:`ineligibility_reasons`.
    """
    return explain_pairs(requests, [r_idx], supporters, [s_idx], weights)[0]


def _take_requests(rq: Requests, rows: np.ndarray) -> Requests:
    return Requests(
        ids=rq.ids[rows],
        languages=rq.languages[rows],
        modes=rq.modes[rows],
        areas_must=rq.areas_must[rows],
        areas_nice=rq.areas_nice[rows],
        gender_must=rq.gender_must[rows],
        gender_nice=rq.gender_nice[rows],
        relationship_must=rq.relationship_must[rows],
        relationship_nice=rq.relationship_nice[rows],
        availability=rq.availability[rows],
        tz_offset_minutes=rq.tz_offset_minutes[rows],
        waiting_days=rq.waiting_days[rows],
        excluded=np.zeros((0, 2), dtype=np.int64),  # explanations do not check constraints
    )


def explain_pairs(
    requests: Requests,
    r_idx,
    supporters: Supporters,
    s_idx,
    weights: Weights | None = None,
) -> list[list[Component]]:
    """:func:`explain` for many pairs ``(r_idx[i], s_idx[i])`` at once (features and points
    in bulk, with the very same code; only the words are built one pair at a time), e.g. to
    store the explanation of every proposal a batch run writes."""
    weights = weights or Weights()
    _check_compatible(requests, supporters)
    r_idx = np.asarray(r_idx, dtype=np.int64).ravel()
    s_idx = np.asarray(s_idx, dtype=np.int64).ravel()
    if len(r_idx) != len(s_idx):
        raise ValueError("r_idx and s_idx must have the same length")
    if not len(r_idx):
        return []
    for idx, n, what in ((r_idx, len(requests), "request"), (s_idx, len(supporters), "supporter")):
        bad = idx[(idx < 0) | (idx >= n)]
        if len(bad):
            raise IndexError(f"{what} index {int(bad[0])} out of range 0..{n - 1}")
    rows, r_pos = np.unique(r_idx, return_inverse=True)
    cols, s_pos = np.unique(s_idx, return_inverse=True)
    pr = _pack_requests(_take_requests(requests, rows), weights)
    ps = _pack_supporters(supporters, cols)
    tables = _tables(weights, requests.areas_must.shape[1])
    f = _features(pr, ps, r_pos, s_pos)
    pts = {name: v.tolist() for name, v in _points(f, tables).items()}
    n_wanted, n_shared = f.n_wanted.tolist(), f.n_shared.tolist()
    n_met, n_stated = f.n_met.tolist(), f.n_stated.tolist()
    n_slots, n_common = f.n_slots.tolist(), f.n_common.tolist()
    tz_diff = f.tz_diff.tolist()
    gender_nice = requests.gender_nice[r_idx].tolist()
    rel_nice = requests.relationship_nice[r_idx].tolist()
    gender = supporters.gender[s_idx].tolist()
    relationship = supporters.relationship[s_idx].tolist()
    supporter_any = (supporters.availability[s_idx] == 0).tolist()
    days_waited = requests.waiting_days[r_idx].astype(np.float64).tolist()
    weight_of = {name: float(getattr(weights, name)) for name in COMPONENTS}
    cap = tables.cap_minutes
    cap_days = float(weights.waiting_cap_days)

    def ratio(num: int, den: int) -> float:
        return 1.0 if den == 0 else num / den

    out = []
    for i in range(len(r_idx)):
        raw: dict[str, float] = {}
        reasons: dict[str, Reason] = {}

        raw[SHARED_EXPERIENCE] = ratio(n_shared[i], n_wanted[i])
        reasons[SHARED_EXPERIENCE] = (
            Reason.of(R_SHARED_NONE)
            if n_wanted[i] == 0
            else Reason.of(R_SHARED, shared=n_shared[i], wanted=n_wanted[i])
        )

        details: dict[str, bool] = {}
        if gender_nice[i] >= 0:
            details["gender"] = gender_nice[i] == gender[i]
        if rel_nice[i] >= 0:
            details["relationship"] = rel_nice[i] == relationship[i]
        raw[NICE_TO_HAVE] = ratio(n_met[i], n_stated[i])
        reasons[NICE_TO_HAVE] = (
            Reason.of(R_NICE_NONE)
            if not details
            else Reason.of(R_NICE, met=n_met[i], stated=len(details), **details)
        )

        raw[AVAILABILITY] = ratio(n_common[i], n_slots[i])
        if n_slots[i] == 0:
            reasons[AVAILABILITY] = Reason.of(R_AVAILABLE_ANY)
        elif supporter_any[i]:
            reasons[AVAILABILITY] = Reason.of(R_SUPPORTER_ANY)
        else:
            reasons[AVAILABILITY] = Reason.of(
                R_AVAILABLE_SOME, common=n_common[i], slots=n_slots[i]
            )

        dist = min(tz_diff[i], _DAY_MINUTES - tz_diff[i])
        raw[TIMEZONE] = (cap - min(dist, cap)) / cap
        if dist == 0:
            reasons[TIMEZONE] = Reason.of(R_TZ_SAME)
        elif dist >= cap:
            reasons[TIMEZONE] = Reason.of(R_TZ_CAPPED, minutes=dist, cap_minutes=int(cap))
        else:
            reasons[TIMEZONE] = Reason.of(R_TZ_APART, minutes=dist)

        days = days_waited[i]
        raw[WAITING] = min(days, cap_days) / cap_days
        reasons[WAITING] = Reason.of(
            R_WAITING_FULL if days >= cap_days else R_WAITING,
            days=math.floor(days),
            cap_days=cap_days,
        )
        out.append(
            [
                Component(
                    name=name,
                    raw=raw[name],
                    weight=weight_of[name],
                    points_int=pts[name][i],
                    reason=reasons[name],
                )
                for name in COMPONENTS
            ]
        )
    return out


def pair_score(
    requests: Requests,
    r_idx: int,
    supporters: Supporters,
    s_idx: int,
    weights: Weights | None = None,
) -> int:
    """score_int of one pair (whether or not it is eligible)."""
    return sum(c.points_int for c in explain(requests, r_idx, supporters, s_idx, weights))


def _take_request(rq: Requests, idx: int) -> Requests:
    if not 0 <= idx < len(rq):
        raise IndexError(f"request index {idx} out of range 0..{len(rq) - 1}")
    sl = slice(idx, idx + 1)
    return Requests(
        ids=rq.ids[sl],
        languages=rq.languages[sl],
        modes=rq.modes[sl],
        areas_must=rq.areas_must[sl],
        areas_nice=rq.areas_nice[sl],
        gender_must=rq.gender_must[sl],
        gender_nice=rq.gender_nice[sl],
        relationship_must=rq.relationship_must[sl],
        relationship_nice=rq.relationship_nice[sl],
        availability=rq.availability[sl],
        tz_offset_minutes=rq.tz_offset_minutes[sl],
        waiting_days=rq.waiting_days[sl],
        excluded=rq.excluded[rq.excluded[:, 0] == rq.ids[idx]],
    )


def ineligibility_reasons(requests: Requests, r_idx: int, supporters: Supporters) -> dict[str, int]:
    """For one request: how many supporters each hard constraint rules out.

    Keys are :data:`CONSTRAINTS` in order, all present (0 when a constraint rules out
    nobody). A supporter failing several constraints is counted under each, so the numbers
    can add up to more than the number of supporters.
    """
    _check_compatible(requests, supporters)
    one = _take_request(requests, int(r_idx))
    pr = _pack_requests(one, Weights())
    ps = _pack_supporters(supporters)
    excl_r, excl_s = _exclusion_index(one, supporters)
    masks = _constraint_masks(pr, 0, 1, ps, excl_r, excl_s)
    return {name: int(len(supporters) - np.count_nonzero(masks[name])) for name in CONSTRAINTS}
