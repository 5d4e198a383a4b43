"""Every form that fails says so the GOV.UK way: "Error: " at the start of the page title, an
error summary at the top linking to each field in error, and each error said once there and
once beside its field (never a third time, in a flash message)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ethics.agreements.models import AgreementDocument
from ethics.agreements.selectors import current_versions
from peersupport.people.models import SupporterStatus
from tests.factories import (
    PairingFactory,
    SupporterFactory,
    SupportRequestFactory,
    SurvivorFactory,
)
from tests.helpers import acknowledge_current


@dataclass
class Page:
    """What the test reads from a page: its title, every id, and the summary's entries."""

    title: str = ""
    ids: set[str] = field(default_factory=set)
    summary_links: list[tuple[str, str]] = field(default_factory=list)  # (target id, text)
    summary_texts: list[str] = field(default_factory=list)  # entries that are not links
    summaries: int = 0


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.page = Page()
        self._in_title = False
        self._summary_depth = 0  # > 0 inside the summary's <div>
        self._entry: list[str] | None = None
        self._entry_href = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.page.ids.add(attrs["id"])
        if tag == "title":
            self._in_title = True
        if self._summary_depth and tag == "div":
            self._summary_depth += 1
        elif "data-error-summary" in attrs:
            self.page.summaries += 1
            assert attrs.get("role") == "alert"
            assert attrs.get("tabindex") == "-1"
            self._summary_depth = 1
        if self._summary_depth and tag == "li":
            self._entry, self._entry_href = [], ""
        if self._summary_depth and tag == "a" and self._entry is not None:
            self._entry_href = attrs.get("href", "")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if self._summary_depth and tag == "li" and self._entry is not None:
            text = " ".join("".join(self._entry).split())
            if self._entry_href:
                assert self._entry_href.startswith("#")
                self.page.summary_links.append((self._entry_href[1:], text))
            else:
                self.page.summary_texts.append(text)
            self._entry = None
        if self._summary_depth and tag == "div":
            self._summary_depth -= 1

    def handle_data(self, data):
        if self._in_title:
            self.page.title += data
        if self._entry is not None:
            self._entry.append(data)


def read(response) -> Page:
    reader = _Reader()
    reader.feed(response.content.decode())
    reader.page.title = " ".join(reader.page.title.split())
    return reader.page


def assert_error_page(response, *expected: str) -> Page:
    """The page says "Error: " first in its title, has one summary whose links all lead to
    something on the page, names each expected message, and says none of them three times."""
    assert response.status_code in (200, 400), response.status_code
    page = read(response)
    assert page.title.startswith("Error: "), page.title
    assert page.summaries == 1
    entries = [text for _target, text in page.summary_links] + page.summary_texts
    assert entries, "the summary lists nothing"
    for target, _text in page.summary_links:
        assert target in page.ids, f"the summary links to #{target}, which is not on the page"
    body = response.content.decode()
    for message in expected:
        assert any(message in entry for entry in entries), (message, entries)
        # Once in the summary, once beside its field (or above the form): never three times.
        assert body.count(html.escape(message, quote=True)) <= 2, message
    return page


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- signed out ------------------------------------------------------------------------------


def test_a_failed_sign_in_has_the_error_summary(client, survivor):
    response = client.post(
        reverse("account_login"), {"login": survivor.email, "password": "not-the-password"}
    )
    page = assert_error_page(response, "The email address or password is not right. Try again.")
    assert page.summary_texts  # about the whole form: said, not linked


def test_a_failed_sign_up_links_to_each_field(client, db):
    response = client.post(
        reverse("account_signup"), {"email": "not an address", "password1": "a", "password2": "b"}
    )
    page = assert_error_page(response, "Enter a valid email address.")
    targets = {target for target, _text in page.summary_links}
    assert {"id_email", "id_display_name", "id_password1"} <= targets


