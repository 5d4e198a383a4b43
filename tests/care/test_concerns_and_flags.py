"""Concerns go to the coordinators only; a safety flag reaches every coordinator at once, by
one discreet email each, queued after commit; each coordinator action is recorded."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ethics.care import selectors as care_selectors
from ethics.care import services as care_services
from ethics.care.models import Concern, FlagAction, SafetyFlag
from peersupport.people.models import AuditEvent, Notification, OutgoingEmail
from tests.factories import PairingFactory, SupporterFactory, SurvivorFactory

pytestmark = pytest.mark.django_db

SECRET = "words-only-the-coordinators-read-q9"


def _raw_column(model, pk, column="text") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _nothing_leaked() -> None:
    for event in AuditEvent.objects.all():
        assert SECRET not in str(event.data)
    assert not Notification.objects.filter(text__contains=SECRET).exists()
    for message in mail.outbox:
        assert SECRET not in message.subject + message.body


# -- concerns -------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["survivor", "supporter"])
def test_either_side_raises_a_concern_and_sees_its_status_but_the_other_side_does_not(
    client, pairing, coordinator, side
):
    raiser = getattr(pairing, side)
    other = pairing.supporter if side == "survivor" else pairing.survivor
    client.force_login(raiser)
    response = client.post(
        reverse("care:concern_new", args=[pairing.pk]),
        {"category": "boundary", "text": SECRET},
    )
    concern = Concern.objects.get()
    assert response["Location"] == reverse("care:concern", args=[concern.pk])
    assert (concern.raised_by, concern.category, concern.text) == (raiser, "boundary", SECRET)
    page = client.get(reverse("care:concern", args=[concern.pk])).content.decode()
    assert "Received: a coordinator will look at it soon" in page
    assert concern.pk in [c.pk for c in care_selectors.open_concerns()]
    assert Notification.objects.filter(user=coordinator, kind="concern.new").exists()

    # The other side of the pairing, another supporter and another survivor: 404.
    for outsider in (other, SupporterFactory(), SurvivorFactory()):
        client.force_login(outsider)
        assert client.get(reverse("care:concern", args=[concern.pk])).status_code == 404
        assert SECRET not in client.get(reverse("care:concerns")).content.decode()
        assert SECRET not in client.get(reverse("home")).content.decode()


def test_coordinator_reads_a_concern_and_opening_it_is_recorded(coordinator_client, pairing):
    concern = care_services.concern_raise(
        user=pairing.survivor, pairing=pairing, category="judged", text=SECRET
    )
    page = coordinator_client.get(reverse("team:concern", args=[concern.pk])).content.decode()
    assert SECRET in page
    assert AuditEvent.objects.filter(action="concern.viewed", target_id=concern.pk).count() == 1

    coordinator_client.post(
        reverse("team:concern", args=[concern.pk]),
        {"status": "in_review", "response": "We will call you this week."},
    )
    concern.refresh_from_db()
    assert concern.status == "in_review"
    assert AuditEvent.objects.filter(action="concern.updated", target_id=concern.pk).exists()
    # The person who raised it sees the new status and the coordinator's note.
    theirs = Client()
    theirs.force_login(pairing.survivor)
    page = theirs.get(reverse("care:concern", args=[concern.pk])).content.decode()
    assert "A coordinator is looking into it" in page
    assert "We will call you this week." in page


def test_concern_text_is_encrypted_at_rest_and_never_leaks(pairing):
    concern = care_services.concern_raise(
        user=pairing.supporter, pairing=pairing, category="commitment", text=SECRET
    )
    assert SECRET not in _raw_column(Concern, concern.pk)
    _nothing_leaked()


def test_the_raisers_page_shows_the_status_but_nothing_of_the_coordinators_handling(
    survivor_client, pairing, coordinator
):
    concern = care_services.concern_raise(
        user=pairing.survivor, pairing=pairing, category="judged", text=SECRET
    )
    url = reverse("care:concern", args=[concern.pk])
    page = survivor_client.get(url).content.decode()
    assert SECRET in page and 'name="status"' not in page
    assert "Who has opened and changed this" not in page
    assert reverse("team:pairing", args=[pairing.pk]) not in page
    response = survivor_client.post(url, {"status": "resolved", "response": ""})
    assert response.status_code == 404
    concern.refresh_from_db()
    assert concern.status == "open"


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_empty_or_oversized_concern_text_is_a_field_error(survivor_client, pairing, text):
    response = survivor_client.post(
        reverse("care:concern_new", args=[pairing.pk]), {"category": "other", "text": text}
    )
    assert response.status_code == 200
    assert "text" in response.context["form"].errors
    assert not Concern.objects.exists()


def test_the_concern_form_speaks_to_the_side_raising_it(survivor_client, supporter_client, pairing):
    url = reverse("care:concern_new", args=[pairing.pk])
    theirs = survivor_client.get(url).content.decode()
    ours = supporter_client.get(url).content.decode()

    assert "Your peer supporter will not see it." in theirs
    assert "ask for a different peer supporter" in theirs
    assert "The person you support will not see it." in ours
    assert "Raise a concern about your support for Sam" in ours
    assert reverse("care:flag_new", args=[pairing.pk]) in ours
    for survivors_words in ("Your peer supporter", "a different peer supporter"):
        assert survivors_words not in ours


def test_nobody_outside_the_pairing_can_raise_a_concern_about_it(client, pairing, coordinator):
    for outsider in (SupporterFactory(), SurvivorFactory(), coordinator):
        client.force_login(outsider)
        url = reverse("care:concern_new", args=[pairing.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"category": "other", "text": "x"}).status_code == 404
    assert not Concern.objects.exists()


# -- safety flags ---------------------------------------------------------------------------


def test_a_safety_flag_reaches_every_coordinator_once_and_only_after_commit(
    django_capture_on_commit_callbacks, pairing, coordinator, other_coordinator
):
    with django_capture_on_commit_callbacks(execute=True):
        flag = care_services.safety_flag_raise(
            supporter=pairing.supporter, pairing=pairing, category="child", text=SECRET
        )
        assert mail.outbox == []  # nothing is sent before the commit
    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [coordinator.email, other_coordinator.email]
    )
    for message in mail.outbox:
        assert message.subject == "You have a new message"
    for person in (coordinator, other_coordinator):
        alert = Notification.objects.get(user=person, kind="flag.new")
        assert alert.link == reverse("team:flag", args=[flag.pk])
    event = AuditEvent.objects.get(action="flag.raised")
    assert (event.actor, event.target_id) == (pairing.supporter, flag.pk)
    assert flag.created_at is not None
    assert SECRET not in _raw_column(SafetyFlag, flag.pk)
    _nothing_leaked()


def test_no_safety_email_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks, pairing, coordinator
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        care_services.safety_flag_raise(
            supporter=pairing.supporter, pairing=pairing, category="self", text=SECRET
        )
        raise RuntimeError("something failed after the flag")
    assert callbacks == []
    assert mail.outbox == []
    assert not SafetyFlag.objects.exists()
    assert not Notification.objects.exists()


def test_a_safety_flag_emails_a_coordinator_who_turned_emails_off_once_after_commit(
    django_capture_on_commit_callbacks, pairing, coordinator, other_coordinator
):
    for person in (coordinator, other_coordinator):
        person.email_notifications = False
        person.save(update_fields=["email_notifications"])
    with django_capture_on_commit_callbacks(execute=True):
        care_services.safety_flag_raise(
            supporter=pairing.supporter, pairing=pairing, category="others", text=SECRET
        )
        assert mail.outbox == []  # nothing before the commit
    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [coordinator.email, other_coordinator.email]
    )
    assert all(m.subject == "You have a new message" for m in mail.outbox)
    _nothing_leaked()


def test_the_forced_safety_email_waits_in_the_outbox_with_the_services_words_only(
    django_capture_on_commit_callbacks, pairing, coordinator
):

    coordinator.email_notifications = False
    coordinator.save(update_fields=["email_notifications"])
    with django_capture_on_commit_callbacks(execute=False):
        care_services.safety_flag_raise(
            supporter=pairing.supporter, pairing=pairing, category="self", text=SECRET
        )
    row = OutgoingEmail.objects.get(recipient=coordinator)
    assert (row.kind, row.status) == ("urgent", "pending")
    assert SECRET not in row.subject + row.body
    assert row.body not in _raw_column(OutgoingEmail, row.pk, "body")  # encrypted at rest


def test_other_news_still_respects_a_coordinator_who_turned_emails_off(
    django_capture_on_commit_callbacks, pairing, coordinator
):
    coordinator.email_notifications = False
    coordinator.save(update_fields=["email_notifications"])
    with django_capture_on_commit_callbacks(execute=True):
        care_services.concern_raise(
            user=pairing.survivor, pairing=pairing, category="other", text=SECRET
        )
    assert Notification.objects.filter(user=coordinator).exists()
    assert not OutgoingEmail.objects.filter(recipient=coordinator).exists()
    assert mail.outbox == []


def test_the_flag_page_alerts_the_coordinators(
    supporter_client, pairing, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = supporter_client.post(
            reverse("care:flag_new", args=[pairing.pk]), {"category": "others", "text": SECRET}
        )
    flag = SafetyFlag.objects.get()
    assert response["Location"] == reverse("care:flag", args=[flag.pk])
    assert len(mail.outbox) == 1
    page = supporter_client.get(response["Location"]).content.decode()
    assert "Sent: waiting for a coordinator" in page


def test_only_the_flagging_supporter_and_coordinators_see_a_flag(
    client, pairing, coordinator_client
):
    flag = care_services.safety_flag_raise(
        supporter=pairing.supporter, pairing=pairing, category="self", text=SECRET
    )
    url = reverse("care:flag", args=[flag.pk])
    for outsider in (pairing.survivor, SupporterFactory(), SurvivorFactory()):
        other = Client()
        other.force_login(outsider)
        assert other.get(url).status_code == 404
        assert SECRET not in other.get(reverse("home")).content.decode()
    # The survivor has no flag pages at all.
    survivor = Client()
    survivor.force_login(pairing.survivor)
    assert survivor.get(reverse("care:flags")).status_code == 404

    page = coordinator_client.get(reverse("team:flag", args=[flag.pk])).content.decode()
    assert SECRET in page
    assert AuditEvent.objects.filter(action="flag.viewed", target_id=flag.pk).count() == 1


def test_each_coordinator_action_on_a_flag_is_recorded(
    pairing, coordinator, other_coordinator, coordinator_client
):
    flag = care_services.safety_flag_raise(
        supporter=pairing.supporter, pairing=pairing, category="others", text=SECRET
    )
    url = reverse("team:flag", args=[flag.pk])
    coordinator_client.post(url, {"kind": "acknowledged", "note": ""})
    care_services.safety_flag_act(
        flag_id=flag.pk, coordinator=other_coordinator, kind="note", note="Called them."
    )
    coordinator_client.post(url, {"kind": "closed", "note": "Safe now."})
    flag.refresh_from_db()
    assert flag.status == "closed"
    assert flag.acknowledged_by == coordinator
    actions = list(FlagAction.objects.values_list("actor", "kind", "note"))
    assert actions == [
        (coordinator.pk, "acknowledged", ""),
        (other_coordinator.pk, "note", "Called them."),
        (coordinator.pk, "closed", "Safe now."),
    ]
    assert list(
        AuditEvent.objects.filter(target_id=flag.pk, action__startswith="flag.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    ) == ["flag.raised", "flag.acknowledged", "flag.note", "flag.closed"]
    assert "Safe now." not in str(list(AuditEvent.objects.values_list("data", flat=True)))
    # The supporter who flagged it is told (without content) that a coordinator responded.
    assert Notification.objects.filter(user=pairing.supporter, kind="flag.updated").count() == 2


@pytest.mark.parametrize("text", ["", "x" * 4001])
def test_empty_or_oversized_flag_text_is_a_field_error(supporter_client, pairing, text):
    response = supporter_client.post(
        reverse("care:flag_new", args=[pairing.pk]), {"category": "self", "text": text}
    )
    assert response.status_code == 200
    assert "text" in response.context["form"].errors
    assert not SafetyFlag.objects.exists()


def test_a_supporter_can_only_flag_someone_they_support(client, pairing):
    stranger = SupporterFactory()
    client.force_login(stranger)
    url = reverse("care:flag_new", args=[pairing.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"category": "self", "text": "x"}).status_code == 404
    assert not SafetyFlag.objects.exists()


def test_the_coordinators_lists_cost_a_fixed_number_of_queries(
    coordinator_client, django_assert_max_num_queries
):
    def add_one():
        pairing = PairingFactory()
        care_services.safety_flag_raise(
            supporter=pairing.supporter, pairing=pairing, category="self", text="x"
        )
        care_services.concern_raise(
            user=pairing.survivor, pairing=pairing, category="other", text="x"
        )

    add_one()
    counts = {}
    for name in ("team:flags", "team:concerns"):
        with CaptureQueriesContext(connection) as queries:
            assert coordinator_client.get(reverse(name)).status_code == 200
        counts[name] = len(queries)
    for _ in range(4):
        add_one()
    for name, count in counts.items():
        with django_assert_max_num_queries(count):
            page = coordinator_client.get(reverse(name)).content.decode()
        assert page.count("list-group-item") >= 5


# -- addresses ------------------------------------------------------------------------------


def test_the_ethics_addresses_say_nothing_about_what_the_page_is_for():
    from ethics.agreements.urls import urlpatterns as agreement_urls
    from ethics.care.urls import urlpatterns as care_urls
    from peersupport.coordination.urls import urlpatterns as team_urls

    telling = ("flag", "concern", "debrief", "block", "safety", "danger", "abuse", "support")
    routes = [str(pattern.pattern) for pattern in [*agreement_urls, *care_urls, *team_urls]]
    # Every address of the three apps (there are dozens; a new one is checked without a count
    # to update).
    assert len(routes) > 40
    for route in routes:
        for word in telling:
            assert word not in route.lower(), route
