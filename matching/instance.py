"""The matcher's view of the world: open requests and supporters with places loaded into the
engine's columnar arrays (matching/engine), in a fixed number of queries whatever the sizes.

Cost: linear in rows (requests, supporters and their vocabulary links). Who counts as a
supporter with places, and which pairs are excluded, is eligibility.py's rule.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.conf import settings
from django.utils import timezone

from peersupport.people.models import (
    Gender,
    Language,
    LivedExperienceArea,
    MeetingMode,
    Relationship,
    SupporterProfile,
)

from . import eligibility, engine
from .models import OPEN_OFFER_STATES, RelationshipPreference, SupportRequest

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
    return SupportRequest.objects.open().exclude(pairings__state__in=OPEN_OFFER_STATES)


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
        places = eligibility.supporters_with_places()
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


def _exclusions(open_request_of: dict[int, int], requests_qs) -> np.ndarray:
    """(request id, supporter id) pairs that must never be matched, for the loaded requests
    (`open_request_of`: survivor id -> request id; `requests_qs`: those requests), by the
    rules of eligibility.excluded_pairs."""
    pairs = {
        (open_request_of[survivor_id], supporter_id)
        for survivor_id, supporter_id in eligibility.excluded_pairs(requests_qs)
        if survivor_id in open_request_of
    }
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    return np.array(sorted(pairs), dtype=np.int64)


def load_for_pair(request_id: int, supporter_id: int) -> Instance | None:
    """A one-by-one instance, whatever the request's state or the supporter's places."""
    instance = load_instance(
        requests_qs=SupportRequest.objects.filter(pk=request_id), places={supporter_id: 1}
    )
    if not len(instance.requests) or not len(instance.supporters):
        return None
    return instance
