"""The agreements as data: version 1 is the organisation's text, item by item; published
versions never change; coordinators draft and publish new ones."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from ethics.agreements import selectors as agreements_selectors
from ethics.agreements import services as agreements_services
from ethics.agreements.models import (
    AgreementDocument,
    AgreementItem,
    AgreementVersion,
    PublishedVersionError,
)
from peersupport.people.models import AuditEvent
from tests.helpers import publish_new_version

pytestmark = pytest.mark.django_db

# A verbatim copy of the organisation's text is kept in the repository; the original lives
# beside it (../shared/seed) where the checkout has it.
SEED = Path(settings.BASE_DIR) / "ethics/agreements/data/seed.txt"
SHARED_SEED = (
    Path(settings.BASE_DIR).parent / "shared/seed/peer-support-expectations-and-ethics.txt"
)
HEADINGS = {
    "survivor-expectations": "WHAT TO EXPECT FROM PEER SUPPORT",
    "supporter-expectations": "WHAT TO EXPECT AS A PEER SUPPORTER",
    "ethics": "PEER SUPPORT ETHICS",
}


def _seed_sections() -> dict[str, tuple[list[str], list[str]]]:
    """Each list in the seed: (introduction paragraphs, bullet items), read straight from it."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    starts = sorted((lines.index(heading), slug) for slug, heading in HEADINGS.items())
    sections = {}
    for n, (start, slug) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        intro, items = [], []
        for line in lines[start + 1 : end]:
            text = line.strip()
            if text.startswith("•"):
                items.append(text.lstrip("•").strip())
            elif text and not items:
                intro.append(text)
        sections[slug] = (intro, items)
    return sections


def test_the_seed_kept_in_the_repository_is_the_organisations_text_byte_for_byte():
    copy = SEED.read_bytes()
    assert b"PEER SUPPORT ETHICS" in copy
    if SHARED_SEED.exists():
        assert copy == SHARED_SEED.read_bytes()


def test_data_migration_loads_all_34_items_exactly_as_the_seed_has_them():
    sections = _seed_sections()
    assert [len(items) for _intro, items in sections.values()] == [12, 12, 10]
    total = 0
    for slug, (intro, items) in sections.items():
        version = AgreementVersion.objects.get(document__slug=slug, number=1)
        assert version.is_published
        loaded = list(version.items.order_by("number").values_list("number", "text"))
        assert loaded == list(enumerate(items, start=1)), slug
        assert version.introduction_paragraphs() == intro, slug
        total += len(loaded)
    assert total == 34
    assert AgreementItem.objects.count() == 34


def test_each_document_is_for_the_right_people():
    audiences = dict(AgreementDocument.objects.values_list("slug", "audience"))
    assert audiences == {
        "survivor-expectations": "survivor",
        "supporter-expectations": "supporter",
        "ethics": "both",
    }


def test_publishing_creates_a_new_immutable_current_version(coordinator):
    before = agreements_selectors.current_versions().get(document__slug="ethics")
    new_items = ["Do nothing to harm the person.", "Keep what they share confidential."]
    version = publish_new_version(coordinator, "ethics", items=new_items, summary="Shorter.")
    assert version.number == before.number + 1
    assert version.published_by == coordinator and version.published_at is not None
    assert agreements_selectors.current_versions().get(document__slug="ethics") == version
    assert list(version.items.values_list("text", flat=True)) == new_items
    assert AuditEvent.objects.filter(action="agreement.published", target_id=version.pk).exists()

    # Nothing can change it any more: the model, its items and the services all refuse.
    version.introduction = "Something else"
    with pytest.raises(PublishedVersionError):
        version.save()
    with pytest.raises(PublishedVersionError):
        version.items.first().save()
    with pytest.raises(PublishedVersionError):
        version.items.first().delete()
    with pytest.raises(PublishedVersionError):
        AgreementItem(version=version, number=9, text="added later").save()
    with pytest.raises(PublishedVersionError):
        agreements_services.agreement_publish(version_id=version.pk, actor=coordinator)
    with pytest.raises(PublishedVersionError):
        agreements_services.agreement_draft_discard(version_id=version.pk, actor=coordinator)
    version.refresh_from_db()
    assert version.introduction == before.introduction
    assert list(version.items.values_list("text", flat=True)) == new_items
    # The old version is kept as it was.
    assert before.items.count() == 10


