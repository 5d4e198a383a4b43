"""Sign-up, verification, sign-in and landing for each role; supporter applications."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from peersupport.people.events import NotificationKind
from peersupport.people.models import (
    AuditEvent,
    Language,
    LivedExperienceArea,
    MeetingMode,
    Role,
    SupporterProfile,
    SupporterStatus,
    User,
)
from tests.factories import PASSWORD, SupporterFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kettle-orchard-lantern-77"


def _signup(client, email="new@example.org", name="River"):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "display_name": name,
        },
    )


def _confirm_link(message) -> str:
    return re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", message.body).group(0)


def test_survivor_signs_up_verifies_email_and_lands_on_their_home(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox delivers after commit
        response = _signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.role == Role.SURVIVOR
    assert user.display_name == "River"
    assert len(mail.outbox) == 1
    assert "River" not in mail.outbox[0].body  # not even the pseudonym goes into an email

    # Unverified: signing in is refused until the link is followed.
    client.logout()
    client.post(reverse("account_login"), {"login": user.email, "password": NEW_PASSWORD})
    assert "_auth_user_id" not in client.session

    link = _confirm_link(mail.outbox[-1])
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.post("/" + path)
    assert EmailAddress.objects.get(email=user.email).verified

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": NEW_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"Your peer supporter" in response.content


def test_signup_email_subject_and_sender_are_neutral(
    client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client)
    message = mail.outbox[0]
    for word in ("abuse", "violence", "survivor", "support", "sexual", "rape"):
        assert word not in message.subject.lower()
        assert word not in message.from_email.lower()


def test_signup_with_a_taken_email_looks_the_same_as_a_new_one(client, survivor):
    fresh = _signup(client, email="someone-new@example.org")
    client.logout()
    taken = _signup(client, email=survivor.email)
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"]
    assert User.objects.filter(email=survivor.email).count() == 1


@pytest.fixture
def hashed_passwords():
    """Spy on the password hasher: the list of passwords it hashed."""
    from unittest import mock

    from django.contrib.auth.hashers import get_hasher

    hasher_class = type(get_hasher())
    seen = []
    original = hasher_class.encode

    def spy(self, password, salt, *args, **kwargs):
        seen.append(password)
        return original(self, password, salt, *args, **kwargs)

    with mock.patch.object(hasher_class, "encode", spy):
        yield seen


@pytest.mark.parametrize("url_name", ["account_signup", "supporter_apply"])
def test_a_taken_email_costs_the_same_password_hashing_as_a_new_one(
    client, survivor, hashed_passwords, url_name, django_capture_on_commit_callbacks
):
    def post(email):
        if url_name == "account_signup":
            data = {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
            data["display_name"] = "River"
        else:
            data = _application(email=email)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse(url_name), data)
        client.logout()
        return response

    fresh = post("someone-new@example.org")
    assert hashed_passwords == [NEW_PASSWORD]
    expected_role = Role.SURVIVOR if url_name == "account_signup" else Role.SUPPORTER
    assert User.objects.get(email="someone-new@example.org").role == expected_role
    hashed_passwords.clear()

    taken = post(survivor.email.upper())
    assert hashed_passwords == [NEW_PASSWORD]  # the taken path hashed it too

    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"]
    assert fresh.content == taken.content
    assert len(mail.outbox) == 2  # a verification link, an "you already have an account" note
    assert User.objects.filter(email__iexact=survivor.email).count() == 1


def test_password_reset_answers_the_same_for_known_and_unknown_emails(
    client, survivor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": survivor.email})
        unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # Nothing goes to an address without an account (someone else's inbox, perhaps).
    assert [message.to for message in mail.outbox] == [[survivor.email]]


def test_invalid_signup_keeps_what_was_typed_except_passwords(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "not-an-email",
            "password1": "secret-typed-pw-1",
            "password2": "secret-typed-pw-2",
            "display_name": "Wren",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="not-an-email"' in body
    assert 'value="Wren"' in body
    assert "secret-typed-pw" not in body
    assert "is-invalid" in body
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "role_fixture, marker",
    [
        ("survivor", "Your peer supporter"),
        ("supporter", "Your caseload"),
        ("coordinator", "The queue"),
    ],
)
def test_each_role_lands_on_its_own_home_after_sign_in(client, request, role_fixture, marker):
    user = request.getfixturevalue(role_fixture)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert marker in response.content.decode()


def _application(**overrides):
    data = {
        "email": "helper@example.org",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "display_name": "Kit",
        "relationship": "friend",
        "areas": [LivedExperienceArea.objects.get(slug="childhood").pk],
        "languages": [Language.objects.get(slug="en").pk],
        "meeting_modes": [MeetingMode.objects.get(slug="phone").pk],
        "availability": ["0", "4"],
        "capacity": "3",
        "motivation": "I supported my sister.",
    }
    data.update(overrides)
    return data


def test_supporter_applies_and_a_coordinator_approves(client, coordinator):
    response = client.post(reverse("supporter_apply"), _application())
    assert response.status_code == 302
    profile = SupporterProfile.objects.get(user__email="helper@example.org")
    assert profile.user.role == Role.SUPPORTER
    assert profile.status == SupporterStatus.APPLIED
    assert profile.relationship == "friend"
    assert profile.capacity == 3
    assert profile.availability == (1 << 0) | (1 << 4)
    assert list(profile.languages.values_list("slug", flat=True)) == ["en"]

    client.force_login(coordinator)
    listing = client.get(reverse("team:applications"))
    assert "Kit" in listing.content.decode()
    response = client.post(
        reverse("team:application", args=[profile.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == SupporterStatus.APPROVED
    assert profile.decided_by == coordinator
    assert AuditEvent.objects.filter(action="supporter.approved", target_id=profile.pk).exists()


def test_declining_an_application_needs_a_reason_the_applicant_then_sees(client, coordinator):
    applicant = SupporterFactory(profile__status=SupporterStatus.APPLIED)
    client.force_login(coordinator)
    url = reverse("team:application", args=[applicant.supporter_profile.pk])
    response = client.post(url, {"decision": "decline", "reason": "  "})
    assert response.status_code == 200
    assert "Give a reason" in response.content.decode()
    applicant.supporter_profile.refresh_from_db()
    assert applicant.supporter_profile.status == SupporterStatus.APPLIED

    client.post(url, {"decision": "decline", "reason": "Please apply again after training."})
    applicant.supporter_profile.refresh_from_db()
    assert applicant.supporter_profile.status == SupporterStatus.DECLINED

    client.force_login(applicant)
    home = client.get(reverse("home")).content.decode()
    assert "Please apply again after training." in home


@pytest.mark.parametrize("decision, reason", [("approve", ""), ("decline", "Not this time zq9.")])
def test_the_applicant_is_told_of_the_decision_in_neutral_words(
    client, coordinator, django_capture_on_commit_callbacks, decision, reason
):
    applicant = SupporterFactory(profile__status=SupporterStatus.APPLIED)
    client.force_login(coordinator)
    url = reverse("team:application", args=[applicant.supporter_profile.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": decision, "reason": reason})
    note = applicant.notifications.get()
    assert note.link == reverse("home")
    assert "zq9" not in note.text  # the coordinator's own words stay on the home page
    for word in ("approved", "declined", "not approved"):
        assert word not in note.text.lower()  # the same text either way
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [applicant.email]
    assert "zq9" not in mail.outbox[0].body


def test_application_with_unknown_vocabulary_is_refused_without_echoing_it(client):
    response = client.post(
        reverse("supporter_apply"), _application(languages=["99999"], areas=["zzqqzz"])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "zzqqzz" not in body
    assert "Choose" in body
    assert not SupporterProfile.objects.exists()


def test_coordinator_is_created_by_command_and_chooses_a_password_by_link(
    client, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_coordinator", "lead@example.org", "--name", "Robin")
    user = User.objects.get(email="lead@example.org")
    assert user.role == Role.COORDINATOR
    assert EmailAddress.objects.get(user=user).verified
    assert not user.has_usable_password()  # nothing printed that would keep working
    output = capsys.readouterr().out
    assert "password:" not in output.lower()
    printed = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", output).group(0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@example.org"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body

    # The printed link works: they choose a password and sign in with it.
    path = "/" + printed.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_coordinator_adds_another_coordinator_who_gets_a_link(
    coordinator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("team:coordinator_new"), {"email": "second@example.org", "display_name": "Ash"}
        )
    assert response.status_code == 302
    assert User.objects.get(email="second@example.org").role == Role.COORDINATOR
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (User.objects.count(), SupporterProfile.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), SupporterProfile.objects.count()) == counts == (4, 2)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)


def test_supporter_pauses_for_self_care_and_resumes(supporter_client, supporter):
    supporter_client.post(reverse("supporter_pause"), {"reason": ""})
    supporter.supporter_profile.refresh_from_db()
    assert supporter.supporter_profile.status == SupporterStatus.PAUSED
    supporter_client.post(reverse("supporter_pause"), {})
    supporter.supporter_profile.refresh_from_db()
    assert supporter.supporter_profile.status == SupporterStatus.APPROVED


def test_in_app_messages_are_listed_counted_and_marked_read(survivor_client, survivor):
    from peersupport.people.notifications import notify

    notify(
        user=survivor,
        kind=NotificationKind.PAIRING_ACTIVE,
        text="Your pairing has started.",
        link="/home/",
        email=False,
    )
    home = survivor_client.get(reverse("home")).content.decode()
    assert "data-unread>1<" in home
    inbox = survivor_client.get(reverse("inbox")).content.decode()
    assert "Your pairing has started." in inbox
    # Reading the page writes nothing; the button marks them read.
    assert survivor.notifications.unread().count() == 1
    assert "Mark all as read" in inbox
    response = survivor_client.post(reverse("inbox"))
    assert response.status_code == 302
    assert survivor.notifications.unread().count() == 0
    assert "data-unread" not in survivor_client.get(reverse("home")).content.decode()
    assert "Mark all as read" not in survivor_client.get(reverse("inbox")).content.decode()


def test_nobody_reads_another_persons_messages(client, survivor, supporter):
    from peersupport.people.notifications import notify

    notify(
        user=survivor,
        kind=NotificationKind.PAIRING_ACTIVE,
        text="Only for the survivor.",
        email=False,
    )
    client.force_login(supporter)
    assert "Only for the survivor." not in client.get(reverse("inbox")).content.decode()
