"""What a request's summary shows its supporter on the pairing page
(templates/matching/_request_summary.html), in plain words, kept between views.

The summary is the request's lists (vocabulary names), time zone and preferences: never the
survivor's note, which the page reads from the request row itself. It is kept under the
queue's generation (queue_cache.py), which every write to a request, its lists or the
vocabularies moves on (the entry carries the number it was worked out under:
generations.kept), with the request's `updated_at` in the key too; entries expire after
settings.QUEUE_CACHE_SECONDS whatever happens.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from peersupport.platform import generations

from . import queue_cache
from .models import SupportRequest


class Names(list):
    """Names standing in for a related manager in the template (`areas_must.all`)."""

    @property
    def all(self) -> Names:
        return self


@dataclass(frozen=True)
class RequestSummary:
    pk: int
    areas_must: Names
    areas_nice: Names
    languages: Names
    meeting_modes: Names
    time_zone: str
    gender_pref: str
    gender_must: bool
    relationship_pref: str
    get_relationship_pref_display: str
    relationship_must: bool


def _summary(request_id: int) -> RequestSummary:
    request = (
        SupportRequest.objects.select_related("gender_pref")
        .prefetch_related("areas_must", "areas_nice", "languages", "meeting_modes")
        .get(pk=request_id)
    )

    def names(manager) -> Names:
        return Names(str(item) for item in manager.all())

    return RequestSummary(
        pk=request.pk,
        areas_must=names(request.areas_must),
        areas_nice=names(request.areas_nice),
        languages=names(request.languages),
        meeting_modes=names(request.meeting_modes),
        time_zone=request.time_zone,
        gender_pref=str(request.gender_pref) if request.gender_pref else "",
        gender_must=request.gender_must,
        relationship_pref=request.relationship_pref,
        get_relationship_pref_display=str(request.get_relationship_pref_display()),
        relationship_must=request.relationship_must,
    )


def request_summary(request: SupportRequest) -> RequestSummary:
    """The summary of `request` (a row the caller has already checked access to): the entry
    and the queue's number in one round trip (generations.kept)."""
    stamp = request.updated_at.isoformat()
    key = f"matching:summary:{translation.get_language()}:{request.pk}:{stamp}"
    return generations.kept(
        key,
        [queue_cache.GENERATION_KEY],
        lambda: (_summary(request.pk), settings.QUEUE_CACHE_SECONDS),
    )
