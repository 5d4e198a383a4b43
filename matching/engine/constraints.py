"""Hard constraints, vectorised over a block of requests x the given supporters.

A pair is eligible when it passes every constraint below. The tests are bit operations on
the packed inputs (:mod:`.packing`), broadcast over a block of ``chunk`` requests x all
supporters with capacity left, so there is no Python loop over pairs; exclusions (declined
/ blocked / ended) are id pairs scattered into the block. :func:`_constraint_masks` keeps
one "passes" mask per constraint (for :func:`~.explanations.ineligibility_reasons`);
:func:`_eligible_block` is the fused test used in bulk by :func:`~.edges.eligible_edges`.
"""

from __future__ import annotations

import numpy as np

from .packing import _PackedRequests, _PackedSupporters

# Hard-constraint names, in the order ineligibility_reasons() reports them.
NO_CAPACITY = "no capacity left"
NO_LANGUAGE = "no shared language"
NO_MODE = "no meeting mode in common"
MISSING_AREA = "missing a must-have lived-experience area"
GENDER_MUST = "gender preference not met"
RELATIONSHIP_MUST = "relationship-to-lived-experience preference not met"
EXCLUDED = "declined, blocked or ended earlier"
CONSTRAINTS = (
    NO_CAPACITY,
    NO_LANGUAGE,
    NO_MODE,
    MISSING_AREA,
    GENDER_MUST,
    RELATIONSHIP_MUST,
    EXCLUDED,
)


def _any_common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a uint64 [n, W], b uint64 [m, W] -> bool [n, m]: the rows share at least one bit."""
    out = (a[:, 0, None] & b[None, :, 0]) != 0
    for w in range(1, a.shape[1]):
        out |= (a[:, w, None] & b[None, :, w]) != 0
    return out


def _subset(a: np.ndarray, not_b: np.ndarray) -> np.ndarray:
    """bool [n, m]: every bit of a[i] is also set in b[j] (given ~b)."""
    out = (a[:, 0, None] & not_b[None, :, 0]) == 0
    for w in range(1, a.shape[1]):
        out &= (a[:, w, None] & not_b[None, :, w]) == 0
    return out


def _code_ok(want: np.ndarray, have: np.ndarray) -> np.ndarray:
    """bool [n, m]: no constraint (-1) or the supporter's code equals it."""
    return (want[:, None] < 0) | (want[:, None] == have[None, :])


def _constraint_masks(
    pr: _PackedRequests,
    r0: int,
    r1: int,
    ps: _PackedSupporters,
    excl_r: np.ndarray,
    excl_s: np.ndarray,
) -> dict[str, np.ndarray]:
    """Requests r0..r1 x supporters in ps: bool [n, m] "passes" mask for each constraint.

    ``excl_r`` / ``excl_s``: excluded pairs (request index, index into ps), sorted by
    request. :func:`_eligible_block` is the fused equivalent used in bulk.
    """
    sl = slice(r0, r1)
    n, m = r1 - r0, len(ps.gender)
    not_excluded = np.ones((n, m), dtype=bool)
    lo, hi = np.searchsorted(excl_r, [r0, r1])
    not_excluded[excl_r[lo:hi] - r0, excl_s[lo:hi]] = False
    return {
        NO_CAPACITY: np.broadcast_to(ps.capacity_left[None, :] > 0, (n, m)),
        NO_LANGUAGE: _any_common(pr.languages[sl], ps.languages),
        NO_MODE: _any_common(pr.modes[sl], ps.modes),
        MISSING_AREA: _subset(pr.areas_must[sl], ps.not_areas),
        GENDER_MUST: _code_ok(pr.gender_must[sl], ps.gender),
        RELATIONSHIP_MUST: _code_ok(pr.relationship_must[sl], ps.relationship),
        EXCLUDED: not_excluded,
    }


def _eligible_block(
    pr: _PackedRequests,
    r0: int,
    r1: int,
    ps: _PackedSupporters,
    excl_r: np.ndarray,
    excl_s: np.ndarray,
) -> np.ndarray:
    """Same tests as :func:`_constraint_masks` ANDed in place (supporters in ps are
    assumed to have capacity), skipping tests no request in the block uses."""
    sl = slice(r0, r1)
    ok = _any_common(pr.languages[sl], ps.languages)
    ok &= _any_common(pr.modes[sl], ps.modes)
    if (pr.gender_must[sl] >= 0).any():
        ok &= _code_ok(pr.gender_must[sl], ps.gender)
    if (pr.relationship_must[sl] >= 0).any():
        ok &= _code_ok(pr.relationship_must[sl], ps.relationship)
    if pr.has_must_area[sl].any():
        ok &= _subset(pr.areas_must[sl], ps.not_areas)
    lo, hi = np.searchsorted(excl_r, [r0, r1])
    if hi > lo:
        ok[excl_r[lo:hi] - r0, excl_s[lo:hi]] = False
    return ok
