"""Requests, the batch run, offers and the pairing lifecycle, end to end through the views
and services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from matching import engine, explanations, instance, runner, services
from matching.models import (
    Block,
    EndReason,
    Pairing,
    PairingState,
    PairingTransition,
    RequestStatus,
    SupportRequest,
)
from peersupport.people.models import Language, LivedExperienceArea, MeetingMode, SupporterStatus
from tests.factories import (
    PairingFactory,
    SupporterFactory,
    SupportRequestFactory,
    SurvivorFactory,
)
from tests.helpers import acknowledge_current
from tests.matching.steps import send_request

pytestmark = pytest.mark.django_db


def _request_post(**overrides):
    data = {
        "languages": [Language.objects.get(slug="en").pk],
        "meeting_modes": [MeetingMode.objects.get(slug="chat").pk],
        "time_zone": "Europe/London",
        "areas_nice": [LivedExperienceArea.objects.get(slug="adult-assault").pk],
        "note_for_supporter": "I get anxious on the phone.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def agreed_survivor(survivor):
    survivor.display_name = "Quillon"  # distinctive: "Sam" also reads as "Same time zone"
    survivor.save()
    acknowledge_current(survivor)
    return survivor


@pytest.fixture
def agreed_supporter(supporter):
    acknowledge_current(supporter)
    return supporter


# -- requests -------------------------------------------------------------------------------


def test_survivor_must_acknowledge_before_asking(survivor_client, survivor):
    response = send_request(survivor_client, _request_post())
    assert response.status_code == 200
    assert "Before you ask" in response.content.decode()
    assert not SupportRequest.objects.exists()

    acknowledge_current(survivor)
    response = send_request(survivor_client, _request_post())
    assert response.status_code == 302
    request = SupportRequest.objects.get(survivor=survivor)
    assert request.status == RequestStatus.OPEN
    assert request.note_for_supporter == "I get anxious on the phone."


def test_request_needs_a_language_and_a_meeting_mode(client, agreed_survivor):
    client.force_login(agreed_survivor)
    response = send_request(client, _request_post(languages=[], meeting_modes=[]))
    body = response.content.decode()
    assert "Choose at least one language." in body
    assert "Choose at least one way to meet." in body
    assert not SupportRequest.objects.exists()


def test_request_with_unknown_vocabulary_is_refused_without_echo(client, agreed_survivor):
    client.force_login(agreed_survivor)
    response = send_request(client, _request_post(areas_must=["zq9"]))
    body = response.content.decode()
    assert response.status_code == 400
    assert "zq9" not in body
    response = send_request(client, _request_post(languages=["987654"]))
    body = response.content.decode()
    assert response.status_code == 400
    assert "987654" not in body
    assert not SupportRequest.objects.exists()


def test_a_second_request_is_refused_while_one_is_open(client, agreed_survivor):
    client.force_login(agreed_survivor)
    send_request(client, _request_post())
    response = client.get(reverse("matching:request_new"), follow=True)
    assert "already have a request" in response.content.decode()
    response = send_request(client, _request_post())
    assert response.url == reverse("home")
    assert SupportRequest.objects.filter(survivor=agreed_survivor).count() == 1


def test_the_database_refuses_a_second_live_request(survivor):
    SupportRequestFactory(survivor=survivor)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportRequestFactory(survivor=survivor, status="matched")


def test_the_database_refuses_a_second_pairing_not_ended(survivor):
    pairing = PairingFactory(request=SupportRequestFactory(survivor=survivor, status="matched"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(
            request=pairing.request,
            survivor=survivor,
            supporter=SupporterFactory(),
            state=PairingState.PROPOSED,
        )


def test_survivor_edits_and_withdraws_a_request(client, agreed_survivor):
    client.force_login(agreed_survivor)
    send_request(client, _request_post())
    request = SupportRequest.objects.get()
    send_request(
        client,
        _request_post(meeting_modes=[MeetingMode.objects.get(slug="video").pk]),
        pk=request.pk,
    )
    assert list(request.meeting_modes.values_list("slug", flat=True)) == ["video"]
    client.post(reverse("matching:request_withdraw", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN


def test_other_survivors_requests_are_404(client, survivor):
    other = SupportRequestFactory()
    client.force_login(survivor)
    for name in ("matching:request", "matching:request_edit", "matching:request_edit_check"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
    step = reverse("matching:request_edit_step", args=[other.pk, "meeting"])
    assert client.get(step).status_code == 404
    assert client.post(step, _request_post()).status_code == 404
    assert client.post(reverse("matching:request_edit_check", args=[other.pk])).status_code == 404
    assert client.post(reverse("matching:request_withdraw", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == RequestStatus.OPEN


# -- the run, offers and acceptance ------------------------------------------------------------


def _open_request(survivor, **kwargs):
    return SupportRequestFactory(survivor=survivor, **kwargs)


def test_run_proposes_offer_accept_and_start_records_every_transition(
    client, agreed_survivor, agreed_supporter, coordinator
):
    request = _open_request(agreed_survivor)
    client.force_login(coordinator)
    client.post(reverse("team:run"))
    pairing = Pairing.objects.get(request=request)
    assert pairing.state == PairingState.PROPOSED
    assert pairing.supporter == agreed_supporter

    with_commit = client.post(
        reverse("team:proposal_decide", args=[pairing.pk]), {"decision": "offer"}
    )
    assert with_commit.status_code == 302
    pairing.refresh_from_db()
    assert pairing.state == PairingState.OFFERED
    assert pairing.offer_expires_at > timezone.now()

    client.force_login(agreed_supporter)
    offer_page = client.get(reverse("matching:offer", args=[pairing.pk])).content.decode()
    assert agreed_survivor.display_name not in offer_page  # not before accepting
    assert "I get anxious" not in offer_page
    client.post(reverse("matching:offer_accept", args=[pairing.pk]))
    pairing.refresh_from_db()
    # Both sides had acknowledged the current versions: the pairing starts at once.
    assert pairing.state == PairingState.ACTIVE
    request.refresh_from_db()
    assert request.status == RequestStatus.MATCHED

    states = list(pairing.transitions.values_list("from_state", "to_state"))
    assert states == [
        ("", "proposed"),
        ("proposed", "offered"),
        ("offered", "awaiting_agreement"),
        ("awaiting_agreement", "active"),
    ]
    actors = list(pairing.transitions.values_list("actor_id", flat=True))
    assert actors == [coordinator.pk, coordinator.pk, agreed_supporter.pk, None]


def test_a_pairing_waits_for_the_agreements_and_starts_when_both_have_acknowledged(
    agreed_supporter,
):
    survivor = SurvivorFactory()
    pairing = PairingFactory(
        request=SupportRequestFactory(survivor=survivor),
        supporter=agreed_supporter,
        state="offered",
        activated_at=None,
        offer_expires_at=timezone.now() + timedelta(days=1),
    )
    services.offer_accept(pairing_id=pairing.pk, supporter=agreed_supporter)
    pairing.refresh_from_db()
    assert pairing.state == PairingState.AWAITING_AGREEMENT
    acknowledge_current(survivor)
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ACTIVE


def test_survivor_never_sees_the_supporter_before_the_pairing_starts(client, agreed_supporter):
    survivor = SurvivorFactory()
    pairing = PairingFactory(
        request=SupportRequestFactory(survivor=survivor),
        supporter=agreed_supporter,
        state="offered",
        activated_at=None,
        offer_expires_at=timezone.now() + timedelta(days=1),
    )
    client.force_login(survivor)
    pages = [reverse("home"), reverse("matching:request", args=[pairing.request_id])]
    for url in pages + [reverse("matching:pairing", args=[pairing.pk])]:
        assert agreed_supporter.display_name not in client.get(url).content.decode(), url
    services.offer_accept(pairing_id=pairing.pk, supporter=agreed_supporter)
    page = client.get(reverse("matching:pairing", args=[pairing.pk])).content.decode()
    assert agreed_supporter.display_name not in page  # awaiting agreement: not yet
    acknowledge_current(survivor)
    page = client.get(reverse("matching:pairing", args=[pairing.pk])).content.decode()
    assert agreed_supporter.display_name in page


def test_other_supporters_offers_are_404(client, supporter):
    offer = PairingFactory(
        state="offered",
        activated_at=None,
        request__status="open",
        offer_expires_at=timezone.now() + timedelta(days=1),
    )
    client.force_login(supporter)
    assert client.get(reverse("matching:offer", args=[offer.pk])).status_code == 404
    assert client.post(reverse("matching:offer_accept", args=[offer.pk])).status_code == 404
    assert client.get(reverse("matching:pairing", args=[offer.pk])).status_code == 404
    offer.refresh_from_db()
    assert offer.state == PairingState.OFFERED


def _offer(supporter, survivor=None, expires_in=timedelta(days=1)):
    return PairingFactory(
        request=SupportRequestFactory(survivor=survivor or SurvivorFactory()),
        supporter=supporter,
        state="offered",
        activated_at=None,
        offer_expires_at=timezone.now() + expires_in,
    )


def test_accepting_an_expired_offer_is_refused_and_changes_nothing(agreed_supporter):
    pairing = _offer(agreed_supporter, expires_in=timedelta(seconds=-1))
    with pytest.raises(services.ValidationError, match="expired"):
        services.offer_accept(pairing_id=pairing.pk, supporter=agreed_supporter)
    pairing.refresh_from_db()
    assert pairing.state == PairingState.OFFERED
    assert not PairingTransition.objects.filter(pairing=pairing).exists()


def test_accepting_a_withdrawn_offer_is_refused(agreed_supporter):
    pairing = _offer(agreed_supporter)
    services.offers_withdraw_for(supporter=agreed_supporter, actor=None)
    with pytest.raises(services.ValidationError, match="no longer open"):
        services.offer_accept(pairing_id=pairing.pk, supporter=agreed_supporter)


def test_accepting_beyond_capacity_is_refused(agreed_supporter):
    agreed_supporter.supporter_profile.capacity = 1
    agreed_supporter.supporter_profile.save()
    PairingFactory(supporter=agreed_supporter)  # the one place is taken
    pairing = _offer(agreed_supporter)
    with pytest.raises(services.ValidationError, match="over the number"):
        services.offer_accept(pairing_id=pairing.pk, supporter=agreed_supporter)
    pairing.refresh_from_db()
    assert pairing.state == PairingState.OFFERED


def test_accepting_the_last_place_withdraws_the_other_offers(agreed_supporter):
    agreed_supporter.supporter_profile.capacity = 1
    agreed_supporter.supporter_profile.save()
    first, second = _offer(agreed_supporter), _offer(agreed_supporter)
    services.offer_accept(pairing_id=first.pk, supporter=agreed_supporter)
    second.refresh_from_db()
    assert (second.state, second.end_reason) == (PairingState.ENDED, EndReason.WITHDRAWN)
    assert second.request.status == RequestStatus.OPEN


def test_a_decline_excludes_that_supporter_for_that_request(agreed_survivor, agreed_supporter):
    request = _open_request(agreed_survivor)
    runner.matching_run(actor=None)
    pairing = Pairing.objects.get(request=request)
    services.pairing_offer(pairing_id=pairing.pk, actor=None)
    services.offer_decline(pairing_id=pairing.pk, supporter=agreed_supporter, note="Not now")
    assert pairing.transitions.last().note == "Not now"
    result = runner.matching_run(actor=None)
    assert result.assigned == 0
    another = SupporterFactory()
    acknowledge_current(another)
    runner.matching_run(actor=None)
    assert Pairing.objects.get(request=request, state="proposed").supporter == another


def test_an_expired_offer_returns_the_request_to_the_queue(agreed_survivor, agreed_supporter):
    request = _open_request(agreed_survivor)
    runner.matching_run(actor=None, offer=True)
    pairing = Pairing.objects.get(request=request)
    assert pairing.state == PairingState.OFFERED
    assert services.offers_expire(now=pairing.offer_expires_at + timedelta(seconds=1)) == 1
    pairing.refresh_from_db()
    assert pairing.end_reason == EndReason.EXPIRED
    assert instance.open_requests_queryset().filter(pk=request.pk).exists()


def test_pausing_withdraws_open_offers_at_once(client, agreed_supporter):
    pairing = _offer(agreed_supporter)
    client.force_login(agreed_supporter)
    client.post(reverse("supporter_pause"), {"reason": ""})
    pairing.refresh_from_db()
    assert pairing.end_reason == EndReason.WITHDRAWN
    assert (
        agreed_supporter.supporter_profile.__class__.objects.get(
            pk=agreed_supporter.supporter_profile.pk
        ).status
        == SupporterStatus.PAUSED
    )


@pytest.mark.parametrize(
    "setup",
    ["blocked", "ended_before", "paused", "full", "not_accepting", "no_agreements"],
)
def test_the_run_never_proposes_an_excluded_supporter(agreed_survivor, agreed_supporter, setup):
    request = _open_request(agreed_survivor)
    profile = agreed_supporter.supporter_profile
    if setup == "blocked":
        Block.objects.create(survivor=agreed_survivor, supporter=agreed_supporter)
    elif setup == "ended_before":
        PairingFactory(
            request=SupportRequestFactory(survivor=agreed_survivor, status="closed"),
            supporter=agreed_supporter,
            state="ended",
            end_reason="survivor_change",
        )
    elif setup == "paused":
        profile.status = SupporterStatus.PAUSED
    elif setup == "full":
        profile.capacity = 1
        PairingFactory(supporter=agreed_supporter)
    elif setup == "not_accepting":
        profile.accepting_new = False
    elif setup == "no_agreements":
        agreed_supporter.acknowledgements.all().delete()
    profile.save()
    result = runner.matching_run(actor=None)
    assert result.assigned == 0
    assert not Pairing.objects.filter(request=request).exists()


def test_the_stored_score_equals_the_explanation(
    client, coordinator, agreed_survivor, agreed_supporter
):
    """The request has waited several days, and days pass before anyone reads why."""
    request = _open_request(agreed_survivor, availability=0b111)
    SupportRequest.objects.filter(pk=request.pk).update(
        opened_at=timezone.now() - timedelta(days=5, hours=1)
    )
    runner.matching_run(actor=None)
    pairing = Pairing.objects.get()
    assert len(pairing.explanation) == len(engine.COMPONENTS)
    # Five days pass: today's data would score the pair differently ...
    SupportRequest.objects.filter(pk=request.pk).update(
        opened_at=timezone.now() - timedelta(days=10, hours=1)
    )
    now = explanations.explain_now(request.pk, agreed_supporter.pk)
    recomputed = sum(c.points_int for c in now)
    assert recomputed != pairing.score
    # ... but what a coordinator reads is what the pair was scored with.
    components = explanations.explain_pairing(pairing)
    assert sum(c.points_int for c in components) == pairing.score > 0
    assert "Has waited 5 days" in str(components[-1].reason)

    client.force_login(coordinator)
    for url in (reverse("team:proposals"), reverse("team:pairing", args=[pairing.pk])):
        body = client.get(url).content.decode()
        assert "Has waited 5 days" in body, url
        assert "Shared lived experience" in body, url
        assert f"{pairing.score / 100:.2f}" in body, url


def test_rare_language_request_is_not_left_waiting(agreed_supporter):
    """One supporter speaks English and Welsh (capacity 1), another only English: both the
    English-only and the Welsh request are matched, even though the bilingual supporter
    scores higher for the English one."""
    welsh = Language.objects.get(slug="cy")
    english = Language.objects.get(slug="en")
    agreed_supporter.supporter_profile.languages.set([english, welsh])
    agreed_supporter.supporter_profile.capacity = 1
    agreed_supporter.supporter_profile.areas.set(LivedExperienceArea.objects.all())
    agreed_supporter.supporter_profile.save()
    plain = SupporterFactory()
    acknowledge_current(plain)
    english_only, welsh_speaker = SurvivorFactory(), SurvivorFactory()
    common = _open_request(english_only, areas_nice=LivedExperienceArea.objects.all()[:3])
    rare = _open_request(welsh_speaker, languages=[welsh])
    result = runner.matching_run(actor=None)
    assert result.assigned == 2
    assert Pairing.objects.get(request=rare).supporter == agreed_supporter
    assert Pairing.objects.get(request=common).supporter == plain


def test_offer_emails_are_discreet_and_sent_after_commit(
    django_capture_on_commit_callbacks, agreed_survivor, agreed_supporter
):
    _open_request(agreed_survivor)
    runner.matching_run(actor=None)
    pairing = Pairing.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.pairing_offer(pairing_id=pairing.pk, actor=None)
    assert len(mail.outbox) == 0  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [agreed_supporter.email]
    assert message.subject == "You have a new message"
    assert agreed_survivor.display_name not in message.body


def test_pausing_and_ending_a_pairing_are_recorded(client, survivor):
    pairing = PairingFactory(request=SupportRequestFactory(survivor=survivor, status="matched"))
    client.force_login(survivor)
    client.post(reverse("matching:pairing_action", args=[pairing.pk]), {"action": "pause"})
    client.post(reverse("matching:pairing_action", args=[pairing.pk]), {"action": "resume"})
    client.post(reverse("matching:pairing_action", args=[pairing.pk]), {"action": "complete"})
    pairing.refresh_from_db()
    assert (pairing.state, pairing.end_reason) == ("ended", "completed")
    assert list(pairing.transitions.values_list("to_state", "actor_id")) == [
        ("paused", survivor.pk),
        ("active", survivor.pk),
        ("ended", survivor.pk),
    ]
    pairing.request.refresh_from_db()
    assert pairing.request.status == RequestStatus.CLOSED


def test_ending_with_reopen_leaves_the_survivor_with_an_open_request(coordinator, survivor):
    pairing = PairingFactory(request=SupportRequestFactory(survivor=survivor, status="matched"))
    _ended, new = services.pairing_end(
        pairing_id=pairing.pk, actor=coordinator, reason=EndReason.SURVIVOR_CHANGE, reopen=True
    )
    assert new.status == RequestStatus.OPEN
    assert new.previous_pairing == pairing
    assert list(new.languages.all()) == list(pairing.request.languages.all())


def test_an_ended_pairing_is_gone_for_its_supporter(client, supporter):
    pairing = PairingFactory(supporter=supporter)
    client.force_login(supporter)
    assert client.get(reverse("matching:pairing", args=[pairing.pk])).status_code == 200
    services.pairing_end(pairing_id=pairing.pk, actor=supporter, reason=EndReason.COMPLETED)
    assert client.get(reverse("matching:pairing", args=[pairing.pk])).status_code == 404


def test_run_matching_command_prints_json(agreed_survivor, agreed_supporter, capsys):
    import json

    from django.core.management import call_command

    _open_request(agreed_survivor)
    call_command("run_matching")
    result = json.loads(capsys.readouterr().out)
    assert result["assigned"] == 1 and result["proposals"] == 1


def test_a_blocked_pairing_cannot_be_resumed(client, survivor):
    pairing = PairingFactory(
        request=SupportRequestFactory(survivor=survivor, status="matched"), state="paused"
    )
    Block.objects.create(survivor=survivor, supporter=pairing.supporter)
    client.force_login(survivor)
    client.post(reverse("matching:pairing_action", args=[pairing.pk]), {"action": "resume"})
    pairing.refresh_from_db()
    assert pairing.state == PairingState.PAUSED
