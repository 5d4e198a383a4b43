"""Matching engine: pairs open support requests with supporters. Pure Python/NumPy.

No Django imports: everything works on columnar NumPy arrays, so it can be tested and
benchmarked without a database. The Django side loads rows into :class:`Requests` and
:class:`Supporters`, calls :func:`eligible_edges` then :func:`assign_optimal`, and shows
:func:`explain` / :func:`ineligibility_reasons` to coordinators. Explanations carry their
reasons as data (:class:`Reason`: a code and numbers), put in words only when shown, through
a translation provider the Django side installs (:func:`use_translations`).

Pipeline
========
1. **Hard constraints** (:func:`eligible_edges`). Set-valued attributes (languages, meeting
   modes, lived-experience areas) are packed into uint64 bit words, so "share a language"
   is ``(a & b) != 0`` and "has every must-have area" is ``(must & ~areas) == 0``, broadcast
   over a block of ``chunk`` requests x all supporters with capacity left. Blocks bound the
   temporary memory to O(chunk x S) (default ~2M pairs per block); there is no Python loop
   over pairs. Exclusions (declined / blocked / ended) are id pairs scattered into the block.

2. **Score** (integer "centipoints", ``SCORE_SCALE`` = 100 per point). Five components, each
   ``weight x fraction earned``; every fraction is a ratio of small integers (or, for
   waiting, a float per request), so each component's points are looked up in a small table
   built with exact integer round-half-up arithmetic: ``points_int = round(weight_centi x
   num / den)``. A pair's ``score_int`` is the plain sum of its five ``points_int``.
   :func:`explain` runs the very same feature and table code on a single pair, so its
   components always sum to the solver's score exactly (a test checks random pairs).

   * shared_experience: shared / wanted lived-experience areas (must + nice). Asking for
     none counts as fully met (see "Choices" below).
   * nice_to_have: nice-to-have supporter preferences met (gender, relationship to lived
     experience) / stated; none stated counts as fully met.
   * availability: of the request's weekly slots, the share the supporter also has; "any
     time" (mask 0) on either side is a full fit.
   * timezone: circular distance between UTC offsets, full points at 0 h, linear down to 0
     at ``Weights.timezone_cap_hours``.
   * waiting: per request, linear in days waiting up to ``Weights.waiting_cap_days``. It is
     constant across a request's supporters, so it never changes *which* supporter a
     request gets; it only decides which requests win when places are short (fairness).

3. **Assignment** (:func:`assign_optimal`). Lexicographic objective: first the number of
   matched requests, then the total score. This is a bipartite b-matching (request
   capacity 1, supporter capacity ``capacity_left``), solved as a min-cost flow with
   OR-Tools ``SimpleMinCostFlow.solve_max_flow_with_min_cost``: source -> request (cap 1),
   request -> supporter (cap 1, cost ``-score_int``), supporter -> sink (cap
   ``capacity_left``). That call first finds the maximum flow (= most requests matched) and
   then the cheapest flow of that value (= highest total score among those), which is
   exactly the lexicographic objective. Why OR-Tools rather than SciPy: SciPy's
   ``linear_sum_assignment`` / ``min_weight_full_bipartite_matching`` only do 1:1
   assignment, so supporters would have to be cloned per unit of capacity (~3x the edges)
   and the "not everybody can be matched" case needs dummy nodes; a min-cost flow
   expresses capacities and "maximise the count first" natively and is well maintained.

   Lexicographic weights and BIG. For the optimality certificate (below) the objective is
   written as a single linear one: maximise ``sum(BIG + score_int)`` over chosen edges,
   with ``BIG = n_max * s_max + 1`` where ``s_max`` is the largest edge score and
   ``n_max = min(R, sum capacity_left, E)`` bounds the size of any feasible matching.
   Proof that BIG makes cardinality dominate: take matchings X with k+1 edges and Y with k
   edges (k + 1 <= n_max). All scores are >= 0, so ``W(X) >= (k+1) BIG`` and
   ``W(Y) <= k BIG + k s_max <= k BIG + (n_max - 1) s_max < k BIG + BIG``. Hence
   ``W(X) > W(Y)``: any larger matching beats any smaller one, and among equal-size
   matchings W orders by total score. (The OR-Tools call does not need BIG because it
   maximises the flow first by construction; BIG only enters the certificate, in exact
   int64 arithmetic; duals are bounded by BIG + (S + 1) * s_max and the code checks that
   stays far below 2**62, i.e. fine up to millions of requests.)

   Exact reduction ("pricing" / column generation with an LP certificate). The full
   eligible graph has ~9M edges at R=10000, S=2000; solving it directly takes ~5-6.5 s
   and ~1.1 GB. Instead: solve on a candidate subset C (each request's top ~8 edges by score
   plus each supporter's top ~6 x capacity), then build LP duals from that solution -
   ``u_r`` per request, ``v_s`` per supporter, the smallest supporter "prices" consistent
   with it (a longest-path fixed point over alternating paths, vectorised Bellman-Ford) -
   and scan ALL eligible edges for ``u_r + v_s >= BIG + score_rs``. The b-matching LP is
   integral (bipartite, totally unimodular), so if every edge satisfies that, ``u, v >=
   0`` and ``sum(u) + sum(capacity_left * v)`` equals the matching's weight, weak duality
   proves the matching optimal for the FULL graph, not just for C. Otherwise each request
   adds its (up to 8) most violated edges to C and the round repeats (typically 3-6
   rounds; each round adds at least one edge, so it terminates). This is exact by
   construction: the answer is only returned once it carries a proof of optimality; if
   C grows past half the edges, the next round simply takes every edge; if the rounds
   do not converge (cap ``_MAX_ROUNDS``, never seen) the engine solves the full graph
   directly (still exact, just slower, ``certified=False``).
   Small graphs (``direct_limit`` edges or fewer) are solved directly.

4. :func:`assign_greedy`: the baseline (highest score first), for benchmarks.

Cost growth
===========
* :func:`eligible_edges`: Theta(R x S) vectorised bit operations (a few ns per pair) plus
  O(E) scoring, E = eligible pairs (~45% of R x S on the benchmark instance). Memory is
  O(E) for the result (16 bytes per edge: int32 + int32 + int64) plus O(chunk x S).
* :func:`assign_optimal`: O(E) for the initial candidate selection and, per round, O(E)
  for the certificate scan (both chunked, bounded memory), plus a min-cost flow on
  |C| ~ 8 R + 6 (sum capacity + S) arcs (not on E), plus the dual fixed point
  O(iterations x |C|). So time grows ~linearly in R x S through the scans and roughly
  linearly (mildly super-linearly) in R + S through the solve; memory is dominated by the
  edge list. The direct full-graph solve costs roughly 0.6 us and ~120 bytes per edge.
* Measured on the 2-core dev box with the benchmark instance (``bench_instance``):
  R=10000, S=2000 (9M edges): edges ~0.6-0.9 s, optimal ~1.2-1.5 s, peak RSS ~360 MB;
  R=20000, S=4000 (36M edges): ~4 s + ~5.6 s, ~1.1 GB; R=S=10000 (46M edges): ~3.5 s +
  ~8 s, ~1.3 GB. Past ~10M edges the materialised edge list is what to shrink first.

Choices worth knowing
=====================
* "Nothing asked" is a full fit on that component (no areas wanted, no nice-to-have
  preference, "any time"): every component measures how fully the supporter meets what the
  survivor asked for. This keeps flexible survivors from being starved in contention; the
  alternative (0 points) would push requests without stated preferences behind everyone.
* ``score_int`` is always >= 0 and at most ``Weights.max_score_int()``.
* Preference codes: requests use -1 for "none"; supporters' codes must be >= -1 (-1 =
  unknown, which never satisfies a stated preference).
"""

