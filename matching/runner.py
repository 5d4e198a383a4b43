"""The batch matching run: load open requests and supporters with places (instance.py), solve
(matching/engine), and store the proposals in bulk through services.pairings_propose_bulk.

Cost: loading is linear in rows; the engine's constraint/score pass is O(R x S) vectorised work
in chunks; the solver works on the eligible edges (see matching/engine). Writing is linear in
proposals (bulk inserts, and each proposal's explanation computed in bulk), in a fixed number
of queries per 500 proposals.

One run at a time: a run holds a lock for its whole length (a PostgreSQL advisory lock; a
process-local lock on SQLite, which is for development only); a run that finds it taken
does nothing and says so (`RunResult.busy`), since the run under way covers the same
requests. The solve works on a snapshot, so when it writes, it keeps only the requests that
are still open, unchanged since they were loaded, and whose survivor has no pairing not
ended (those request rows locked), and only supporters who may still be offered someone
(eligibility.supporters_with_places), within the places they have left now.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from peersupport.people.events import NotificationKind
from peersupport.people.models import User
from peersupport.people.notifications import notify_coordinators

from . import eligibility, engine, locking, services
from .instance import Instance, load_instance, weights
from .instance import open_requests_queryset as open_requests_queryset
from .models import Pairing, RequestStatus, SupportRequest

# open_requests_queryset is named here for the workspace's queue, which reached it through the
# runner before it was split (with load_instance and weights, which the run uses itself).


@dataclass
class RunResult:
    requests: int = 0
    supporters: int = 0
    edges: int = 0
    assigned: int = 0
    total_score: int = 0
    proposals: list[int] = field(default_factory=list)
    offered: int = 0
    seconds_load: float = 0.0
    seconds_solve: float = 0.0
    seconds_write: float = 0.0
    seconds_greedy: float = 0.0
    greedy_assigned: int | None = None
    greedy_total_score: int | None = None
    busy: bool = False  # another run was under way: this one did nothing
    dropped: int = 0  # assignments not written: the request or supporter moved on meanwhile

    def as_dict(self) -> dict:
        data = asdict(self)
        data["proposals"] = len(self.proposals)
        return data


# -- one run at a time ---------------------------------------------------------------------

_RUN_LOCK_KEY = 0x6D61_7463_6872_756E  # "matchrun": the advisory lock's key
_local_run_lock = threading.Lock()


@contextmanager
def run_lock() -> Iterator[bool]:
    """Yields True while this run holds the matching lock, False if another run holds it."""
    if connection.vendor != "postgresql":
        held = _local_run_lock.acquire(blocking=False)
        try:
            yield held
        finally:
            if held:
                _local_run_lock.release()
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_RUN_LOCK_KEY])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_RUN_LOCK_KEY])
            except DatabaseError:  # pragma: no cover - an aborted transaction
                if not connection.in_atomic_block:
                    connection.close()  # ending the session releases its locks


def matching_run(
    *, actor: User | None, offer: bool | None = None, compare_greedy: bool = False
) -> RunResult:
    """Match all open requests against all supporters with places, and store proposals.

    With `offer` (default: settings.MATCHING_AUTO_OFFER) each proposal is offered at once;
    otherwise proposals wait for a coordinator's review (and coordinators are told). If
    another run is under way, returns at once with `busy` set.
    """
    result = RunResult()
    with run_lock() as held:
        if not held:
            result.busy = True
            return result
        _run(result, actor=actor, offer=offer, compare_greedy=compare_greedy)
    return result


def _run(result: RunResult, *, actor, offer: bool | None, compare_greedy: bool) -> None:
    started = time.perf_counter()
    instance = load_instance()
    result.requests = len(instance.requests)
    result.supporters = len(instance.supporters)
    result.seconds_load = time.perf_counter() - started
    if not result.requests or not result.supporters:
        return

    started = time.perf_counter()
    w = weights()
    edges = engine.eligible_edges(instance.requests, instance.supporters, w)
    assignment = engine.assign_optimal(
        edges, len(instance.requests), len(instance.supporters), instance.supporters.capacity_left
    )
    result.edges = len(edges)
    result.assigned = assignment.count
    result.total_score = int(assignment.total_score)
    result.seconds_solve = time.perf_counter() - started
    if compare_greedy:  # for the benchmark; not part of the timed solve
        greedy_started = time.perf_counter()
        greedy = engine.assign_greedy(
            edges,
            len(instance.requests),
            len(instance.supporters),
            instance.supporters.capacity_left,
        )
        result.greedy_assigned, result.greedy_total_score = greedy.count, int(greedy.total_score)
        result.seconds_greedy = time.perf_counter() - greedy_started

    started = time.perf_counter()
    auto_offer = offer if offer is not None else settings.MATCHING_AUTO_OFFER
    result.proposals = _write_proposals(instance, assignment, actor, w, review=not auto_offer)
    result.dropped = assignment.count - len(result.proposals)
    result.seconds_write = time.perf_counter() - started
    if auto_offer:
        result.offered = services.proposals_offer(pairing_ids=result.proposals, actor=actor)


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _still_to_propose(
    instance: Instance, request_ids: list[int], supporter_ids: list[int], scores: list[int]
) -> set[int]:
    """Of the solved assignments, the request ids that may still be written: each request is
    still open and unchanged since it was loaded (its row now locked until the proposals are
    written), its survivor has no pairing not ended, and its supporter may still be offered
    someone, within the places left now (the best-scored first, if fewer than were solved
    for)."""
    keep: dict[int, int] = {}  # request id -> survivor id
    # The one lock order (docs/architecture.md): the survivors' user rows before their requests,
    # so a survivor deleting their account meanwhile waits for the run, or the run for them.
    survivor_ids = sorted({instance.request_survivor[r] for r in request_ids})
    for chunk in _chunks(survivor_ids):
        locking.lock_survivors(chunk)
    for chunk in _chunks(request_ids):
        rows = (
            SupportRequest.objects.select_for_update()
            .filter(pk__in=chunk, status=RequestStatus.OPEN)
            .values_list("pk", "survivor_id", "updated_at")
        )
        for pk, survivor_id, updated_at in rows:
            if instance.request_updated.get(pk) == updated_at:
                keep[pk] = survivor_id
    busy: set[int] = set()
    for chunk in _chunks(list(keep.values())):
        busy.update(
            Pairing.objects.not_ended()
            .filter(survivor_id__in=chunk)
            .values_list("survivor_id", flat=True)
        )
    places: dict[int, int] = {}
    for chunk in _chunks(sorted(set(supporter_ids))):
        places.update(eligibility.supporters_with_places(user_ids=chunk))
    writable = set()
    by_score = sorted(zip(scores, request_ids, supporter_ids, strict=True), reverse=True)
    for _score, request_id, supporter_id in by_score:
        if request_id not in keep or keep[request_id] in busy:
            continue
        if places.get(supporter_id, 0) > 0:
            places[supporter_id] -= 1
            writable.add(request_id)
    return writable


@transaction.atomic
def _write_proposals(
    instance: Instance,
    assignment: engine.Assignment,
    actor: User | None,
    w: engine.Weights | None = None,
    *,
    review: bool = False,
) -> list[int]:
    w = w or weights()
    req_idx, sup_idx = assignment.req_idx, assignment.sup_idx
    request_ids = instance.requests.ids[req_idx].tolist()
    supporter_ids = instance.supporters.ids[sup_idx].tolist()
    writable = _still_to_propose(
        instance, request_ids, supporter_ids, assignment.score_int.tolist()
    )
    keep = np.array([request_id in writable for request_id in request_ids], dtype=bool)
    explanations = engine.explain_pairs(
        instance.requests, req_idx[keep], instance.supporters, sup_idx[keep], w
    )
    proposals = [
        services.Proposal(
            request_id=int(request_id),
            survivor_id=instance.request_survivor[int(request_id)],
            supporter_id=int(supporter_id),
            components=components,
        )
        for request_id, supporter_id, components in zip(
            instance.requests.ids[req_idx[keep]],
            instance.supporters.ids[sup_idx[keep]],
            explanations,
            strict=True,
        )
    ]
    created = services.pairings_propose_bulk(
        proposals=proposals,
        actor=actor,
        requests=len(instance.requests),
        dropped=len(request_ids) - len(proposals),
    )
    if review and created:
        notify_coordinators(
            kind=NotificationKind.MATCHING_REVIEW,
            text=_("New proposals are waiting for your review."),
            link=reverse("team:proposals"),
        )
    return created
