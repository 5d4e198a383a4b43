"""The downloadable guidelines: made from the current published versions, neutrally named."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ethics.agreements import selectors as agreements_selectors
from tests.helpers import publish_new_version

pytestmark = pytest.mark.django_db

UNSAFE_WORDS = ("abuse", "violence", "rape", "assault", "survivor", "sexual", "trauma", "victim")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _download(client):
    response = client.get(reverse("agreements:guidelines") + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response, PdfReader(io.BytesIO(response.content))


def test_the_pdf_contains_every_item_of_the_current_versions(client, coordinator):
    # A new version with an item of its own, so the PDF must follow the current versions.
    current = agreements_selectors.current_versions().get(document__slug="ethics")
    items = [i.text for i in current.items.all()][1:] + ["Rest when I need to; zq-marker."]
    publish_new_version(coordinator, "ethics", items=items, summary="Added rest.")

    _response, pdf = _download(client)
    text = _squash(" ".join(page.extract_text() for page in pdf.pages))
    versions = list(agreements_selectors.with_items(agreements_selectors.current_versions()))
    assert len(versions) == 3
    for version in versions:
        assert version.document.title in text
        for paragraph in version.introduction_paragraphs():
            assert _squash(paragraph) in text
        for item in version.items.all():
            assert _squash(item.text) in text, item.text
    assert "zq-marker" in text
    # The item that was dropped from the ethics is gone with its version.
    assert _squash(current.items.first().text) not in text
    assert "Version 2, published" in text
    # The limits of confidentiality are part of the guidelines.
    assert "a child is at risk of harm" in text


def test_the_pdf_has_a_neutral_file_name_and_title(client):
    response, pdf = _download(client)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    title = pdf.metadata.title
    assert title == "Guidelines for peer support"
    for word in UNSAFE_WORDS:
        assert word not in disposition.lower()
        assert word not in title.lower()


PUBLIC_URL_NAMES = (
    "index",
    "account_signup",
    "account_login",
    "account_reset_password",
    "supporter_apply",
    "help",
    "take_a_break",
    "agreements:guidelines",
)


def test_the_download_link_is_on_every_public_page(client):
    link = reverse("agreements:guidelines") + "?format=pdf"
    for name in PUBLIC_URL_NAMES:
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200, name
        page = response.content.decode()
        # In the footer, beside the break and help links.
        footer = page[page.index("<footer") : page.index("</footer>")]
        assert link in footer, name
        assert "Download the guidelines" in footer, name
        assert "data-break-link" in footer and "data-crisis-link" in footer, name


def test_the_download_link_is_on_every_acknowledgement_page(
    client, survivor, supporter, coordinator
):
    link = reverse("agreements:guidelines") + "?format=pdf"
    for person in (survivor, supporter, coordinator):
        client.force_login(person)
        page = client.get(reverse("agreements:acknowledge")).content.decode()
        body = page[: page.index("<footer")]
        assert link in body, person.role  # on the page itself, not only in the footer
        for version in agreements_selectors.current_versions_for(person):
            page = client.get(reverse("agreements:version", args=[version.pk])).content.decode()
            assert link in page, (person.role, version.document.slug)
