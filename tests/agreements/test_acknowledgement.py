"""Acknowledging the agreements: who reads what, the gates before and after, being asked
again after a new version, pairings that start only on both sides' agreement, bad input."""

from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ethics.agreements import selectors as agreements_selectors
from ethics.agreements import services as agreements_services
from ethics.agreements.models import Acknowledgement, AgreementVersion
from matching.eligibility import refusal
from matching.models import PairingState
from peersupport.people.models import AuditEvent
from tests.factories import PASSWORD, PairingFactory, SupporterFactory
from tests.helpers import acknowledge_current, publish_new_version

pytestmark = pytest.mark.django_db


def _current(slug: str) -> AgreementVersion:
    return agreements_selectors.current_versions().get(document__slug=slug)


def _slugs(versions) -> set[str]:
    return {v.document.slug for v in versions}


def test_each_role_has_its_own_agreements_to_acknowledge(survivor, supporter, coordinator):
    assert _slugs(agreements_selectors.outstanding_agreements(survivor)) == {
        "survivor-expectations",
        "ethics",
    }
    assert _slugs(agreements_selectors.outstanding_agreements(supporter)) == {
        "supporter-expectations",
        "ethics",
    }
    assert agreements_selectors.outstanding_agreements(coordinator) == []
    assert agreements_selectors.has_acknowledged_current(coordinator)


def test_acknowledging_on_the_page_stores_who_which_version_and_when(survivor_client, survivor):
    version = _current("survivor-expectations")
    response = survivor_client.post(
        reverse("agreements:acknowledge"), {"version": version.pk, "agree": "on"}
    )
    assert response.status_code == 302
    ack = Acknowledgement.objects.get()
    assert (ack.user, ack.version) == (survivor, version)
    assert ack.acknowledged_at is not None
    assert AuditEvent.objects.filter(action="agreement.acknowledged", actor=survivor).exists()
    assert _slugs(agreements_selectors.outstanding_agreements(survivor)) == {"ethics"}


def test_survivor_cannot_ask_for_a_supporter_until_they_have_acknowledged(
    survivor_client, survivor
):
    gate = survivor_client.get(reverse("matching:request_new")).content.decode()
    assert "Before you ask for a peer supporter" in gate
    assert reverse("agreements:acknowledge") in gate
    home = survivor_client.get(reverse("home")).content.decode()
    assert "data-outstanding" in home

    for version in agreements_selectors.outstanding_agreements(survivor):
        survivor_client.post(
            reverse("agreements:acknowledge"), {"version": version.pk, "agree": "on"}
        )

    assert agreements_selectors.has_acknowledged_current(survivor)
    form_page = survivor_client.get(reverse("matching:request_new"), follow=True)
    form_page = form_page.content.decode()
    assert "Before you ask for a peer supporter" not in form_page
    assert "Step 1 of" in form_page and "Continue" in form_page  # the request's first step
    assert "data-outstanding" not in survivor_client.get(reverse("home")).content.decode()


def test_supporter_cannot_receive_offers_until_they_have_acknowledged(supporter):
    profile = supporter.supporter_profile
    assert refusal(profile) is not None
    assert agreements_selectors.acknowledged_current_ids([supporter.pk]) == set()
    acknowledge_current(supporter)
    assert refusal(profile) is None
    assert agreements_selectors.acknowledged_current_ids([supporter.pk]) == {supporter.pk}


def test_survivor_reads_the_limits_of_confidentiality_before_agreeing(survivor_client):
    page = survivor_client.get(reverse("agreements:acknowledge")).content.decode()
    limits = page.index("data-confidentiality")
    assert limits < page.index('name="agree"')
    section = page[limits : page.index("</section>", limits)]
    for words in ("harming yourself", "a danger to someone else", "a child is at risk of harm"):
        assert words in section


def test_the_page_shows_every_item_with_its_version_and_date(supporter_client):
    page = supporter_client.get(reverse("agreements:acknowledge")).content.decode()
    for slug in ("supporter-expectations", "ethics"):
        version = _current(slug)
        for item in version.items.all():
            assert item.text in page
        assert f"Version {version.number}, published" in page
    assert "data-guidelines-pdf" in page


def test_a_new_version_asks_everyone_again_at_sign_in_and_shows_what_changed(
    client, survivor, supporter, coordinator
):
    acknowledge_current(survivor)
    acknowledge_current(supporter)
    old_ethics = _current("ethics")
    new = publish_new_version(coordinator, "ethics", summary="Item 3 now mentions rest.")

    for person in (survivor, supporter):
        assert agreements_selectors.outstanding_agreements(person) == [new]
        client.logout()
        response = client.post(
            reverse("account_login"), {"login": person.email, "password": PASSWORD}
        )
        assert response["Location"] == reverse("agreements:acknowledge")
        page = client.get(response["Location"]).content.decode()
        assert "Item 3 now mentions rest." in page
        assert "data-changes" in page
        assert page.count('name="agree"') == 1  # only the new version waits

        client.post(reverse("agreements:acknowledge"), {"version": new.pk, "agree": "on"})
        assert agreements_selectors.has_acknowledged_current(person)
        # The history is kept: the old acknowledgement is still there.
        assert Acknowledgement.objects.filter(user=person, version=old_ethics).exists()
        assert Acknowledgement.objects.filter(user=person, version=new).exists()

    # Once acknowledged, the next sign-in goes home.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": survivor.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("home")


