"""Matching engine: pairs open support requests with supporters. Pure Python/NumPy.

No Django imports: everything works on columnar NumPy arrays, so it can be tested and
benchmarked without a database. The Django side loads rows into :class:`Requests` and
:class:`Supporters`, calls :func:`eligible_edges` then :func:`assign_optimal`, and shows
:func:`explain` / :func:`ineligibility_reasons` to coordinators. Explanations carry their
reasons as data (:class:`Reason`: a code and numbers), put in words only when shown, through
a translation provider the Django side installs (:func:`use_translations`).

Pipeline
========
1. **Eligible edges** (:func:`eligible_edges`, :mod:`.edges`). Every request x supporter
   with capacity left, in blocks, through the hard constraints (:mod:`.constraints`: bit
   operations on the packed inputs of :mod:`.packing`); each eligible pair gets an integer
   score in centipoints, the sum of five components looked up in exact integer tables
   (:mod:`.scoring`).
2. **Assignment** (:func:`assign_optimal`, :mod:`.solver`). Most requests matched first,
   then the highest total score: an OR-Tools min-cost flow on a candidate subset of the
   edges, returned only with an LP certificate proving it optimal over all eligible edges.
   :func:`assign_greedy` is the baseline for benchmarks.
3. **Explanations** (:func:`explain`, :func:`explain_pairs`, :func:`ineligibility_reasons`,
   :mod:`.explanations`). The same feature and table code as the scores, so a pair's components
   sum to the solver's score exactly; reasons are put in words by :mod:`.wording`.

Each module carries the design notes of its step. They import one another in one
direction only: wording <- data <- packing <- constraints, scoring <- edges, explanations;
solver needs only data.

Performance: each module describes how its cost grows; for measured figures run
``python manage.py bench_matching`` (see README, "Benchmarks").
"""

from __future__ import annotations

from . import wording
from .constraints import (
    CONSTRAINTS,
    EXCLUDED,
    GENDER_MUST,
    MISSING_AREA,
    NO_CAPACITY,
    NO_LANGUAGE,
    NO_MODE,
    RELATIONSHIP_MUST,
)
from .data import (
    AVAILABILITY,
    COMPONENTS,
    N_SLOTS,
    NICE_TO_HAVE,
    NO_CONSTRAINT,
    SCORE_SCALE,
    SHARED_EXPERIENCE,
    TIMEZONE,
    WAITING,
    Assignment,
    Component,
    Edges,
    Reason,
    Requests,
    Supporters,
    Weights,
)
from .edges import eligible_edges
from .explanations import explain, explain_pairs, ineligibility_reasons, pair_score
from .solver import DIRECT_LIMIT, K_REQUEST, K_SUPPORTER_PER_SLOT, assign_greedy, assign_optimal
from .wording import reason_text, use_translations

__all__ = [
    "AVAILABILITY",
    "COMPONENTS",
    "CONSTRAINTS",
    "DIRECT_LIMIT",
    "EXCLUDED",
    "GENDER_MUST",
    "K_REQUEST",
    "K_SUPPORTER_PER_SLOT",
    "MISSING_AREA",
    "NICE_TO_HAVE",
    "NO_CAPACITY",
    "NO_CONSTRAINT",
    "NO_LANGUAGE",
    "NO_MODE",
    "N_SLOTS",
    "RELATIONSHIP_MUST",
    "SCORE_SCALE",
    "SHARED_EXPERIENCE",
    "TIMEZONE",
    "WAITING",
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
    "reason_text",
    "use_translations",
]


def __getattr__(name: str):
    # The installed translation provider lives in .wording and use_translations() rebinds
    # it there; a copy imported here would go stale, so engine._translations reads it live.
    if name == "_translations":
        return wording._translations
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
