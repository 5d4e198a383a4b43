"""Packed views of the inputs, shared by the constraints, the scores and the explanations:
bit words for set-valued attributes, normalised codes and time zones, exclusions by index.

Set-valued attributes (languages, meeting modes, lived-experience areas) are packed into
uint64 bit words, so "share a language" is ``(a & b) != 0`` and "has every must-have area"
is ``(must & ~areas) == 0``. A supporter available "any time" (mask 0) gets every bit set,
a request's "none" preference an int16 that no supporter code equals, and the per-request
waiting points are computed once here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import WAITING, Requests, Supporters, Weights

_DAY_MINUTES = 1440
_NO_PREF = np.int16(np.iinfo(np.int16).min)  # internal "none": never equals a supporter code
_AV_BITS = 32  # availability masks are uint32


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
