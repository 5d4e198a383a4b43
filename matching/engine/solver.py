"""Assignment: the exact lexicographic optimum (:func:`assign_optimal`: most requests
matched, then the highest total score) and the greedy baseline (:func:`assign_greedy`).

Min-cost flow
=============
The objective is lexicographic: first the number of matched requests, then the total score.
This is a bipartite b-matching (request capacity 1, supporter capacity ``capacity_left``),
solved as a min-cost flow with OR-Tools ``SimpleMinCostFlow.solve_max_flow_with_min_cost``:
source -> request (cap 1), request -> supporter (cap 1, cost ``-score_int``), supporter ->
sink (cap ``capacity_left``). That call first finds the maximum flow (= most requests
matched) and then the cheapest flow of that value (= highest total score among those), which
is exactly the lexicographic objective. Why OR-Tools rather than SciPy: SciPy's
``linear_sum_assignment`` / ``min_weight_full_bipartite_matching`` only do 1:1 assignment,
so supporters would have to be cloned per unit of capacity (~3x the edges) and the "not
everybody can be matched" case needs dummy nodes; a min-cost flow expresses capacities and
"maximise the count first" natively and is well maintained.

Lexicographic weights and BIG
=============================
For the optimality certificate (below) the objective is written as a single linear one:
maximise ``sum(BIG + score_int)`` over chosen edges, with ``BIG = n_max * s_max + 1`` where
``s_max`` is the largest edge score and ``n_max = min(R, sum capacity_left, E)`` bounds the
size of any feasible matching. Proof that BIG makes cardinality dominate: take matchings X
with k+1 edges and Y with k edges (k + 1 <= n_max). All scores are >= 0, so ``W(X) >= (k+1)
BIG`` and ``W(Y) <= k BIG + k s_max <= k BIG + (n_max - 1) s_max < k BIG + BIG``. Hence
``W(X) > W(Y)``: any larger matching beats any smaller one, and among equal-size matchings W
orders by total score. (The OR-Tools call does not need BIG because it maximises the flow
first by construction; BIG only enters the certificate, in exact int64 arithmetic; duals are
bounded by BIG + (S + 1) * s_max and the code checks that stays far below 2**62, i.e. fine
up to millions of requests.)

Exact reduction ("pricing" / column generation with an LP certificate)
======================================================================
The full eligible graph has ~9M edges at R=10000, S=2000; solving it directly is much
slower and needs far more memory than the route below. Instead: solve on a candidate subset
C (each request's top ~8 edges by score plus each supporter's top ~6 x capacity), then build
LP duals from that solution - ``u_r`` per request, ``v_s`` per supporter, the smallest
supporter "prices" consistent with it (a longest-path fixed point over alternating paths,
vectorised Bellman-Ford) - and scan ALL eligible edges for ``u_r + v_s >= BIG + score_rs``.
The b-matching LP is integral (bipartite, totally unimodular), so if every edge satisfies
that, ``u, v >= 0`` and ``sum(u) + sum(capacity_left * v)`` equals the matching's weight,
weak duality proves the matching optimal for the FULL graph, not just for C. Otherwise each
request adds its (up to 8) most violated edges to C and the round repeats (typically 3-6
rounds; each round adds at least one edge, so it terminates). This is exact by construction:
the answer is only returned once it carries a proof of optimality; if C grows past half the
edges, the next round simply takes every edge; if the rounds do not converge (cap
``_MAX_ROUNDS``, never seen) the engine solves the full graph directly (still exact, just
slower, ``certified=False``). Small graphs (``direct_limit`` edges or fewer) are solved
directly.

:func:`assign_greedy` is the baseline (highest score first), for benchmarks.

Cost growth
===========
O(E) for the initial candidate selection and, per round, O(E) for the certificate scan (both
chunked, bounded memory), plus a min-cost flow on |C| ~ 8 R + 6 (sum capacity + S) arcs (not
on E), plus the dual fixed point O(iterations x |C|). So time grows ~linearly in R x S
through the scans and roughly linearly (mildly super-linearly) in R + S through the solve;
memory is dominated by the edge list. The direct full-graph solve costs time and memory in
proportion to all E edges. Measured figures: ``python manage.py bench_matching`` (see
README, "Benchmarks"). Past ~10M edges the materialised edge list is what to shrink first.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from .data import Assignment, Edges

# Optimal solver tuning (none of these affect the result, only the speed).
DIRECT_LIMIT = 100_000  # edges; at or below this, solve the full graph directly
K_REQUEST = 8  # initial candidates: each request's top 8 edges by score ...
K_SUPPORTER_PER_SLOT = 6  # ... and each supporter's top 6 x (capacity_left + 1) edges
_SCORE_BINS = 256  # top-k is taken by score bins (ties within a bin are all kept)
_MAX_ROUNDS = 30
_SCAN_CHUNK = 1 << 21  # edges per block when scanning all edges


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
