"""Realistic random matching instances for benchmarks and tests (no Django).

``make_instance(R, S, seed)`` builds a :class:`~matching.engine.Requests` /
:class:`~matching.engine.Supporters` pair whose attribute distributions look like
a real peer-support service rather than uniform noise:

* languages: 8 codes; ~85% of people have language 0 as their first language, the
  rest are spread over rare languages (5%, 3%, 2%, 2%, 1%, 1%, 1%); ~15% of people
  speak a second language (rare-language speakers usually add language 0);
* meeting modes: 4 (0 chat, 1 phone, 2 video, 3 in person); each person picks 1-3,
  chat and video being the most popular and in person the least;
* lived-experience areas: 12 codes with Zipf-like popularity; requests want 1-3 areas
  (nice to have), supporters have 1-4;
* must-haves on about a third of requests: a must-have area and/or a gender and/or a
  relationship-to-lived-experience constraint; nice-to-have gender / relationship
  preferences on some others;
* supporters: gender (0 woman 70%, 1 man 20%, 2 non-binary 10%), relationship
  (0 survivor 75%, 1 family/partner/friend 25%), capacity_left 1-5 skewed low;
* availability: 21-bit weekly mask (bit ``3 * day + part``, part 0 morning, 1 afternoon,
  2 evening), evenings and weekends more likely, ~10% "any time" (0);
* time zones clustered (UK/Europe, with tails in the Americas, India, Australia);
* waiting days 0-90, skewed towards short waits;
* a sprinkling of exclusions (declined / blocked / ended earlier), as id pairs.

The same seed always gives the same instance (``numpy.random.Generator``).
"""

from __future__ import annotations

import numpy as np

from matching.engine import N_SLOTS, Requests, Supporters

N_LANGUAGES = 8
N_MODES = 4
N_AREAS = 12

# First-language distribution: language 0 dominates, a tail of rare languages.
LANGUAGE_SHARES = np.array([0.85, 0.05, 0.03, 0.02, 0.02, 0.01, 0.01, 0.01])
SECOND_LANGUAGE_RATE = 0.15
# Popularity of meeting modes: chat, phone, video, in person.
MODE_WEIGHTS = np.array([0.35, 0.25, 0.30, 0.10])
# Zipf-like popularity of lived-experience areas.
AREA_WEIGHTS = 1.0 / np.arange(1, N_AREAS + 1) ** 0.9
AREA_WEIGHTS = AREA_WEIGHTS / AREA_WEIGHTS.sum()
# (offset minutes, share): clustered time zones.
TZ_CLUSTERS = np.array(
    [(0, 0.62), (60, 0.18), (120, 0.04), (-300, 0.06), (-480, 0.03), (330, 0.04), (600, 0.03)]
)
# Probability that a given weekly slot is ticked, by part of day (morning, afternoon,
# evening) on weekdays; weekends (days 5, 6) get a bonus.
SLOT_PROB_BY_PART = np.array([0.15, 0.25, 0.55])
WEEKEND_BONUS = 0.2
ANY_TIME_RATE = 0.10


def _pick_languages(rng: np.random.Generator, n: int) -> np.ndarray:
    langs = np.zeros((n, N_LANGUAGES), dtype=bool)
    first = rng.choice(N_LANGUAGES, size=n, p=LANGUAGE_SHARES)
    langs[np.arange(n), first] = True
    second_rows = np.flatnonzero(rng.random(n) < SECOND_LANGUAGE_RATE)
    # Second language: drawn by the same shares but never the first one, so rare-language
    # speakers mostly add the majority language and majority speakers add a rare one.
    keys = np.log(LANGUAGE_SHARES)[None, :] - np.log(
        -np.log(rng.random((second_rows.size, N_LANGUAGES)))
    )
    keys[np.arange(second_rows.size), first[second_rows]] = -np.inf
    langs[second_rows, np.argmax(keys, axis=1)] = True
    return langs