from __future__ import annotations

import functools
import gettext as _stdlib_gettext
import math
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

__all__ = [
    "COMPONENTS",
    "CONSTRAINTS",
    "Assignment",
    "Component",
    "Edges",
    "Reason",
    "Requests",
    "Supporters",
    "Weights",
    "assign_greedy",
    "assign_optimal",
    "eligible_edges",
    "explain",
    "explain_pairs",
    "ineligibility_reasons",
    "pair_score",
    "use_translations",
]

N_SLOTS = 21  # weekly availability slots: bit 3 * day + part (0 morning, 1 afternoon, 2 evening)
SCORE_SCALE = 100  # score_int is in hundredths of a point ("centipoints")
NO_CONSTRAINT = -1  # code for "no gender / relationship preference"

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

# Score component names, in the order explain() returns them.
SHARED_EXPERIENCE = "shared_experience"
NICE_TO_HAVE = "nice_to_have"
AVAILABILITY = "availability"
TIMEZONE = "timezone"
WAITING = "waiting"
COMPONENTS = (SHARED_EXPERIENCE, NICE_TO_HAVE, AVAILABILITY, TIMEZONE, WAITING)

_DAY_MINUTES = 1440
_NO_PREF = np.int16(np.iinfo(np.int16).min)  # internal "none": never equals a supporter code
_AV_BITS = 32  # availability masks are uint32

# Optimal solver tuning (none of these affect the result, only the speed).
DIRECT_LIMIT = 100_000  # edges; at or below this, solve the full graph directly
K_REQUEST = 8  # initial candidates: each request's top 8 edges by score ...
K_SUPPORTER_PER_SLOT = 6  # ... and each supporter's top 6 x (capacity_left + 1) edges
_SCORE_BINS = 256  # top-k is taken by score bins (ties within a bin are all kept)
_MAX_ROUNDS = 30
_SCAN_CHUNK = 1 << 21  # edges per block when scanning all edges


# ----------------------------------------------------------------------------------------
# Public data structures
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Weights:
    """Points a perfect fit earns on each score component, plus the components' caps.

    Weights are quantised to 0.01 point. The defaults sum to 100, so a score reads as
    "out of 100", with shared lived experience the heaviest. ``waiting`` only matters when
    there are more requests than places (see the module docstring).
    """

    shared_experience: float = 45.0
    nice_to_have: float = 15.0
    availability: float = 15.0
    timezone: float = 10.0
    waiting: float = 15.0
    timezone_cap_hours: float = 8.0
    waiting_cap_days: float = 60.0

    def __post_init__(self) -> None:
        for name in COMPONENTS:
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 <= value <= 1000):
                raise ValueError(f"weight {name}={value!r} must be within 0..1000")
        for name in ("timezone_cap_hours", "waiting_cap_days"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name}={value!r} must be positive")

    def centi(self) -> dict[str, int]:
        """Each component's weight in centipoints (what a perfect fit earns)."""
        return {name: round(getattr(self, name) * SCORE_SCALE) for name in COMPONENTS}

    def max_score_int(self) -> int:
        """Upper bound of any pair's score_int under these weights."""
        return sum(self.centi().values())


def _as(a, dtype, ndim: int, name: str) -> np.ndarray:
    out = np.ascontiguousarray(a, dtype=dtype)
    if out.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {out.shape}")
    return out