def test_a_failed_password_reset_request_has_the_error_summary(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nope"})
    page = assert_error_page(response, "Enter a valid email address.")
    assert [target for target, _text in page.summary_links] == ["id_email"]


def test_a_failed_volunteer_application_links_to_the_first_box_of_each_group(client, db):
    response = client.post(reverse("supporter_apply"), {})
    page = assert_error_page(response)
    targets = {target for target, _text in page.summary_links}
    # Groups of tick boxes have no one control: the link goes to the first box.
    assert {"id_areas_0", "id_languages_0", "id_motivation", "id_email"} <= targets
    # Away from its field, "This field is required." names the field.
    assert any(text.startswith("Email: ") for _target, text in page.summary_links)


def test_a_page_without_a_failed_form_has_no_summary_and_a_plain_title(client, db):
    page = read(client.get(reverse("account_login")))
    assert page.summaries == 0
    assert not page.title.startswith("Error")


# -- a survivor ------------------------------------------------------------------------------


def test_survivor_forms_that_fail_have_the_error_summary(survivor, survivor_client, pairing):
    acknowledge_current(survivor)
    cases = [
        (reverse("profile"), {"account-display_name": "", "account-time_zone": "Nowhere/Else"}),
        (reverse("care:concern_new", args=[pairing.pk]), {"text": ""}),
        (reverse("mydata:erase"), {"password": "wrong"}),
    ]
    for url, data in cases:
        assert_error_page(survivor_client.post(url, data))


def test_an_agreement_not_ticked_links_to_its_box(client, db):
    newcomer = SurvivorFactory()  # nothing acknowledged yet
    client.force_login(newcomer)
    document = AgreementDocument.objects.get(slug="ethics")
    version = current_versions().get(document=document)
    response = client.post(reverse("agreements:acknowledge"), {"version": version.pk})
    page = assert_error_page(response, "Tick the box to say you have read it and agree.")
    assert page.summary_links == [
        (f"v{version.pk}_agree", "Tick the box to say you have read it and agree.")
    ]


# -- a supporter -----------------------------------------------------------------------------


def test_supporter_forms_that_fail_have_the_error_summary(supporter, supporter_client, pairing):
    acknowledge_current(supporter)
    cases = [
        (reverse("peer_sessions:session_new"), {"pairing": pairing.pk}),
        (reverse("care:debrief_new"), {"text": ""}),
        (reverse("care:flag_new", args=[pairing.pk]), {"text": ""}),
        (reverse("supporter_pause"), {"reason": "x" * 501}),
    ]
    for url, data in cases:
        assert_error_page(supporter_client.post(url, data))


def test_a_decline_note_too_long_is_shown_on_the_offer_not_in_a_flash(supporter, supporter_client):
    acknowledge_current(supporter)
    now = timezone.now()
    offer = PairingFactory(
        request=SupportRequestFactory(),
        supporter=supporter,
        state="offered",
        activated_at=None,
        offered_at=now,
        offer_expires_at=now + timedelta(days=1),
    )
    response = supporter_client.post(
        reverse("matching:offer_decline", args=[offer.pk]), {"note": "x" * 501}
    )
    assert response.status_code == 400
    page = assert_error_page(response)
    assert [target for target, _text in page.summary_links] == ["id_note"]
    offer.refresh_from_db()
    assert offer.state == "offered"


# -- a coordinator ---------------------------------------------------------------------------


def test_coordinator_forms_that_fail_have_the_error_summary(coordinator, coordinator_client, db):
    applicant = SupporterFactory(profile__status=SupporterStatus.APPLIED)
    document = AgreementDocument.objects.get(slug="ethics")
    cases = [
        (reverse("team:coordinator_new"), {"email": "not an address"}),
        (reverse("team:application", args=[applicant.supporter_profile.pk]), {"reason": ""}),
        (reverse("team:vocabulary_new", args=["areas"]), {"name": ""}),
        (reverse("team:draft", args=[document.pk]), {"action": "save"}),
    ]
    for url, data in cases:
        assert_error_page(coordinator_client.post(url, data))


def test_ending_a_pairing_without_a_reason_links_to_the_end_form(coordinator_client, pairing):
    response = coordinator_client.post(
        reverse("team:pairing", args=[pairing.pk]), {"action": "end", "end-reason": ""}
    )
    page = assert_error_page(response)
    assert all(target.startswith("id_end-") for target, _text in page.summary_links)


@pytest.mark.parametrize("message", ["Tick the box to confirm."])
def test_the_summary_says_a_message_once_and_the_field_once(message, survivor, pairing):
    """A form error is said twice on the page (summary, field), and the page has no flash."""
    acknowledge_current(survivor)
    client = _client(survivor)
    response = client.post(reverse("care:block", args=[pairing.pk]), {"confirm": ""})
    body = response.content.decode()
    assert_error_page(response, message)
    assert body.count(message) == 2
    assert not re.search(r'class="alert alert-danger" role="status"', body)