def _pick_k_of(rng: np.random.Generator, n: int, weights: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Bool [n, len(weights)]: row i has k[i] distinct codes drawn by popularity."""
    # Gumbel-top-k: k distinct codes per row, without replacement, weighted, vectorised.
    keys = np.log(weights)[None, :] - np.log(-np.log(rng.random((n, weights.size))))
    order = np.argsort(-keys, axis=1)
    out = np.zeros((n, weights.size), dtype=bool)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(weights.size)[None, :], axis=1)
    out[:] = ranks < k[:, None]
    return out


def _availability(rng: np.random.Generator, n: int) -> np.ndarray:
    days = np.arange(N_SLOTS) // 3
    parts = np.arange(N_SLOTS) % 3
    p = SLOT_PROB_BY_PART[parts] + WEEKEND_BONUS * (days >= 5)
    ticks = rng.random((n, N_SLOTS)) < p[None, :]
    # Nobody ticks nothing: an empty pick becomes a single random evening.
    empty = ~ticks.any(axis=1)
    evening = 3 * rng.integers(0, 7, size=n) + 2
    ticks[np.flatnonzero(empty), evening[empty]] = True
    masks = (ticks.astype(np.uint32) << np.arange(N_SLOTS, dtype=np.uint32)[None, :]).sum(
        axis=1, dtype=np.uint32
    )
    masks[rng.random(n) < ANY_TIME_RATE] = 0  # "any time"
    return masks.astype(np.uint32)


def _timezones(rng: np.random.Generator, n: int) -> np.ndarray:
    p = TZ_CLUSTERS[:, 1] / TZ_CLUSTERS[:, 1].sum()
    return TZ_CLUSTERS[rng.choice(len(TZ_CLUSTERS), size=n, p=p), 0].astype(np.int32)


def make_instance(
    n_requests: int, n_supporters: int, seed: int = 0, *, exclusions_per_request: float = 0.3
) -> tuple[Requests, Supporters]:
    """A realistic random instance with ``n_requests`` requests and ``n_supporters``."""
    rng = np.random.default_rng(seed)
    R, S = int(n_requests), int(n_supporters)

    # ---- supporters ---------------------------------------------------------------
    s_gender = rng.choice(3, size=S, p=[0.70, 0.20, 0.10]).astype(np.int16)
    s_relationship = rng.choice(2, size=S, p=[0.75, 0.25]).astype(np.int16)
    supporters = Supporters(
        ids=np.arange(1, S + 1, dtype=np.int64) * 10 + 7,
        languages=_pick_languages(rng, S),
        modes=_pick_k_of(rng, S, MODE_WEIGHTS, rng.choice([1, 2, 3], S, p=[0.3, 0.45, 0.25])),
        areas=_pick_k_of(
            rng, S, AREA_WEIGHTS, rng.choice([1, 2, 3, 4], S, p=[0.3, 0.35, 0.2, 0.15])
        ),
        gender=s_gender,
        relationship=s_relationship,
        availability=_availability(rng, S),
        tz_offset_minutes=_timezones(rng, S),
        capacity_left=rng.choice([1, 2, 3, 4, 5], S, p=[0.35, 0.30, 0.20, 0.10, 0.05]).astype(
            np.int32
        ),
    )

    # ---- requests -----------------------------------------------------------------
    wanted = _pick_k_of(rng, R, AREA_WEIGHTS, rng.choice([1, 2, 3], R, p=[0.45, 0.35, 0.2]))
    has_must = rng.random(R) < 1 / 3
    # Of the requests with must-haves: which kinds (at least one of them).
    kind = rng.random((R, 3)) < np.array([0.6, 0.5, 0.25])  # area, gender, relationship
    none_picked = ~kind.any(axis=1)
    kind[none_picked, rng.integers(0, 3, size=R)[none_picked]] = True
    kind &= has_must[:, None]

    # A must-have area is one of the wanted areas (the first in popularity order).
    areas_must = np.zeros_like(wanted)
    first_wanted = np.argmax(wanted, axis=1)
    rows = np.flatnonzero(kind[:, 0])
    areas_must[rows, first_wanted[rows]] = True
    areas_nice = wanted & ~areas_must

    pref_gender = rng.choice(3, size=R, p=[0.80, 0.12, 0.08]).astype(np.int16)
    pref_relationship = rng.choice(2, size=R, p=[0.85, 0.15]).astype(np.int16)
    nice_gender = ~kind[:, 1] & (rng.random(R) < 0.3)
    nice_relationship = ~kind[:, 2] & (rng.random(R) < 0.2)
    none = np.int16(-1)

    waiting = np.minimum(rng.exponential(20.0, size=R), 90.0).astype(np.float32)
    req_ids = np.arange(1, R + 1, dtype=np.int64) * 100 + 3

    # Exclusions: random (request, supporter) id pairs, ~exclusions_per_request each.
    n_excl = int(round(exclusions_per_request * R)) if S else 0
    excl = np.column_stack(
        [req_ids[rng.integers(0, R, n_excl)], supporters.ids[rng.integers(0, S, n_excl)]]
    ).astype(np.int64)

    requests = Requests(
        ids=req_ids,
        languages=_pick_languages(rng, R),
        modes=_pick_k_of(rng, R, MODE_WEIGHTS, rng.choice([1, 2, 3], R, p=[0.35, 0.4, 0.25])),
        areas_must=areas_must,
        areas_nice=areas_nice,
        gender_must=np.where(kind[:, 1], pref_gender, none).astype(np.int16),
        gender_nice=np.where(nice_gender, pref_gender, none).astype(np.int16),
        relationship_must=np.where(kind[:, 2], pref_relationship, none).astype(np.int16),
        relationship_nice=np.where(nice_relationship, pref_relationship, none).astype(np.int16),
        availability=_availability(rng, R),
        tz_offset_minutes=_timezones(rng, R),
        waiting_days=waiting,
        excluded=excl.reshape(-1, 2),
    )
    return requests, supporters