def _check_lengths(obj, names: tuple[str, ...]) -> None:
    n = len(obj.ids)
    for name in names:
        if len(getattr(obj, name)) != n:
            cls = type(obj).__name__
            raise ValueError(f"{cls}.{name} has length {len(getattr(obj, name))}, expected {n}")
    if len(np.unique(obj.ids)) != n:
        raise ValueError(f"{type(obj).__name__} ids must be unique")


@dataclass
class Requests:
    """Open support requests, columnar (length R).

    Boolean matrices: ``languages`` [R, L], ``modes`` [R, M], ``areas_must`` and
    ``areas_nice`` [R, A]; their column counts must match :class:`Supporters`. Preference
    codes are int16, ``-1`` when not given. ``availability`` is a uint32 weekly bitmask
    (``N_SLOTS`` bits used), 0 meaning "any time". ``tz_offset_minutes`` is the UTC offset.
    ``excluded`` is int64 [K, 2] of (request id, supporter id) pairs that must never be
    matched (the supporter declined this request, the survivor blocked them, or an earlier
    pairing between them ended); ids not in the current instance are ignored.
    """

    ids: np.ndarray
    languages: np.ndarray
    modes: np.ndarray
    areas_must: np.ndarray
    areas_nice: np.ndarray
    gender_must: np.ndarray
    gender_nice: np.ndarray
    relationship_must: np.ndarray
    relationship_nice: np.ndarray
    availability: np.ndarray
    tz_offset_minutes: np.ndarray
    waiting_days: np.ndarray
    excluded: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))

    def __post_init__(self) -> None:
        self.ids = _as(self.ids, np.int64, 1, "ids")
        for name in ("languages", "modes", "areas_must", "areas_nice"):
            setattr(self, name, _as(getattr(self, name), bool, 2, name))
        for name in ("gender_must", "gender_nice", "relationship_must", "relationship_nice"):
            setattr(self, name, _as(getattr(self, name), np.int16, 1, name))
        self.availability = _as(self.availability, np.uint32, 1, "availability")
        self.tz_offset_minutes = _as(self.tz_offset_minutes, np.int32, 1, "tz_offset_minutes")
        self.waiting_days = _as(self.waiting_days, np.float32, 1, "waiting_days")
        self.excluded = _as(self.excluded, np.int64, 2, "excluded").reshape(-1, 2)
        _check_lengths(
            self,
            (
                "languages",
                "modes",
                "areas_must",
                "areas_nice",
                "gender_must",
                "gender_nice",
                "relationship_must",
                "relationship_nice",
                "availability",
                "tz_offset_minutes",
                "waiting_days",
            ),
        )
        if self.areas_must.shape != self.areas_nice.shape:
            raise ValueError("areas_must and areas_nice must have the same shape")
        if not np.isfinite(self.waiting_days).all() or (self.waiting_days < 0).any():
            raise ValueError("waiting_days must be finite and >= 0")

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Supporters:
    """Approved supporters, columnar (length S). Encodings as in :class:`Requests`;
    ``gender`` / ``relationship`` codes are int16 >= -1 (-1 = unknown)."""

    ids: np.ndarray
    languages: np.ndarray
    modes: np.ndarray
    areas: np.ndarray
    gender: np.ndarray
    relationship: np.ndarray
    availability: np.ndarray
    tz_offset_minutes: np.ndarray
    capacity_left: np.ndarray

    def __post_init__(self) -> None:
        self.ids = _as(self.ids, np.int64, 1, "ids")
        for name in ("languages", "modes", "areas"):
            setattr(self, name, _as(getattr(self, name), bool, 2, name))
        self.gender = _as(self.gender, np.int16, 1, "gender")
        self.relationship = _as(self.relationship, np.int16, 1, "relationship")
        self.availability = _as(self.availability, np.uint32, 1, "availability")
        self.tz_offset_minutes = _as(self.tz_offset_minutes, np.int32, 1, "tz_offset_minutes")
        self.capacity_left = _as(self.capacity_left, np.int32, 1, "capacity_left")
        _check_lengths(
            self,
            (
                "languages",
                "modes",
                "areas",
                "gender",
                "relationship",
                "availability",
                "tz_offset_minutes",
                "capacity_left",
            ),
        )
        if (self.gender < -1).any() or (self.relationship < -1).any():
            raise ValueError("supporter gender / relationship codes must be >= -1")

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Edges:
    """Eligible (request, supporter) pairs, sorted by request index then supporter index."""

    req_idx: np.ndarray  # int32 [E], index into Requests
    sup_idx: np.ndarray  # int32 [E], index into Supporters
    score_int: np.ndarray  # int64 [E], centipoints; == sum of explain() points_int
    n_requests: int
    n_supporters: int

    def __len__(self) -> int:
        return len(self.req_idx)


@dataclass(frozen=True)
class Assignment:
    """Chosen pairs sorted by request index, how many, and their summed score_int.

    ``rounds`` is the number of pricing rounds the optimal solver used (0: solved the full
    graph directly, or greedy); ``certified`` is True when the result carries an LP
    optimality certificate over all eligible edges.
    """

    req_idx: np.ndarray  # int64 [count]
    sup_idx: np.ndarray  # int64 [count]
    score_int: np.ndarray  # int64 [count]
    count: int
    total_score: int  # sum of score_int (centipoints)
    rounds: int = 0
    certified: bool = False


@dataclass(frozen=True)
class Reason:
    """Why a component earned its points, as data (a code and its numbers); ``str()`` puts
    it in words at the moment it is shown, so each reader gets their own language (see
    :func:`use_translations`). Worded neutrally, in the third person: supporters and
    coordinators read it, not only the person who asked."""

    code: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def args(self) -> dict:
        return dict(self.params)

    @classmethod
    def of(cls, code: str, **args) -> Reason:
        return cls(code, tuple(sorted(args.items())))

    def __str__(self) -> str:
        return reason_text(self.code, self.args)

    def __bool__(self) -> bool:
        return bool(self.code)


