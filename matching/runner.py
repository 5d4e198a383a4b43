"""The batch matching run: load open requests and supporters with places into the engine's
columnar arrays (a fixed number of queries, whatever the sizes), solve, and write proposals
in bulk.

Cost: loading is linear in rows (requests, supporters and their vocabulary links); the
engine's constraint/score pass is O(R x S) vectorised work in chunks; the solver works on the
eligible edges (see matching/engine.py). Writing is linear in proposals (bulk inserts, and
each proposal's explanation computed in bulk).

One run at a time: a run holds a lock for its whole length (a PostgreSQL advisory lock; a
process-local lock on SQLite, which is for development only); a run that finds it taken
does nothing and says so (`RunResult.busy`), since the run under way covers the same
requests. The solve works on a snapshot, so when it writes, it keeps only the requests that
are still open, unchanged since they were loaded, and whose survivor has no pairing not
ended (those request rows locked), and only supporters still approved and accepting.
"""

from __future__ import annotations

import threading
import time
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peersupport.people.models import (
    AuditEvent,
    Gender,
    Language,
    LivedExperienceArea,
    MeetingMode,
    Relationship,
    SupporterProfile,
    SupporterStatus,
    User,
)
from peersupport.people.notifications import notify_coordinators

from . import engine, services
from .models import (
    ENDED_TOGETHER,
    Block,
    EndReason,
    Pairing,
    PairingState,
    PairingTransition,
    RelationshipPreference,
    RequestStatus,
    SupportRequest,
)

# Relationship codes shared by requests and supporters in the engine.
REL_SURVIVOR, REL_CLOSE = 0, 1
_SUPPORTER_REL = {
    Relationship.SURVIVOR: REL_SURVIVOR,
    Relationship.FAMILY: REL_CLOSE,
    Relationship.PARTNER: REL_CLOSE,
    Relationship.FRIEND: REL_CLOSE,
}
_REQUEST_REL = {
    RelationshipPreference.SURVIVOR: REL_SURVIVOR,
    RelationshipPreference.CLOSE_SUPPORTER: REL_CLOSE,
}


def weights() -> engine.Weights:
    return engine.Weights(**settings.MATCHING_WEIGHTS)


@dataclass
class Instance:
    requests: engine.Requests
    supporters: engine.Supporters
    request_survivor: dict[int, int] = field(default_factory=dict)
    # Each request's updated_at when loaded: a request changed since is not proposed for.
    request_updated: dict[int, datetime] = field(default_factory=dict)


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


class _Index:
    """Vocabulary id -> column, for one vocabulary."""

    def __init__(self, ids):
        self.ids = np.array(sorted(ids), dtype=np.int64)

    def __len__(self):
        return max(1, len(self.ids))

    def matrix(self, row_of: dict[int, int], pairs, n_rows: int) -> np.ndarray:
        out = np.zeros((n_rows, len(self)), dtype=bool)
        if pairs:
            arr = np.array(pairs, dtype=np.int64)
            rows = np.array([row_of[o] for o in arr[:, 0]], dtype=np.int64)
            cols = np.searchsorted(self.ids, arr[:, 1])
            out[rows, cols] = True
        return out

    def code(self, value) -> int:
        if value is None:
            return -1
        return int(np.searchsorted(self.ids, value))


