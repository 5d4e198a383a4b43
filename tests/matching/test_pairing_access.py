"""Who reaches a pairing (matching/access.py), rule by rule: get_pairing_for and
pairings_visible_to agree on every state, safeguarding hold, block and standing of the
supporter; and the pairing comes back with the other person read along and the viewer as
their own side, so its pages read neither again."""

from __future__ import annotations

import itertools

import pytest
from django.http import Http404

from matching.access import get_pairing_for, pairings_visible_to
from matching.models import SUPPORTER_VISIBLE_STATES, Block, PairingState
from peersupport.people.models import (
    BARRED_SUPPORTER_STATUSES,
    SupporterProfile,
    SupporterStatus,
    User,
)
from tests.factories import CoordinatorFactory, PairingFactory, SupporterFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


def _reaches(user, pairing, **options) -> bool:
    try:
        found = get_pairing_for(user, pairing.pk, **options)
    except Http404:
        return False
    assert found.pk == pairing.pk
    return True


def _pairing(supporter, state: str, *, held: bool = False, blocked: bool = False):
    pairing = PairingFactory(
        supporter=supporter,
        state=state,
        end_reason="completed" if state == PairingState.ENDED else "",
        safeguarding_hold=held,
    )
    if blocked:
        Block.objects.create(survivor=pairing.survivor, supporter=supporter)
    return pairing


@pytest.mark.parametrize(
    "standing", [SupporterStatus.APPROVED, SupporterStatus.PAUSED, *BARRED_SUPPORTER_STATUSES]
)
def test_a_supporter_reaches_a_pairing_only_while_live_unheld_unblocked_and_not_barred(standing):
    supporter = SupporterFactory()
    cases = [
        (_pairing(supporter, state, held=held, blocked=blocked), (state, held, blocked))
        for state, held, blocked in itertools.product(
            PairingState.values, (False, True), (False, True)
        )
    ]
    SupporterProfile.objects.filter(user=supporter).update(status=standing)
    supporter = User.objects.get(pk=supporter.pk)  # as a request reads them
    listed = set(pairings_visible_to(supporter).values_list("pk", flat=True))
    for pairing, (state, held, blocked) in cases:
        expected = (
            state in SUPPORTER_VISIBLE_STATES
            and not held
            and not blocked
            and standing not in BARRED_SUPPORTER_STATUSES
        )
        case = (standing, state, held, blocked)
        assert _reaches(supporter, pairing) is expected, case
        assert _reaches(supporter, pairing, live_only=True) is expected, case
        assert _reaches(supporter, pairing, with_request=True) is expected, case
        assert (pairing.pk in listed) is expected, case


def test_a_block_by_another_survivor_hides_nothing_else():
    supporter = SupporterFactory()
    shown, hidden = _pairing(supporter, "active"), _pairing(supporter, "active", blocked=True)
    Block.objects.create(survivor=SurvivorFactory(), supporter=supporter)
    other = SupporterFactory()
    Block.objects.create(survivor=shown.survivor, supporter=other)  # blocks someone else
    assert _reaches(supporter, shown) and not _reaches(supporter, hidden)


def test_a_suspension_is_seen_by_the_next_read_even_with_the_profile_already_read():
    pairing = PairingFactory()
    supporter = User.objects.get(pk=pairing.supporter_id)
    assert supporter.supporter_profile.status == SupporterStatus.APPROVED  # read and kept
    assert _reaches(supporter, pairing)
    SupporterProfile.objects.filter(user=supporter).update(status=SupporterStatus.SUSPENDED)
    assert not _reaches(supporter, pairing)


@pytest.mark.parametrize("state", PairingState.values)
def test_a_survivor_reaches_their_own_pairings_only_and_coordinators_all(state):
    pairing = _pairing(SupporterFactory(), state, held=True, blocked=True)
    assert _reaches(User.objects.get(pk=pairing.survivor_id), pairing)
    assert not _reaches(SurvivorFactory(), pairing)
    assert not _reaches(SupporterFactory(), pairing)
    assert _reaches(CoordinatorFactory(), pairing)
    live = state in SUPPORTER_VISIBLE_STATES
    assert _reaches(User.objects.get(pk=pairing.survivor_id), pairing, live_only=True) is live


def test_the_other_person_comes_along_and_the_viewer_is_their_own_side(
    pairing, survivor, supporter, coordinator, django_assert_num_queries
):
    for viewer, own, other in (
        (supporter, "supporter", "survivor"),
        (survivor, "survivor", "supporter"),
    ):
        found = get_pairing_for(viewer, pairing.pk, live_only=True)
        with django_assert_num_queries(0):
            assert getattr(found, own) is viewer
            assert getattr(found, other).pk == getattr(pairing, f"{other}_id")
            assert getattr(found, other).display_name
    found = get_pairing_for(supporter, pairing.pk, with_request=True)
    with django_assert_num_queries(0):
        assert found.request.pk == pairing.request_id
    found = get_pairing_for(coordinator, pairing.pk)
    with django_assert_num_queries(0):
        assert (found.survivor.pk, found.supporter.pk, found.request.pk) == (
            survivor.pk,
            supporter.pk,
            pairing.request_id,
        )
    # Without asking, the request is still there to read (at the cost of a query).
    found = get_pairing_for(supporter, pairing.pk)
    with django_assert_num_queries(1):
        assert found.request.pk == pairing.request_id


def test_a_pairing_that_is_not_there_is_a_404_for_everyone(supporter, survivor, coordinator):
    for user in (supporter, survivor, coordinator):
        with pytest.raises(Http404):
            get_pairing_for(user, 987654)
