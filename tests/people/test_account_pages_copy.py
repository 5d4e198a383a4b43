"""allauth's pages, messages and emails in the service's voice: sentence case, plain calm words,
and email subjects that say nothing about what the service is for; a volunteer who applies
lands on a page that says what happens next."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from peersupport.people.models import Language, LivedExperienceArea, MeetingMode
from tests.factories import PASSWORD, SurvivorFactory

NEW_PASSWORD = "kettle-orchard-lantern-77"

# allauth's own words we never want to show (Title Case, or off-tone).
OFF_TONE = [
    "finalize",
    "Please Confirm",
    "Sign In",
    "Sign Up",
    "Signup",
    "Sign Out",
    "Password Reset",
    "Change Password",
    "Reset My Password",
    "Bad Token",
    "Verify Your Email",
    "Confirm Email Address",
    "Confirm Access",
    "reauthenticate",
    "Two-Factor",
    "two-factor",
    "Authenticator App",
    "Recovery Codes",
    "Are you sure",
    "Successfully",
    "Account Inactive",
]
# Words a bystander glancing at a notification must not read.
NOT_NEUTRAL = re.compile(
    r"abuse|assault|survivor|trauma|rape|violence|peer|support|counsel|crisis|helpline|safe",
    re.IGNORECASE,
)
# Capitalised words allowed after the first: names, abbreviations, "I".
PROPER = {"Willow", "I", "QR", "OK"}


def _headings(body: str) -> list[str]:
    """The page's title, headings and button labels: where Title Case would show."""
    found = re.findall(r"<title>(.*?)</title>", body, re.S)
    found += re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", body, re.S)
    found += re.findall(r"<button[^>]*>(.*?)</button>", body, re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in found]
    return [text.split(" · ")[0] for text in texts if text]


def assert_in_our_voice(body: str) -> None:
    text = " ".join(re.sub(r"<[^>]+>", " ", body).split())  # what a person reads
    for phrase in OFF_TONE:
        assert phrase not in text, phrase
    for heading in _headings(body):
        for sentence in re.split(r"[.!?] ", heading):
            words = re.findall(r"[A-Za-z][\w'-]*", sentence)
            title_case = [w for w in words[1:] if w[0].isupper() and w not in PROPER]
            assert not title_case, f"not sentence case: {heading!r}"


SIGNED_OUT_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
SIGNED_IN_PAGES = [
    "account_logout",
    "account_email",
    "account_change_password",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_generate_recovery_codes",
]


@pytest.mark.parametrize("url_name", SIGNED_OUT_PAGES)
def test_signed_out_account_pages_are_in_our_voice(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert_in_our_voice(response.content.decode())


@pytest.mark.parametrize("url_name", SIGNED_IN_PAGES)
def test_signed_in_account_pages_are_in_our_voice(client, survivor, url_name):
    client.force_login(survivor)
    if url_name != "account_reauthenticate":
        # Confirm it is them, as allauth asks before changes to the account.
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse(url_name), follow=True)
    assert response.status_code == 200
    assert_in_our_voice(response.content.decode())


def test_a_reset_link_that_does_not_work_says_so_calmly(client, db):
    response = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "x", "key": "y"})
    )
    body = response.content.decode()
    assert "This link has already been used or has expired" in body
    assert "ask for a new link" in body
    assert_in_our_voice(body)


def test_an_email_confirmation_link_that_does_not_work_says_so_calmly(client, db):
    response = client.get(reverse("account_confirm_email", args=["not-a-key"]))
    body = response.content.decode()
    assert "This link has expired or has already been used" in body
    assert_in_our_voice(body)


def test_the_sign_in_message_is_short_and_names_nobody(client, survivor):
    response = client.post(
        reverse("account_login"),
        {"login": survivor.email, "password": PASSWORD},
        follow=True,
    )
    body = response.content.decode()
    assert "You are signed in." in body
    assert "Successfully signed in" not in body


def test_sign_up_email_has_a_neutral_subject_and_plain_words(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "river@example.org",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
                "display_name": "River",
            },
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Confirm your email address" in page
    assert_in_our_voice(page)
    (message,) = mail.outbox
    assert message.subject == "Confirm your email address"
    assert not NOT_NEUTRAL.search(message.subject)
    assert not NOT_NEUTRAL.search(message.from_email)
    assert "Please Confirm" not in message.body
    assert "Hello from" not in message.body
    assert "River" not in message.body  # the chosen name stays out of emails


def test_password_reset_email_has_a_neutral_subject_and_plain_words(
    client, survivor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": survivor.email})
    (message,) = mail.outbox
    assert message.subject == "Reset your password"
    assert not NOT_NEUTRAL.search(message.subject)
    assert not NOT_NEUTRAL.search(message.from_email)
    assert "/accounts/password/reset/key/" in message.body
    assert "Hello from" not in message.body
    assert "Password Reset" not in message.body


def test_an_address_that_already_has_an_account_gets_a_neutral_email(
    client, db, django_capture_on_commit_callbacks
):
    SurvivorFactory(email="taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "taken@example.org",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
                "display_name": "River",
            },
        )
    subjects = [message.subject for message in mail.outbox]
    assert subjects == ["About your account"]
    assert not NOT_NEUTRAL.search(subjects[0])


# -- a volunteer who applies -----------------------------------------------------------------


def _application(email: str) -> dict:
    return {
        "email": email,
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


def test_a_volunteer_who_applies_reads_what_happens_next(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("supporter_apply"), _application("kit@example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("supporter_applied")
    assert response["Location"] != reverse("account_email_verification_sent")
    body = client.get(response["Location"]).content.decode()
    assert "Your application has been sent" in body
    assert "What happens next" in body
    assert "Confirm your email address." in body
    assert "A coordinator reads your application." in body
    assert 'id="quick-exit"' in body
    assert_in_our_voice(body)
    # The address is asked to confirm, in a neutral email.
    assert [message.subject for message in mail.outbox] == ["Confirm your email address"]


def test_applying_with_an_address_that_has_an_account_lands_on_the_same_page(client, survivor):
    response = client.post(reverse("supporter_apply"), _application(survivor.email))
    assert response.status_code == 302
    assert response["Location"] == reverse("supporter_applied")


def test_a_survivor_who_signs_up_still_gets_the_confirmation_page(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "wren@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "display_name": "Wren",
        },
    )
    assert response["Location"] == reverse("account_email_verification_sent")