def test_published_versions_and_their_items_cannot_be_changed_in_bulk(coordinator):
    version = agreements_selectors.current_versions().get(document__slug="ethics")
    texts = list(version.items.values_list("text", flat=True))
    refused = [
        lambda: AgreementVersion.objects.filter(pk=version.pk).update(introduction="x"),
        lambda: AgreementVersion.objects.filter(pk=version.pk).delete(),
        lambda: AgreementVersion.objects.all().update(summary="x"),
        lambda: version.items.update(text="changed"),
        lambda: version.items.all().delete(),
        lambda: AgreementItem.objects.filter(number=1).update(text="changed"),
        lambda: AgreementItem.objects.bulk_update(
            [AgreementItem(pk=version.items.first().pk, version=version, number=1, text="y")],
            ["text"],
        ),
    ]
    for attempt in refused:
        with pytest.raises(PublishedVersionError):
            attempt()
    version.refresh_from_db()
    assert list(version.items.values_list("text", flat=True)) == texts
    assert AgreementItem.objects.count() == 34

    # A draft can still be worked on in bulk, and discarded.
    document = AgreementDocument.objects.get(slug="ethics")
    draft = agreements_services.agreement_draft_save(
        document_id=document.pk,
        actor=coordinator,
        introduction=version.introduction,
        items=["One.", "Two."],
        summary="Draft.",
    )
    assert draft.items.update(text="Same.") == 2
    agreements_services.agreement_draft_discard(version_id=draft.pk, actor=coordinator)
    assert not AgreementVersion.objects.filter(pk=draft.pk).exists()


def test_a_draft_is_not_current_until_published(coordinator):
    document = AgreementDocument.objects.get(slug="ethics")
    draft = agreements_services.agreement_draft_save(
        document_id=document.pk,
        actor=coordinator,
        introduction="Intro",
        items=["One"],
        summary="Trying",
    )
    assert draft.number == 2 and not draft.is_published
    assert agreements_selectors.current_versions().get(document=document).number == 1
    # Saving again edits the same draft rather than making another.
    again = agreements_services.agreement_draft_save(
        document_id=document.pk, actor=coordinator, introduction="Intro", items=["Two"], summary="x"
    )
    assert again.pk == draft.pk
    assert list(again.items.values_list("text", flat=True)) == ["Two"]


def test_publishing_needs_a_summary_of_what_changed(coordinator):
    document = AgreementDocument.objects.get(slug="ethics")
    draft = agreements_services.agreement_draft_save(
        document_id=document.pk, actor=coordinator, introduction="Intro", items=["One"], summary=""
    )
    with pytest.raises(ValidationError) as error:
        agreements_services.agreement_publish(version_id=draft.pk, actor=coordinator)
    assert "summary" in error.value.message_dict
    draft.refresh_from_db()
    assert not draft.is_published


def test_only_coordinators_draft_or_publish(supporter, survivor, supporter_client):
    document = AgreementDocument.objects.get(slug="ethics")
    for person in (supporter, survivor):
        with pytest.raises(ValidationError):
            agreements_services.agreement_draft_save(
                document_id=document.pk, actor=person, introduction="x", items=["y"], summary="z"
            )
    assert supporter_client.get(reverse("team:agreements")).status_code == 404
    assert supporter_client.get(reverse("team:draft", args=[document.pk])).status_code == 404


def test_coordinator_drafts_and_publishes_through_the_pages(coordinator_client):
    document = AgreementDocument.objects.get(slug="supporter-expectations")
    response = coordinator_client.post(
        reverse("team:draft", args=[document.pk]),
        {
            "introduction": "As a peer supporter I will endeavor to:",
            "items": "Listen first.\n\n  Keep my commitments.  \n",
            "summary": "Two items, said simply.",
        },
    )
    draft = AgreementVersion.objects.drafts().get(document=document)
    assert response.status_code == 302
    assert response["Location"] == reverse("team:publish", args=[draft.pk])
    assert list(draft.items.values_list("text", flat=True)) == [
        "Listen first.",
        "Keep my commitments.",
    ]
    response = coordinator_client.post(reverse("team:publish", args=[draft.pk]), {"confirm": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    # The text is shown with its number and date.
    page = coordinator_client.get(reverse("team:version", args=[draft.pk])).content.decode()
    assert "Version 2, published" in page
    assert "Keep my commitments." in page


def test_empty_or_oversized_draft_fields_are_field_errors(coordinator_client):
    document = AgreementDocument.objects.get(slug="ethics")
    response = coordinator_client.post(
        reverse("team:draft", args=[document.pk]),
        {"introduction": "   ", "items": "\n\n", "summary": "x" * 4001},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"introduction", "items", "summary"}
    assert not AgreementVersion.objects.drafts().exists()


def test_drafts_are_for_coordinators_only(survivor_client, coordinator):
    document = AgreementDocument.objects.get(slug="ethics")
    draft = agreements_services.agreement_draft_save(
        document_id=document.pk, actor=coordinator, introduction="x", items=["y"], summary="z"
    )
    assert survivor_client.get(reverse("agreements:version", args=[draft.pk])).status_code == 404
    published = agreements_selectors.current_versions().get(document=document)
    assert (
        survivor_client.get(reverse("agreements:version", args=[published.pk])).status_code == 200
    )
