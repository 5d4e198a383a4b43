"""All eligible pairs with their scores (:func:`eligible_edges`): the hard constraints
(:mod:`.constraints`) and the score (:mod:`.scoring`) applied to every request x supporter.

Requests are processed ``chunk`` at a time against all supporters with capacity left.
Blocks bound the temporary memory to O(chunk x S) (default ~2M pairs per block); there is no
Python loop over pairs.

Cost growth: Theta(R x S) vectorised bit operations plus O(E) scoring, E = eligible pairs
(~45% of R x S on the benchmark instance). Memory is O(E) for the result (16 bytes per edge:
int32 + int32 + int64) plus O(chunk x S). Measured times: ``python manage.py bench_matching``
(see README, "Benchmarks").
"""

from __future__ import annotations

import numpy as np

from .constraints import _eligible_block
from .data import Edges, Requests, Supporters, Weights
from .packing import _check_compatible, _exclusion_index, _pack_requests, _pack_supporters
from .scoring import _scores, _tables


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