def test_signing_in_with_next_still_asks_again_first_then_goes_on_to_next(
    client, survivor, coordinator
):
    acknowledge_current(survivor)
    new = publish_new_version(coordinator, "ethics", summary="Item 5 is clearer now.")
    wanted = reverse("matching:request_new")
    login = reverse("account_login") + "?" + urlencode({"next": wanted})

    response = client.post(login, {"login": survivor.email, "password": PASSWORD})
    ack_url = reverse("agreements:acknowledge") + "?" + urlencode({"next": wanted})
    assert response["Location"] == ack_url
    page = client.get(response["Location"]).content.decode()
    assert "Item 5 is clearer now." in page
    assert "data-changes" in page

    response = client.post(ack_url, {"version": new.pk, "agree": "on"})
    assert response["Location"] == wanted
    assert agreements_selectors.has_acknowledged_current(survivor)

    # Nothing outstanding: ?next= is followed straight away.
    client.logout()
    response = client.post(login, {"login": survivor.email, "password": PASSWORD})
    assert response["Location"] == wanted


def test_the_acknowledgement_page_ignores_a_next_that_leaves_the_site(
    client, survivor, coordinator
):
    acknowledge_current(survivor)
    new = publish_new_version(coordinator, "ethics")
    client.force_login(survivor)
    url = (
        reverse("agreements:acknowledge") + "?" + urlencode({"next": "https://elsewhere.example/"})
    )
    response = client.post(url, {"version": new.pk, "agree": "on"})
    assert response["Location"] == reverse("home")


def test_one_more_to_read_keeps_next_until_everything_is_acknowledged(
    client, survivor, coordinator
):
    acknowledge_current(survivor)
    new_ethics = publish_new_version(coordinator, "ethics")
    new_survivor = publish_new_version(coordinator, "survivor-expectations")
    wanted = reverse("matching:request_new")
    url = reverse("agreements:acknowledge") + "?" + urlencode({"next": wanted})
    client.force_login(survivor)
    response = client.post(url, {"version": new_ethics.pk, "agree": "on"})
    assert response["Location"] == url
    response = client.post(url, {"version": new_survivor.pk, "agree": "on"})
    assert response["Location"] == wanted


def test_a_pairing_starts_only_when_both_sides_acknowledged_the_versions_current_then(
    survivor, supporter, coordinator
):
    pairing = PairingFactory(
        request__survivor=survivor, supporter=supporter, state="awaiting_agreement"
    )
    acknowledge_current(supporter)
    pairing.refresh_from_db()
    assert pairing.state == PairingState.AWAITING_AGREEMENT

    # A new version is published before the survivor agrees: the supporter's agreement to the
    # old one no longer counts.
    new = publish_new_version(coordinator, "ethics")
    acknowledge_current(survivor)
    pairing.refresh_from_db()
    assert pairing.state == PairingState.AWAITING_AGREEMENT

    agreements_services.agreement_acknowledge(user=supporter, version_id=new.pk)
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE


# -- bad input ------------------------------------------------------------------------------


def _post(client, version_id, agree="on"):
    data = {"version": version_id}
    if agree:
        data["agree"] = agree
    return client.post(reverse("agreements:acknowledge"), data)


def test_acknowledging_a_version_that_is_no_longer_current_is_refused(
    survivor_client, survivor, coordinator
):
    old = _current("ethics")
    publish_new_version(coordinator, "ethics")
    response = _post(survivor_client, old.pk)
    assert response.status_code == 400
    assert "A newer version of this agreement has been published" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_acknowledging_twice_is_refused(survivor_client, survivor):
    version = _current("ethics")
    assert _post(survivor_client, version.pk).status_code == 302
    response = _post(survivor_client, version.pk)
    assert response.status_code == 400
    assert "already acknowledged this version" in response.content.decode()
    assert Acknowledgement.objects.filter(user=survivor).count() == 1


def test_acknowledging_another_roles_agreement_is_refused(client, survivor, supporter):
    for person, other_roles in (
        (survivor, "supporter-expectations"),
        (supporter, "survivor-expectations"),
    ):
        client.force_login(person)
        response = _post(client, _current(other_roles).pk)
        assert response.status_code == 400
        assert "for people in a different role" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_coordinators_have_nothing_to_acknowledge(coordinator):
    with pytest.raises(ValidationError):
        agreements_services.agreement_acknowledge(
            user=coordinator, version_id=_current("ethics").pk
        )
    assert not Acknowledgement.objects.exists()


def test_acknowledging_a_draft_or_unknown_version_is_refused(survivor_client, coordinator):
    document = _current("ethics").document
    draft = agreements_services.agreement_draft_save(
        document_id=document.pk, actor=coordinator, introduction="x", items=["y"], summary="z"
    )
    for version_id in (draft.pk, 999999):
        response = _post(survivor_client, version_id)
        assert response.status_code == 400
        assert "no such agreement" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_acknowledging_without_ticking_the_box_is_a_field_error(survivor_client):
    version = _current("ethics")
    response = _post(survivor_client, version.pk, agree="")
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_acknowledged_current_ids_costs_fixed_queries(django_assert_num_queries):
    people = [SupporterFactory() for _ in range(4)]
    for person in people[:2]:
        acknowledge_current(person)
    with django_assert_num_queries(3):
        done = agreements_selectors.acknowledged_current_ids([p.pk for p in people])
    assert done == {people[0].pk, people[1].pk}
