"""Public data structures: the inputs (:class:`Weights`, :class:`Requests`,
:class:`Supporters`), the results (:class:`Edges`, :class:`Assignment`) and the parts of an
explanation (:class:`Component`, :class:`Reason`), with the score components' names.

Encodings worth knowing
=======================
* Preference codes: requests use -1 for "none"; supporters' codes must be >= -1 (-1 =
  unknown, which never satisfies a stated preference).
* Availability is a uint32 weekly bitmask of ``N_SLOTS`` slots, 0 meaning "any time".
* Scores are integers in hundredths of a point (``SCORE_SCALE``), so sums are exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .wording import reason_text

N_SLOTS = 21  # weekly availability slots: bit 3 * day + part (0 morning, 1 afternoon, 2 evening)
SCORE_SCALE = 100  # score_int is in hundredths of a point ("centipoints")
NO_CONSTRAINT = -1  # code for "no gender / relationship preference"

# Score component names, in the order explain() returns them.
SHARED_EXPERIENCE = "shared_experience"
NICE_TO_HAVE = "nice_to_have"
AVAILABILITY = "availability"
TIMEZONE = "timezone"
WAITING = "waiting"
COMPONENTS = (SHARED_EXPERIENCE, NICE_TO_HAVE, AVAILABILITY, TIMEZONE, WAITING)


@dataclass(frozen=True)
class Weights:
    """Points a perfect fit earns on each score component, plus the components' caps.

    Weights are quantised to 0.01 point. The defaults sum to 100, so a score reads as
    "out of 100", with shared lived experience the heaviest. ``waiting`` only matters when
    there are more requests than places (see :mod:`.scoring`).
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