def _tz_minutes(names, now: datetime) -> np.ndarray:
    cache: dict[str, int] = {}
    out = np.zeros(len(names), dtype=np.int32)
    for i, name in enumerate(names):
        if name not in cache:
            try:
                offset = now.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
                cache[name] = int(offset.total_seconds() // 60) if offset else 0
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                cache[name] = 0
        out[i] = cache[name]
    return out


def open_requests_queryset():
    return SupportRequest.objects.open().exclude(
        pairings__state__in=(PairingState.PROPOSED, PairingState.OFFERED)
    )


def load_instance(
    *, requests_qs=None, places: dict[int, int] | None = None, now: datetime | None = None
) -> Instance:
    """Everything the engine needs, in a fixed number of queries.

    By default: every open request without a pending proposal or offer, and every approved,
    accepting supporter with places left who has acknowledged the current agreements.
    `requests_qs` and `places` (supporter user id -> places) narrow it.
    """
    now = now or timezone.now()
    languages = _Index(Language.objects.values_list("pk", flat=True))
    modes = _Index(MeetingMode.objects.values_list("pk", flat=True))
    areas = _Index(LivedExperienceArea.objects.values_list("pk", flat=True))
    genders = _Index(Gender.objects.values_list("pk", flat=True))

    if requests_qs is None:
        requests_qs = open_requests_queryset()
    rows = list(
        requests_qs.order_by("pk").values_list(
            "pk",
            "survivor_id",
            "time_zone",
            "availability",
            "gender_pref_id",
            "gender_must",
            "relationship_pref",
            "relationship_must",
            "opened_at",
            "updated_at",
        )
    )
    r_row = {row[0]: i for i, row in enumerate(rows)}
    R = len(rows)
    through = SupportRequest.languages.through
    request_filter = {"supportrequest__in": requests_qs.values("pk")}
    req_lang = list(
        through.objects.filter(**request_filter).values_list("supportrequest_id", "language_id")
    )
    req_mode = list(
        SupportRequest.meeting_modes.through.objects.filter(**request_filter).values_list(
            "supportrequest_id", "meetingmode_id"
        )
    )
    req_must = list(
        SupportRequest.areas_must.through.objects.filter(**request_filter).values_list(
            "supportrequest_id", "livedexperiencearea_id"
        )
    )
    req_nice = list(
        SupportRequest.areas_nice.through.objects.filter(**request_filter).values_list(
            "supportrequest_id", "livedexperiencearea_id"
        )
    )
    gender_must = np.array([genders.code(r[4]) if r[5] else -1 for r in rows], dtype=np.int16)
    gender_nice = np.array(
        [genders.code(r[4]) if (r[4] is not None and not r[5]) else -1 for r in rows],
        dtype=np.int16,
    )
    rel_code = [_REQUEST_REL.get(r[6], -1) for r in rows]
    relationship_must = np.array(
        [c if rows[i][7] else -1 for i, c in enumerate(rel_code)], dtype=np.int16
    )
    relationship_nice = np.array(
        [c if not rows[i][7] else -1 for i, c in enumerate(rel_code)], dtype=np.int16
    )

    if places is None:
        places = services.supporters_with_places()
        acknowledged = _acknowledged(list(places))
        places = {uid: n for uid, n in places.items() if uid in acknowledged}
    sup_rows = list(
        SupporterProfile.objects.filter(user_id__in=list(places))
        .order_by("user_id")
        .values_list(
            "pk", "user_id", "gender_id", "relationship", "availability", "user__time_zone"
        )
    )
    profile_row = {row[0]: i for i, row in enumerate(sup_rows)}
    S = len(sup_rows)
    profile_filter = {"supporterprofile__in": [row[0] for row in sup_rows]}
    sup_lang = list(
        SupporterProfile.languages.through.objects.filter(**profile_filter).values_list(
            "supporterprofile_id", "language_id"
        )
    )
    sup_mode = list(
        SupporterProfile.meeting_modes.through.objects.filter(**profile_filter).values_list(
            "supporterprofile_id", "meetingmode_id"
        )
    )
    sup_area = list(
        SupporterProfile.areas.through.objects.filter(**profile_filter).values_list(
            "supporterprofile_id", "livedexperiencearea_id"
        )
    )

    requests = engine.Requests(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        languages=languages.matrix(r_row, req_lang, R),
        modes=modes.matrix(r_row, req_mode, R),
        areas_must=areas.matrix(r_row, req_must, R),
        areas_nice=areas.matrix(r_row, req_nice, R),
        gender_must=gender_must,
        gender_nice=gender_nice,
        relationship_must=relationship_must,
        relationship_nice=relationship_nice,
        availability=np.array([r[3] for r in rows], dtype=np.uint32),
        tz_offset_minutes=_tz_minutes([r[2] for r in rows], now),
        waiting_days=np.array(
            [max(0.0, (now - r[8]).total_seconds() / 86400) for r in rows], dtype=np.float32
        ),
        excluded=_exclusions({r[1]: r[0] for r in rows}, requests_qs),
    )
    supporters = engine.Supporters(
        ids=np.array([row[1] for row in sup_rows], dtype=np.int64),
        languages=languages.matrix(profile_row, sup_lang, S),
        modes=modes.matrix(profile_row, sup_mode, S),
        areas=areas.matrix(profile_row, sup_area, S),
        gender=np.array([genders.code(row[2]) for row in sup_rows], dtype=np.int16),
        relationship=np.array([_SUPPORTER_REL.get(row[3], -1) for row in sup_rows], dtype=np.int16),
        availability=np.array([row[4] for row in sup_rows], dtype=np.uint32),
        tz_offset_minutes=_tz_minutes([row[5] for row in sup_rows], now),
        capacity_left=np.array([places[row[1]] for row in sup_rows], dtype=np.int32),
    )
    return Instance(
        requests,
        supporters,
        request_survivor={r[0]: r[1] for r in rows},
        request_updated={r[0]: r[9] for r in rows},
    )


def _acknowledged(user_ids: list[int]) -> set[int]:
    from ethics.agreements.selectors import acknowledged_current_ids

    return acknowledged_current_ids(user_ids)


def _exclusions(open_request_of: dict[int, int], requests_qs) -> np.ndarray:
    """(request id, supporter id) pairs that must never be matched, for the loaded requests
    (`open_request_of`: survivor id -> request id; `requests_qs`: those requests).

    The rules are those reassignment refuses by (matching/reassign.py supporter_refusal):
    a supporter who declined this survivor (on any of their requests, so not again after a
    reassignment either), whom the survivor blocked, or whose started pairing with them
    ended. An offer that expired unanswered excludes that supporter for that request only.
    Only the loaded requests' survivors are read, not every ended pairing ever.
    """
    pairs: set[tuple[int, int]] = set()
    survivors = requests_qs.values("survivor_id")
    ended = Pairing.objects.filter(state=PairingState.ENDED, survivor_id__in=survivors).filter(
        Q(end_reason__in=(EndReason.DECLINED, *ENDED_TOGETHER))
        | Q(end_reason=EndReason.EXPIRED, request_id__in=requests_qs.values("pk"))
    )
    for survivor_id, supporter_id in ended.values_list("survivor_id", "supporter_id"):
        if survivor_id in open_request_of:
            pairs.add((open_request_of[survivor_id], supporter_id))
    blocks = Block.objects.filter(survivor_id__in=survivors)
    for survivor_id, supporter_id in blocks.values_list("survivor_id", "supporter_id"):
        if survivor_id in open_request_of:
            pairs.add((open_request_of[survivor_id], supporter_id))
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    return np.array(sorted(pairs), dtype=np.int64)


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
        for pairing_id in result.proposals:
            try:
                pairing = services.pairing_offer(pairing_id=pairing_id, actor=actor)
            except ValidationError:  # handled meanwhile (e.g. a coordinator discarded it)
                continue
            result.offered += pairing.state == PairingState.OFFERED


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _still_to_propose(instance: Instance, request_ids: list[int], supporter_ids: list[int]):
    """Of the solved assignments, the request ids that may still be written: each request is
    still open and unchanged since it was loaded (its row now locked until the proposals are
    written), its survivor has no pairing not ended, and its supporter is still approved and
    accepting new people."""
    keep: dict[int, int] = {}  # request id -> survivor id
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
    willing: set[int] = set()
    for chunk in _chunks(sorted(set(supporter_ids))):
        willing.update(
            SupporterProfile.objects.filter(
                user_id__in=chunk, status=SupporterStatus.APPROVED, accepting_new=True
            ).values_list("user_id", flat=True)
        )
    return {
        request_id
        for request_id, supporter_id in zip(request_ids, supporter_ids, strict=True)
        if request_id in keep and keep[request_id] not in busy and supporter_id in willing
    }


@transaction.atomic
def _write_proposals(
    instance: Instance,
    assignment: engine.Assignment,
    actor,
    w: engine.Weights | None = None,
    *,
    review: bool = False,
) -> list[int]:
    now = timezone.now()
    w = w or weights()
    req_idx, sup_idx = assignment.req_idx, assignment.sup_idx
    request_ids = instance.requests.ids[req_idx].tolist()
    supporter_ids = instance.supporters.ids[sup_idx].tolist()
    writable = _still_to_propose(instance, request_ids, supporter_ids)
    keep = np.array([request_id in writable for request_id in request_ids], dtype=bool)
    explanations = engine.explain_pairs(
        instance.requests, req_idx[keep], instance.supporters, sup_idx[keep], w
    )
    pairings = [
        Pairing(
            request_id=int(request_id),
            survivor_id=instance.request_survivor[int(request_id)],
            supporter_id=int(supporter_id),
            state=PairingState.PROPOSED,
            score=sum(c.points_int for c in components),
            explanation=explanation_data(components),
            created_at=now,
        )
        for request_id, supporter_id, components in zip(
            instance.requests.ids[req_idx[keep]],
            instance.supporters.ids[sup_idx[keep]],
            explanations,
            strict=True,
        )
    ]
    created = Pairing.objects.bulk_create(pairings, batch_size=2000)
    if created and created[0].pk is None:  # backends that do not return ids
        created = list(
            Pairing.objects.filter(state=PairingState.PROPOSED, created_at=now).order_by("pk")
        )
    actor_id = actor.pk if actor is not None else None
    PairingTransition.objects.bulk_create(
        [
            PairingTransition(
                pairing_id=p.pk,
                from_state="",
                to_state=PairingState.PROPOSED,
                actor_id=actor_id,
                reason="matcher",
                at=now,
            )
            for p in created
        ],
        batch_size=2000,
    )
    AuditEvent.objects.create(
        actor_id=actor_id,
        action="matching.run",
        data={
            "proposals": len(created),
            "requests": len(instance.requests),
            "dropped": int(len(request_ids) - len(created)),
        },
        at=now,
    )
    if review and created:
        notify_coordinators(
            kind="matching.review",
            text=_("New proposals are waiting for your review."),
            link=reverse("matching:proposals"),
        )
    return [p.pk for p in created]


# -- explanations --------------------------------------------------------------------------

COMPONENT_LABELS = {
    engine.SHARED_EXPERIENCE: gettext_lazy("Shared lived experience"),
    engine.NICE_TO_HAVE: gettext_lazy("Nice-to-have preferences"),
    engine.AVAILABILITY: gettext_lazy("Availability"),
    engine.TIMEZONE: gettext_lazy("Time zone"),
    engine.WAITING: gettext_lazy("Waiting time"),
}


def explanation_data(components: list[engine.Component]) -> list[dict]:
    """What Pairing.explanation stores: each component's points and its reason as data (a
    code and numbers), so it is put in words, in the reader's language, when shown."""
    return [
        {
            "name": c.name,
            "points_int": int(c.points_int),
            "weight": float(c.weight),
            "raw": float(c.raw),
            "reason": c.reason.code,
            "args": c.reason.args,
        }
        for c in components
    ]


def components_from_data(data: list[dict]) -> list[engine.Component]:
    return [
        engine.Component(
            name=row["name"],
            raw=row.get("raw", 0.0),
            weight=row.get("weight", 0.0),
            points_int=row["points_int"],
            reason=engine.Reason.of(row.get("reason", ""), **row.get("args", {})),
        )
        for row in data
    ]


@dataclass(frozen=True)
class ShownComponent:
    name: str
    label: str
    points: float
    reason: engine.Reason


def explanation_rows(pairing: Pairing) -> list[ShownComponent]:
    """The pairing's explanation as stored when it was proposed (it sums to its score), with
    a label per component, for the pages."""
    return [
        ShownComponent(
            name=c.name,
            label=COMPONENT_LABELS.get(c.name, c.name),
            points=c.points,
            reason=c.reason,
        )
        for c in explain_pairing(pairing)
    ]


def explain_pairing(pairing: Pairing) -> list[engine.Component]:
    """Why this supporter fits this request, component by component (for coordinators and
    for the supporter's offer page): the explanation stored with the pairing, which sums to
    its stored score. Only a pairing stored without one is explained from today's data."""
    if pairing.explanation:
        return components_from_data(pairing.explanation)
    return explain_now(pairing.request_id, pairing.supporter_id)


def explain_now(request_id: int, supporter_id: int) -> list[engine.Component]:
    """The explanation of this request with this supporter from the current data."""
    instance = load_for_pair(request_id, supporter_id)
    if instance is None:
        return []
    return engine.explain(instance.requests, 0, instance.supporters, 0, weights())


def load_for_pair(request_id: int, supporter_id: int) -> Instance | None:
    """A one-by-one instance, whatever the request's state or the supporter's places."""
    instance = load_instance(
        requests_qs=SupportRequest.objects.filter(pk=request_id), places={supporter_id: 1}
    )
    if not len(instance.requests) or not len(instance.supporters):
        return None
    return instance
