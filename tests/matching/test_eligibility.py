"""Capacity and eligibility are one rule (matching/eligibility.py), and every place that needs it
gives the same answer on the same data: the matcher's loading and exclusions, offering,
accepting, reassigning, the capacity changes, the team's supporters list and the figures page.

One world of supporters, each unable (or able) to take someone for one reason, and one table of
what the answer must be; each consumer's answers are collected per supporter and compared with
the table in one assertion, so the diff names the consumer and the supporter that drifted.
"""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from matching import eligibility, instance, services
from matching.eligibility import REFUSAL_TEXT, Refusal
from matching.models import Block, EndReason, PairingState, RequestStatus
from matching.reassign import supporter_refusal
from matching.supporters import supporter_capacity_check
from peersupport.coordination.health import service_health
from peersupport.coordination.selectors import supporters as team_supporters
from peersupport.people.models import SupporterProfile, SupporterStatus
from sessions.selectors import supporter_caseload
from tests.factories import PairingFactory, SupporterFactory, SupportRequestFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db

R = Refusal
SURVIVOR_ONLY = (R.BLOCKED, R.PAIRED_BEFORE, R.DECLINED, R.EXPIRED)

# name: (refusal with no survivor, refusal for the survivor's open request, places left,
#        places held, refusal when accepting an offer of that request)
TABLE = {
    "fit": (None, None, 2, 0, None),
    "one_left": (None, None, 1, 1, None),
    "full_held": (R.FULL, R.FULL, 0, 1, R.FULL),
    # An open offer keeps a place: no new offer, but accepting counts only places held.
    "full_by_offers": (R.FULL, R.FULL, 0, 1, None),
    "over": (R.FULL, R.FULL, -1, 2, R.FULL),
    "paused": (R.PAUSED, R.PAUSED, 1, 1, R.PAUSED),
    "applied": (R.NOT_APPROVED, R.NOT_APPROVED, 2, 0, R.NOT_APPROVED),
    "not_accepting": (R.NOT_ACCEPTING, R.NOT_ACCEPTING, 2, 0, R.NOT_ACCEPTING),
    "agreements": (R.AGREEMENTS, R.AGREEMENTS, 2, 0, R.AGREEMENTS),
    "blocked": (None, R.BLOCKED, 2, 0, R.BLOCKED),
    "declined": (None, R.DECLINED, 2, 0, R.DECLINED),
    "paired_before": (None, R.PAIRED_BEFORE, 2, 0, R.PAIRED_BEFORE),
    "expired_here": (None, R.EXPIRED, 2, 0, R.EXPIRED),
    "expired_before": (None, None, 2, 0, None),
}
STATUS = {"paused": SupporterStatus.PAUSED, "applied": SupporterStatus.APPLIED}


def _elsewhere(supporter, state="active", **kwargs):
    """A pairing of `supporter` with somebody else."""
    if state in (PairingState.PROPOSED, PairingState.OFFERED):
        kwargs.update(activated_at=None, request__status=RequestStatus.OPEN)
    return PairingFactory(supporter=supporter, state=state, **kwargs)


def _ended_with(survivor, supporter, reason, request=None):
    request = request or SupportRequestFactory(survivor=survivor, status=RequestStatus.CLOSED)
    started = reason not in (EndReason.DECLINED, EndReason.EXPIRED)
    return PairingFactory(
        request=request,
        supporter=supporter,
        state=PairingState.ENDED,
        end_reason=reason,
        activated_at=timezone.now() if started else None,
    )


@pytest.fixture
def world():
    request = SupportRequestFactory()
    survivor = request.survivor
    people = {}
    for name in TABLE:
        supporter = SupporterFactory(display_name=name)
        profile = supporter.supporter_profile
        profile.status = STATUS.get(name, SupporterStatus.APPROVED)
        profile.accepting_new = name != "not_accepting"
        profile.capacity = 1 if name in ("full_held", "over") else 2
        profile.save()
        if name != "agreements":
            acknowledge_current(supporter)
        people[name] = supporter
    _elsewhere(people["one_left"])
    _elsewhere(people["paused"])  # pausing keeps the people already supported
    _elsewhere(people["full_held"])
    _elsewhere(people["full_by_offers"])
    _elsewhere(
        people["full_by_offers"],
        state=PairingState.OFFERED,
        offer_expires_at=timezone.now() + timedelta(days=1),
    )
    _elsewhere(people["over"])  # capacity 1 with two places held: lowered by hand, say
    _elsewhere(people["over"], state=PairingState.PAUSED)
    Block.objects.create(survivor=survivor, supporter=people["blocked"])
    _ended_with(survivor, people["declined"], EndReason.DECLINED)
    _ended_with(survivor, people["paired_before"], EndReason.COMPLETED)
    _ended_with(survivor, people["expired_here"], EndReason.EXPIRED, request=request)
    _ended_with(survivor, people["expired_before"], EndReason.EXPIRED)
    return request, people


