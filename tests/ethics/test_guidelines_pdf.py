"""The downloadable guidelines: made from the current published versions, neutrally named."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ethics import selectors
from tests.ethics.conftest import publish_new_version

pytestmark = pytest.mark.django_db

UNSAFE_WORDS = ("abuse", "violence", "rape", "assault", "survivor", "sexual", "trauma", "victim")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _download(client):
    response = client.get(reverse("ethics:guidelines") + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response, PdfReader(io.BytesIO(response.content))


def test_the_pdf_contains_every_item_of_the_current_versions(client, coordinator):
    # A new version with an item of its own, so the PDF must follow the current versions.
    current = selectors.current_versions().get(document__slug="ethics")
    items = [i.text for i in current.items.all()][1:] + ["Rest when I need to; zq-marker."]
    publish_new_version(coordinator, "ethics", items=items, summary="Added rest.")

    _response, pdf = _download(client)
    text = _squash(" ".join(page.extract_text() for page in pdf.pages))
    versions = list(selectors.with_items(selectors.current_versions()))
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


def test_the_download_link_is_on_the_public_page_and_every_acknowledgement_page(
    client, survivor, supporter
):
    link = reverse("ethics:guidelines") + "?format=pdf"
    assert link in client.get(reverse("index")).content.decode()
    assert link in client.get(reverse("ethics:guidelines")).content.decode()
    for person in (survivor, supporter):
        client.force_login(person)
        assert link in client.get(reverse("ethics:acknowledge")).content.decode()
