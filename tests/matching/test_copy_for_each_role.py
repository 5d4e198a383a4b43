"""Each page speaks to the person reading it: a supporter's offer says what matters to them
(not how the score was made), a supporter's pairing page is about the person they support,
and a coordinator is never addressed as one of the pair."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import explanations, services
from tests.factories import SupportRequestFactory
from tests.helpers import acknowledge_current

pytestmark = pytest.mark.django_db

SCORING = ("bonus", "scores 0", "(+", "points", "score")


@pytest.fixture
def offer(survivor, supporter):
    acknowledge_current(survivor, supporter)
    request = SupportRequestFactory(
        survivor=survivor, opened_at=timezone.now() - timedelta(days=40)
    )
    pairing = services.pairing_propose(request=request, supporter=supporter, actor=None)
    return services.pairing_offer(pairing_id=pairing.pk, actor=None)


def test_the_supporters_offer_says_what_matters_without_scoring_internals(supporter_client, offer):
    page = supporter_client.get(reverse("matching:offer", args=[offer.pk])).content.decode()
    main = page[page.index("<main") :]

    assert "data-offer-fit" in main
    assert "They asked for a supporter 40 days ago." in main
    assert "Why we asked you" in main
    for word in SCORING:
        assert word not in main.lower()


def test_the_coordinators_still_see_the_scoring_detail(coordinator_client, offer):
    page = coordinator_client.get(reverse("team:pairing", args=[offer.pk])).content.decode()
    assert "the bonus grows until" in page
    assert "(+" in page


def test_every_stored_reason_has_words_for_a_supporter(offer):
    codes = [c.reason.code for c in explanations.explain_pairing(offer)]
    assert codes
    points = explanations.offer_points(offer)
    assert points and all(p.endswith(".") for p in points)
    assert not [p for p in points if "bonus" in p or "scores" in p]


def test_a_coordinator_is_never_addressed_as_one_of_the_pair(coordinator_client, pairing):
    pages = [
        coordinator_client.get(reverse("matching:pairing", args=[pairing.pk]), follow=True),
        coordinator_client.get(reverse("team:pairing", args=[pairing.pk])),
        coordinator_client.get(reverse("home")),
        coordinator_client.get(reverse("team:at_risk")),
    ]
    for response in pages:
        assert response.status_code == 200
        assert "Your pairing" not in response.content.decode()


def test_the_supporters_pairing_page_is_about_the_person_they_support(
    supporter_client, survivor_client, pairing
):
    theirs = supporter_client.get(reverse("matching:pairing", args=[pairing.pk])).content.decode()
    assert "Supporting Sam" in theirs
    assert "Your pairing" not in theirs
    own = survivor_client.get(reverse("matching:pairing", args=[pairing.pk])).content.decode()
    assert "Your pairing" in own