@contextmanager
def _undone():
    """Try something, then put the world back as it was."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def _profile(user):
    return SupporterProfile.objects.select_related("user").get(user=user)


def _offered(request, supporter) -> bool:
    with _undone():
        proposal = PairingFactory(
            request=request, supporter=supporter, state=PairingState.PROPOSED, activated_at=None
        )
        return services.pairing_offer(pairing_id=proposal.pk, actor=None).state == "offered"


def _accepted(request, supporter) -> bool:
    with _undone():
        offer = PairingFactory(
            request=request,
            supporter=supporter,
            state=PairingState.OFFERED,
            activated_at=None,
            offered_at=timezone.now(),
            offer_expires_at=timezone.now() + timedelta(days=1),
        )
        try:
            services.offer_accept(pairing_id=offer.pk, supporter=supporter)
        except ValidationError:
            return False
        return True


def _capacity_floor(profile) -> int | None:
    """The lowest capacity the capacity services let this supporter have (None: not even 1)."""
    for capacity in range(1, 11):
        try:
            supporter_capacity_check(profile, capacity, too_few="%(used)s")
        except ValidationError:
            continue
        return capacity
    return None


def _expected(name: str) -> dict:
    alone, here, left, held, accepting = TABLE[name]
    approved = name not in STATUS
    return {
        "rule": (alone, here, left, held),
        "matcher loads, with places": left if alone is None else None,
        "matcher excludes for the request": here in SURVIVOR_ONLY,
        "offer made": here is None,
        "offer accepted": accepting is None,
        "reassign refusal": REFUSAL_TEXT[here] if here else None,
        "team list places left": left,
        "counted in the figures": approved,
        "lowest capacity allowed": max(1, held),
        "caseload places held and left": (held, max(0, left)),
    }


def test_every_consumer_of_the_rule_gives_the_same_answer_for_each_supporter(world):
    request, people = world
    loaded = instance.load_instance()  # what each run, and the queue's suggestions, start from
    places = dict(
        zip(loaded.supporters.ids.tolist(), loaded.supporters.capacity_left.tolist(), strict=True)
    )
    excluded = {s for r, s in loaded.requests.excluded.tolist() if r == request.pk}
    listed = {
        p.user_id: p.left
        for status in (SupporterStatus.APPROVED, SupporterStatus.PAUSED, SupporterStatus.APPLIED)
        for p in team_supporters(status=status)
    }
    approved = set(
        SupporterProfile.objects.filter(status=SupporterStatus.APPROVED).values_list(
            "user_id", flat=True
        )
    )

    answers, expected = {}, {}
    for name, supporter in people.items():
        profile = _profile(supporter)
        reassign = supporter_refusal(
            profile=profile,
            survivor_id=request.survivor_id,
            request_id=request.pk,
            current_supporter_id=0,  # nobody: the survivor's pairing is with someone else
        )
        caseload = supporter_caseload(supporter, profile=profile)
        answers[name] = {
            "rule": (
                eligibility.refusal(profile),
                eligibility.refusal(
                    profile, survivor_id=request.survivor_id, request_id=request.pk
                ),
                eligibility.places_left(profile),
                eligibility.places_held(supporter.pk),
            ),
            "matcher loads, with places": places.get(supporter.pk),
            "matcher excludes for the request": supporter.pk in excluded,
            "offer made": _offered(request, supporter),
            "offer accepted": _accepted(request, supporter),
            "reassign refusal": reassign,
            "team list places left": listed[supporter.pk],
            "counted in the figures": supporter.pk in approved,
            "lowest capacity allowed": _capacity_floor(profile),
            "caseload places held and left": (caseload.used, caseload.left),
        }
        expected[name] = _expected(name)
    # Only what differs, as (answer, expected): the failure names who drifted, and for whom.
    drifted = {
        name: {
            key: (answers[name][key], want)
            for key, want in row.items()
            if answers[name][key] != want
        }
        for name, row in expected.items()
    }
    assert {name: diff for name, diff in drifted.items() if diff} == {}

    # The matcher proposes for this request exactly those the rule lets be offered this person.
    proposable = {s for s in places if s not in excluded}
    assert proposable == {people[name].pk for name, row in TABLE.items() if row[1] is None}


def test_the_figures_add_up_each_supporters_places_as_the_rule_counts_them(world):
    health = service_health()
    approved = [name for name in TABLE if name not in STATUS]
    assert health.capacity_total == sum(_profile(world[1][name]).capacity for name in approved)
    assert health.capacity_used == sum(TABLE[name][3] for name in approved)
    # Each supporter's own places left, never below zero: one over capacity takes none away.
    assert health.capacity_left == sum(max(0, TABLE[name][2]) for name in approved)
    assert health.paused_pairings == TABLE["paused"][3] == 1
