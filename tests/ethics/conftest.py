"""Helpers for the agreements tests: acknowledge everything, publish a new version."""

import pytest

from ethics.agreements import selectors as agreements_selectors
from ethics.agreements import services as agreements_services
from ethics.agreements.models import AgreementDocument, AgreementVersion
from tests.factories import CoordinatorFactory, PairingFactory


def acknowledge_all(user) -> None:
    for version in agreements_selectors.outstanding_agreements(user):
        agreements_services.agreement_acknowledge(user=user, version_id=version.pk)


def publish_new_version(
    coordinator, slug: str, *, items=None, summary="Reworded item 1."
) -> AgreementVersion:
    document = AgreementDocument.objects.get(slug=slug)
    current = agreements_selectors.current_versions().get(document=document)
    texts = items if items is not None else [i.text for i in current.items.all()]
    draft = agreements_services.agreement_draft_save(
        document_id=document.pk,
        actor=coordinator,
        introduction=current.introduction,
        items=texts,
        summary=summary,
    )
    return agreements_services.agreement_publish(version_id=draft.pk, actor=coordinator)


@pytest.fixture
def other_coordinator(db):
    return CoordinatorFactory(display_name="Robin")


@pytest.fixture
def pairing(survivor, supporter):
    """An active pairing between the survivor and the supporter personas."""
    return PairingFactory(request__survivor=survivor, supporter=supporter)