@dataclass(frozen=True)
class Component:
    """One explainable part of a pair's score; ``points_int`` sum to the solver's score."""

    name: str
    raw: float  # fraction of the component earned, 0..1
    weight: float  # points for a perfect fit
    points_int: int  # centipoints, exactly what the solver uses
    reason: Reason

    @property
    def points(self) -> float:
        return self.points_int / SCORE_SCALE


# ----------------------------------------------------------------------------------------
# Packed views of the inputs
# ----------------------------------------------------------------------------------------
def _pack_bits(a: np.ndarray) -> np.ndarray:
    """Bool [n, k] -> uint64 [n, max(1, ceil(k/64))]; the same layout for any input."""
    n, k = a.shape
    words = max(1, -(-k // 64))
    packed = np.packbits(a, axis=1, bitorder="little")
    buf = np.zeros((n, words * 8), dtype=np.uint8)
    buf[:, : packed.shape[1]] = packed
    return buf.view(np.uint64)


def _popcount_rows(a: np.ndarray) -> np.ndarray:
    """Set bits per row of uint64 [n, W] -> int64 [n]."""
    if a.shape[1] == 1:
        return np.bitwise_count(a[:, 0]).astype(np.int32)
    return np.bitwise_count(a).sum(axis=1, dtype=np.int32)


def _normalise_tz(minutes: np.ndarray) -> np.ndarray:
    return np.mod(minutes.astype(np.int64), _DAY_MINUTES).astype(np.int32)


@dataclass
class _PackedRequests:
    languages: np.ndarray  # uint64 [R, WL]
    modes: np.ndarray  # uint64 [R, WM]
    areas_must: np.ndarray  # uint64 [R, WA]
    has_must_area: np.ndarray  # bool [R]
    areas_wanted: np.ndarray  # uint64 [R, WA], must | nice
    n_wanted: np.ndarray  # int32 [R]
    gender_must: np.ndarray  # int16 [R], -1 none
    relationship_must: np.ndarray
    gender_nice: np.ndarray  # int16 [R], _NO_PREF when none
    relationship_nice: np.ndarray
    n_stated: np.ndarray  # int32 [R], nice-to-have preferences stated (0..2)
    availability: np.ndarray  # uint32 [R]
    n_slots: np.ndarray  # int32 [R], 0 = any time
    tz: np.ndarray  # int32 [R], offset mod 1440
    waiting_points: np.ndarray  # int32 [R]


@dataclass
class _PackedSupporters:
    languages: np.ndarray
    modes: np.ndarray
    areas: np.ndarray
    not_areas: np.ndarray
    gender: np.ndarray
    relationship: np.ndarray
    availability: np.ndarray  # uint32, "any time" -> all bits set
    tz: np.ndarray
    capacity_left: np.ndarray


def _waiting_points(days: np.ndarray, weights: Weights) -> np.ndarray:
    """Waiting component per request (elementwise float64, so 1 or N rows agree exactly)."""
    cap = float(weights.waiting_cap_days)
    frac = np.minimum(days.astype(np.float64), cap) / cap
    return np.floor(weights.centi()[WAITING] * frac + 0.5).astype(np.int32)


def _pack_requests(rq: Requests, weights: Weights) -> _PackedRequests:
    wanted = _pack_bits(rq.areas_must | rq.areas_nice)
    must = _pack_bits(rq.areas_must)
    gn = np.where(rq.gender_nice >= 0, rq.gender_nice, _NO_PREF).astype(np.int16)
    rn = np.where(rq.relationship_nice >= 0, rq.relationship_nice, _NO_PREF).astype(np.int16)
    return _PackedRequests(
        languages=_pack_bits(rq.languages),
        modes=_pack_bits(rq.modes),
        areas_must=must,
        has_must_area=(must != 0).any(axis=1),
        areas_wanted=wanted,
        n_wanted=_popcount_rows(wanted),
        gender_must=rq.gender_must,
        relationship_must=rq.relationship_must,
        gender_nice=gn,
        relationship_nice=rn,
        n_stated=(rq.gender_nice >= 0).astype(np.int32) + (rq.relationship_nice >= 0),
        availability=rq.availability,
        n_slots=np.bitwise_count(rq.availability).astype(np.int32),
        tz=_normalise_tz(rq.tz_offset_minutes),
        waiting_points=_waiting_points(rq.waiting_days, weights),
    )


def _pack_supporters(sp: Supporters, cols: np.ndarray | None = None) -> _PackedSupporters:
    def take(a: np.ndarray) -> np.ndarray:
        return a if cols is None else a[cols]

    areas = _pack_bits(take(sp.areas))
    av = take(sp.availability)
    return _PackedSupporters(
        languages=_pack_bits(take(sp.languages)),
        modes=_pack_bits(take(sp.modes)),
        areas=areas,
        not_areas=~areas,
        gender=take(sp.gender),
        relationship=take(sp.relationship),
        availability=np.where(av == 0, np.uint32(0xFFFFFFFF), av).astype(np.uint32),
        tz=_normalise_tz(take(sp.tz_offset_minutes)),
        capacity_left=take(sp.capacity_left),
    )


def _check_compatible(requests: Requests, supporters: Supporters) -> None:
    for rname, sname in (("languages", "languages"), ("modes", "modes"), ("areas_must", "areas")):
        rw, sw = getattr(requests, rname).shape[1], getattr(supporters, sname).shape[1]
        if rw != sw:
            raise ValueError(f"Requests.{rname} has {rw} columns but Supporters.{sname} has {sw}")


def _lookup(ids: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Index of each query id in ids, -1 when absent."""
    if len(ids) == 0:
        return np.full(len(query), -1, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    pos = np.minimum(np.searchsorted(ids, query, sorter=order), len(ids) - 1)
    found = order[pos]
    return np.where(ids[found] == query, found, -1).astype(np.int64)


def _exclusion_index(requests: Requests, supporters: Supporters) -> tuple[np.ndarray, np.ndarray]:
    """Excluded pairs as (request index, supporter index), sorted by request index."""
    ex = requests.excluded
    r = _lookup(requests.ids, ex[:, 0])
    s = _lookup(supporters.ids, ex[:, 1])
    keep = (r >= 0) & (s >= 0)
    r, s = r[keep], s[keep]
    order = np.lexsort((s, r))
    return r[order], s[order]


# ----------------------------------------------------------------------------------------
# Hard constraints, vectorised over a block of requests x the given supporters
# ----------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------
# Score: integer features per pair -> exact integer points via small lookup tables.
# Shared by the bulk scorer and explain(), so both give identical points.
# ----------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------
# Public: edges, explanations, ineligibility reasons
# ----------------------------------------------------------------------------------------
def eligible_edges(
    requests: Requests,
    supporters: Supporters,
    weights: Weights | None = None,
    *,
    chunk: int | None = None,
) -> Edges:
    """All (request, supporter) pairs passing every hard constraint, with score_int.

    Processes ``chunk`` requests at a time against all supporters with capacity left
    (default: ~2M pairs per block), so temporaries stay O(chunk x S).
    """
    weights = weights or Weights()
    _check_compatible(requests, supporters)
    R, S = len(requests), len(supporters)
    cols = np.flatnonzero(supporters.capacity_left > 0)
    m = len(cols)
    if R == 0 or m == 0:
        empty = np.zeros(0, dtype=np.int32)
        return Edges(empty, empty.copy(), np.zeros(0, dtype=np.int64), R, S)

    pr = _pack_requests(requests, weights)
    ps = _pack_supporters(supporters, cols)
    tables = _tables(weights, requests.areas_must.shape[1])
    excl_r, excl_s_full = _exclusion_index(requests, supporters)
    to_col = np.full(S, -1, dtype=np.int64)
    to_col[cols] = np.arange(m)
    excl_s = to_col[excl_s_full]
    keep = excl_s >= 0
    excl_r, excl_s = excl_r[keep], excl_s[keep]

    if chunk is None:
        chunk = max(1, 2_000_000 // m)
    chunk = min(chunk, max(1, (2**31 - 1) // m))  # block offsets fit int32 (fast division)
    cols32 = cols.astype(np.int32)
    req_parts, sup_parts, score_parts = [], [], []
    for r0 in range(0, R, chunk):
        r1 = min(R, r0 + chunk)
        flat = np.flatnonzero(_eligible_block(pr, r0, r1, ps, excl_r, excl_s)).astype(np.int32)
        rr = flat // np.int32(m)
        cc = flat - rr * np.int32(m)
        rr += np.int32(r0)
        score_parts.append(_scores(pr, ps, rr, cc, tables))
        req_parts.append(rr)
        sup_parts.append(cols32[cc])
    # Concatenate one column at a time, dropping its parts, to keep the peak lower.
    req_idx = np.concatenate(req_parts)
    del req_parts
    sup_idx = np.concatenate(sup_parts)
    del sup_parts
    score_int = np.concatenate(score_parts, dtype=np.int64)
    del score_parts
    return Edges(req_idx, sup_idx, score_int, n_requests=R, n_supporters=S)


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


# -- Reasons in words ----------------------------------------------------------------------
# No Django here: the words go through this module's gettext()/ngettext(), which use the
# standard library's NullTranslations (the English below) until use_translations() installs
# another provider (matching/apps.py installs Django's). makemessages finds the literal
# gettext()/ngettext() calls in reason_text().
_translations = _stdlib_gettext.NullTranslations()


def use_translations(provider) -> None:
    """Translate reasons with ``provider.gettext(message)`` and
    ``provider.ngettext(singular, plural, n)`` (e.g. the ``django.utils.translation`` module)."""
    global _translations
    _translations = provider


def gettext(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


# Reason codes (stored with a pairing's explanation, so keep them stable).
R_SHARED_NONE = "shared.none"
R_SHARED = "shared.some"
R_NICE_NONE = "nice.none"
R_NICE = "nice.some"
R_AVAILABLE_ANY = "availability.any"
R_SUPPORTER_ANY = "availability.supporter_any"
R_AVAILABLE_SOME = "availability.some"
R_TZ_SAME = "timezone.same"
R_TZ_APART = "timezone.apart"
R_TZ_CAPPED = "timezone.capped"
R_WAITING = "waiting.growing"
R_WAITING_FULL = "waiting.full"


def _hours(minutes: int) -> str:
    h = minutes / 60
    text = f"{h:g}" if h == int(h) else f"{h:.1f}"
    return ngettext("%(hours)s hour", "%(hours)s hours", 1 if h == 1 else 2) % {"hours": text}


def _match(flag: bool, yes: str, no: str) -> str:
    return yes if flag else no


def reason_text(code: str, args: dict) -> str:
    """A reason in words, in the language installed by :func:`use_translations`."""
    a = args
    if code == R_SHARED_NONE:
        return gettext("No particular lived-experience areas asked for, so any supporter fits")
    if code == R_SHARED:
        return ngettext(
            "Shares %(shared)d of the %(wanted)d lived-experience area they asked for",
            "Shares %(shared)d of the %(wanted)d lived-experience areas they asked for",
            a["wanted"],
        ) % {"shared": a["shared"], "wanted": a["wanted"]}
    if code == R_NICE_NONE:
        return gettext("They gave no nice-to-have preferences about the supporter")
    if code == R_NICE:
        details = []
        if a.get("gender") is not None:
            details.append(
                _match(a["gender"], gettext("gender matches"), gettext("gender does not match"))
            )
        if a.get("relationship") is not None:
            details.append(
                _match(
                    a["relationship"],
                    gettext("relationship to lived experience matches"),
                    gettext("relationship to lived experience does not match"),
                )
            )
        return ngettext(
            "Meets %(met)d of the %(stated)d nice-to-have preference they gave (%(details)s)",
            "Meets %(met)d of the %(stated)d nice-to-have preferences they gave (%(details)s)",
            a["stated"],
        ) % {"met": a["met"], "stated": a["stated"], "details": "; ".join(details)}
    if code == R_AVAILABLE_ANY:
        return gettext("They are available any time")
    if code == R_SUPPORTER_ANY:
        return gettext("The supporter is available any time")
    if code == R_AVAILABLE_SOME:
        return ngettext(
            "The supporter is free in %(common)d of the %(slots)d weekly time slot they gave",
            "The supporter is free in %(common)d of the %(slots)d weekly time slots they gave",
            a["slots"],
        ) % {"common": a["common"], "slots": a["slots"]}
    if code == R_TZ_SAME:
        return gettext("Same time zone")
    if code == R_TZ_APART:
        return gettext("Time zones %(apart)s apart") % {"apart": _hours(a["minutes"])}
    if code == R_TZ_CAPPED:
        return gettext("Time zones %(apart)s apart (%(cap)s or more scores 0)") % {
            "apart": _hours(a["minutes"]),
            "cap": _hours(a["cap_minutes"]),
        }
    if code == R_WAITING_FULL:
        return ngettext(
            "Has waited %(days)d day (full waiting bonus from %(cap)s days)",
            "Has waited %(days)d days (full waiting bonus from %(cap)s days)",
            a["days"],
        ) % {"days": a["days"], "cap": f"{a['cap_days']:g}"}
    if code == R_WAITING:
        return ngettext(
            "Has waited %(days)d day (the bonus grows until %(cap)s days)",
            "Has waited %(days)d days (the bonus grows until %(cap)s days)",
            a["days"],
        ) % {"days": a["days"], "cap": f"{a['cap_days']:g}"}
    return code


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


# ----------------------------------------------------------------------------------------
# Assignment
# ----------------------------------------------------------------------------------------
def _capacity(edges: Edges, R: int, S: int, capacity_left: np.ndarray) -> np.ndarray:
    if (edges.n_requests, edges.n_supporters) != (R, S):
        raise ValueError(
            f"edges were built for R={edges.n_requests}, S={edges.n_supporters}; got R={R}, S={S}"
        )
    cap = np.asarray(capacity_left, dtype=np.int64)
    if cap.shape != (S,):
        raise ValueError(f"capacity_left must have shape ({S},), got {cap.shape}")
    return np.maximum(cap, 0)


def _assignment(
    edges: Edges, chosen: np.ndarray, rounds: int = 0, certified: bool = False
) -> Assignment:
    """Assignment from chosen edge positions."""
    chosen = np.asarray(chosen, dtype=np.int64)
    chosen = chosen[np.argsort(edges.req_idx[chosen], kind="stable")]
    score = edges.score_int[chosen].astype(np.int64)
    return Assignment(
        req_idx=edges.req_idx[chosen].astype(np.int64),
        sup_idx=edges.sup_idx[chosen].astype(np.int64),
        score_int=score,
        count=len(chosen),
        total_score=int(score.sum()),
        rounds=rounds,
        certified=certified,
    )


def assign_greedy(edges: Edges, R: int, S: int, capacity_left: np.ndarray) -> Assignment:
    """Baseline: take edges by score descending (ties: lower request index, then lower
    supporter index) whenever the request is unmatched and the supporter has capacity."""
    cap = _capacity(edges, R, S, capacity_left).copy()
    order = np.lexsort((edges.sup_idx, edges.req_idx, -edges.score_int))
    matched = np.zeros(R, dtype=bool)
    chosen: list[int] = []
    block = 1 << 16
    for b0 in range(0, len(order), block):
        pos = order[b0 : b0 + block]
        rr, ss = edges.req_idx[pos], edges.sup_idx[pos]
        live = np.flatnonzero(~matched[rr] & (cap[ss] > 0))  # prefilter, then exact pass
        for i, r, s in zip(pos[live].tolist(), rr[live].tolist(), ss[live].tolist(), strict=True):
            if not matched[r] and cap[s] > 0:
                matched[r] = True
                cap[s] -= 1
                chosen.append(i)
        if not (cap > 0).any():
            break
    return _assignment(edges, np.asarray(chosen, dtype=np.int64))


def _solve_flow(
    req: np.ndarray, sup: np.ndarray, score: np.ndarray, R: int, S: int, cap: np.ndarray
) -> np.ndarray:
    """Lexicographic optimum (max count, then max score) on the given edges, exactly.

    Returns the bool mask of chosen edges. Nodes: requests 0..R-1, supporters R..R+S-1,
    source R+S, sink R+S+1.
    """
    if len(req) == 0:
        return np.zeros(0, dtype=bool)
    source, sink = R + S, R + S + 1
    reqs = np.unique(req)
    sups = np.unique(sup)
    sups = sups[cap[sups] > 0]
    n_req, n_edge = len(reqs), len(req)
    tails = np.concatenate([np.full(n_req, source), req, R + sups]).astype(np.int32)
    heads = np.concatenate([reqs, R + sup, np.full(len(sups), sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(n_req + n_edge, dtype=np.int64), cap[sups]])
    costs = np.concatenate(
        [np.zeros(n_req, np.int64), -score.astype(np.int64), np.zeros(len(sups), np.int64)]
    )
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    # Offer more supply than can ever flow; solve_max_flow_with_min_cost sends the maximum
    # possible flow (most requests matched), at minimum cost (highest total score).
    units = int(min(n_req, cap[sups].sum()))
    smcf.set_node_supply(source, units)
    smcf.set_node_supply(sink, -units)
    status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"OR-Tools min cost flow failed with status {status}")
    return smcf.flows(arcs[n_req : n_req + n_edge]) > 0


def _top_by_score(
    group: np.ndarray,
    other: np.ndarray,
    n_groups: int,
    k: np.ndarray,
    score: np.ndarray,
    s_max: int,
) -> np.ndarray:
    """Bool mask over edges: each group's k[g] best edges by score (all of them if fewer).

    Linear time: a per-group histogram over score bins finds the bin holding each group's
    k-th best edge; edges in better bins are kept, and that bin's edges are ranked by
    score, exact ties broken by a fixed hash of (group, other) so they are spread rather
    than piled onto the lowest indices. Which edges are chosen only affects speed, never
    the result.
    """
    nb = _SCORE_BINS
    width = s_max // nb + 1
    hist = np.zeros(n_groups * nb, dtype=np.int64)
    for e0 in range(0, len(group), _SCAN_CHUNK):
        sl = slice(e0, e0 + _SCAN_CHUNK)
        top_bin = nb - 1 - score[sl] // width  # 0 = best scores
        hist += np.bincount(group[sl].astype(np.int64) * nb + top_bin, minlength=n_groups * nb)
    cum = np.cumsum(hist.reshape(n_groups, nb), axis=1)
    last_bin = np.minimum((cum < k[:, None]).sum(axis=1), nb - 1)
    above = np.where(last_bin > 0, cum[np.arange(n_groups), np.maximum(last_bin - 1, 0)], 0)
    need = k - above  # how many to take from the boundary bin
    keep = np.empty(len(group), dtype=bool)
    boundary = []
    for e0 in range(0, len(group), _SCAN_CHUNK):
        sl = slice(e0, e0 + _SCAN_CHUNK)
        top_bin = nb - 1 - score[sl] // width
        lb = last_bin[group[sl]]
        keep[sl] = top_bin < lb
        boundary.append(np.flatnonzero(top_bin == lb) + e0)
    pos = np.concatenate(boundary)
    g = group[pos].astype(np.int64)
    tiebreak = (g * 0x9E3779B1 + other[pos].astype(np.int64) * 0x85EBCA77) & 0xFFFFFFFF
    order = np.lexsort((tiebreak, -score[pos], g))
    g_sorted = g[order]
    rank = np.arange(len(order)) - np.searchsorted(g_sorted, g_sorted, side="left")
    keep[pos[order[rank < need[g_sorted]]]] = True
    return keep


def _most_violated(edges: Edges, violated: np.ndarray, u, v, big: int, k: int) -> np.ndarray:
    """Positions of each request's (up to) k most violated edges, i.e. largest deficit
    ``big + score - u_r - v_s``. Edges are sorted by request, so each request's violated
    edges are contiguous: k passes of a per-group max, no sort."""
    pos = np.flatnonzero(violated)
    if len(pos) == 0:
        return pos
    req = edges.req_idx[pos]
    deficit = big + edges.score_int[pos] - u[req] - v[edges.sup_idx[pos]]  # > 0 here
    new_group = np.empty(len(req), dtype=bool)
    new_group[0] = True
    np.not_equal(req[1:], req[:-1], out=new_group[1:])
    starts = np.flatnonzero(new_group)
    group = np.cumsum(new_group) - 1
    chosen = []
    for _ in range(k):
        best = np.maximum.reduceat(deficit, starts)
        hit = np.flatnonzero((deficit == best[group]) & (deficit > 0))
        if len(hit) == 0:
            break
        first = hit[np.r_[True, group[hit][1:] != group[hit][:-1]]]  # one per request
        chosen.append(first)
        deficit[first] = 0
    return pos[np.concatenate(chosen)] if chosen else pos[:0]


def _min_prices(
    req: np.ndarray,
    sup: np.ndarray,
    score: np.ndarray,
    chosen: np.ndarray,
    R: int,
    S: int,
    big: int,
) -> tuple[np.ndarray, np.ndarray] | None:
    """LP duals (u per request, v per supporter) for a matching that is optimal on the
    edges (req, sup, score), with the smallest supporter prices v.

    v is the least fixed point of ``v_s = max(0, max over edges (r, s) of w_rs - u_r)``
    where ``w = big + score`` and ``u_r = w_r,m(r) - v_m(r)`` for a request matched to
    m(r), 0 if unmatched: a longest-path problem over alternating paths, solved by
    vectorised Bellman-Ford. Returns None if it does not converge (it always does when the
    matching is optimal: a non-terminating run needs an improving cycle).
    """
    match = np.full(R, -1, dtype=np.int64)
    match[req[chosen]] = sup[chosen]
    match_score = np.zeros(R, dtype=np.int64)
    match_score[req[chosen]] = score[chosen]
    m_of = match[req]
    unmatched = m_of < 0
    v0 = np.zeros(S, dtype=np.int64)
    np.maximum.at(v0, sup[unmatched], big + score[unmatched])
    alt = ~unmatched & (m_of != sup)
    tail = m_of[alt]
    head = sup[alt].astype(np.int64)
    gain = score[alt] - match_score[req[alt]]
    order = np.argsort(head, kind="stable")
    tail, head, gain = tail[order], head[order], gain[order]
    heads, starts = np.unique(head, return_index=True)
    v = v0
    for _ in range(S + 2):
        if len(heads) == 0:
            break
        best = np.maximum.reduceat(v[tail] + gain, starts)
        grow = best > v[heads]
        if not grow.any():
            break
        v = v.copy()
        v[heads[grow]] = best[grow]
    else:
        return None
    u = np.where(match >= 0, big + match_score - v[np.maximum(match, 0)], 0)
    return u, v


def _violations(edges: Edges, u: np.ndarray, v: np.ndarray, big: int) -> np.ndarray:
    """Bool mask of edges with u_r + v_s < big + score (dual constraint violated)."""
    out = np.empty(len(edges), dtype=bool)
    for e0 in range(0, len(edges), _SCAN_CHUNK):
        sl = slice(e0, e0 + _SCAN_CHUNK)
        slack = u[edges.req_idx[sl]] + v[edges.sup_idx[sl]]
        slack -= edges.score_int[sl]
        out[sl] = slack < big
    return out


def assign_optimal(
    edges: Edges,
    R: int,
    S: int,
    capacity_left: np.ndarray,
    *,
    direct_limit: int = DIRECT_LIMIT,
    k_request: int = K_REQUEST,
    k_supporter_per_slot: int = K_SUPPORTER_PER_SLOT,
) -> Assignment:
    """Exact lexicographic optimum: most requests matched, then highest total score.

    Each request gets at most one supporter, each supporter at most ``capacity_left``
    requests. Graphs with more than ``direct_limit`` edges go through the pricing loop
    described in the module docstring (exact, certified). ``direct_limit``,
    ``k_request`` and ``k_supporter_per_slot`` (initial candidate list sizes) only trade
    speed, never the result.
    """
    cap = _capacity(edges, R, S, capacity_left)
    n_edges = len(edges)
    if n_edges > 1 and (np.diff(edges.req_idx) < 0).any():
        order = np.argsort(edges.req_idx, kind="stable")  # pricing wants request order
        edges = Edges(edges.req_idx[order], edges.sup_idx[order], edges.score_int[order], R, S)
    if n_edges == 0:
        return _assignment(edges, np.zeros(0, dtype=np.int64), certified=True)
    s_max = int(edges.score_int.max())
    if int(edges.score_int.min()) < 0:
        raise ValueError("edge scores must be >= 0")
    n_max = int(min(R, cap.sum(), n_edges))
    # BIG > n_max * s_max makes one more match outweigh any score difference (docstring).
    big = n_max * s_max + 1
    # Duals stay within big + (S + 1) * s_max in magnitude (see _min_prices); keep int64 safe.
    if 4 * (big + (S + 2) * s_max) >= 2**62:
        raise OverflowError("instance too large for the int64 optimality certificate")

    if n_edges <= direct_limit:
        chosen = np.flatnonzero(
            _solve_flow(edges.req_idx, edges.sup_idx, edges.score_int, R, S, cap)
        )
        return _assignment(edges, chosen)

    k_sup = k_supporter_per_slot * (cap + 1)
    candidates = _top_by_score(
        edges.req_idx,
        edges.sup_idx,
        R,
        np.full(R, k_request, dtype=np.int64),
        edges.score_int,
        s_max,
    )
    candidates |= _top_by_score(edges.sup_idx, edges.req_idx, S, k_sup, edges.score_int, s_max)

    for rounds in range(1, _MAX_ROUNDS + 1):
        pos = np.flatnonzero(candidates)
        req = edges.req_idx[pos].astype(np.int64)
        sup = edges.sup_idx[pos].astype(np.int64)
        score = edges.score_int[pos]
        local = np.flatnonzero(_solve_flow(req, sup, score, R, S, cap))
        if (
            np.bincount(req[local], minlength=R).max(initial=0) > 1
            or (np.bincount(sup[local], minlength=S) > cap).any()
        ):
            break  # primal infeasible; cannot happen, be safe
        duals = _min_prices(req, sup, score, local, R, S, big)
        if duals is None:
            break
        u, v = duals
        primal = len(local) * big + int(score[local].sum())  # Python ints: no overflow
        dual = sum(u.tolist()) + sum(c * x for c, x in zip(cap.tolist(), v.tolist(), strict=True))
        if (u < 0).any() or (v < 0).any() or primal != dual:
            break  # not a valid certificate; cannot happen for an exact solve
        violated = _violations(edges, u, v, big)
        if not violated.any():
            return _assignment(edges, pos[local], rounds=rounds, certified=True)
        if (violated & candidates).any():
            break  # duals infeasible on their own edges; cannot happen, be safe
        # Partial pricing: each request brings in its k most violated edges (adding all
        # of them can mean millions of edges when supply exceeds demand).
        candidates[_most_violated(edges, violated, u, v, big, max(1, k_request))] = True
        if np.count_nonzero(candidates) > n_edges // 2:
            candidates[:] = True  # not worth pricing any more: next round solves all edges

    # Fallback (not expected in practice): exact solve on the full graph.
    chosen = np.flatnonzero(_solve_flow(edges.req_idx, edges.sup_idx, edges.score_int, R, S, cap))
    return _assignment(edges, chosen, rounds=0)
