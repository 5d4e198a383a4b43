"""Every write in ethics, each in a transaction with its audit row.

Audit rows and notifications carry ids and codes, never what anyone wrote. Locks: the
agreement document row serialises publishing against acknowledging (so nobody agrees to a
version that stopped being current a moment ago); the pairing row is locked when a block
pauses it; the flag, concern, debrief and change-request rows when their state changes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peersupport.people.events import AuditAction
from peersupport.people.models import Role, User
from peersupport.people.services import audit_record

from . import signals
from .models import (
    TEXT_MAX_LENGTH,
    Acknowledgement,
    AgreementDocument,
    AgreementItem,
    AgreementVersion,
    PublishedVersionError,
)

ITEM_MAX_LENGTH = 1000
MAX_ITEMS = 40


def clean_text(value: str | None, *, field: str, required: bool = True) -> str:
    """Stripped text within the limit, or a ValidationError on `field` (never echoing it)."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("Please write something here.")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {field: _("Please keep this under %(max)s characters.") % {"max": TEXT_MAX_LENGTH}}
        )
    return text


def _require_coordinator(user: User) -> None:
    if user.role != Role.COORDINATOR:
        raise ValidationError(_("Only a coordinator can do that."))


# -- agreements -----------------------------------------------------------------------------


def _lock_document(document_id: int) -> AgreementDocument:
    return AgreementDocument.objects.select_for_update().get(pk=document_id)


def _current_version_id(document_id: int) -> int | None:
    return (
        AgreementVersion.objects.published()
        .filter(document_id=document_id)
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )


def _clean_items(items: list[str]) -> list[str]:
    cleaned = [item.strip() for item in items if item.strip()]
    if not cleaned:
        raise ValidationError({"items": _("An agreement needs at least one item.")})
    if len(cleaned) > MAX_ITEMS:
        raise ValidationError(
            {"items": _("Please keep to %(max)s items at most.") % {"max": MAX_ITEMS}}
        )
    if any(len(item) > ITEM_MAX_LENGTH for item in cleaned):
        raise ValidationError(
            {"items": _("Each item must be under %(max)s characters.") % {"max": ITEM_MAX_LENGTH}}
        )
    return cleaned


@transaction.atomic
def agreement_draft_save(
    *, document_id: int, actor: User, introduction: str, items: list[str], summary: str
) -> AgreementVersion:
    """Create or replace the document's draft (the next version number)."""
    _require_coordinator(actor)
    document = _lock_document(document_id)
    introduction = clean_text(introduction, field="introduction")
    summary = clean_text(summary, field="summary", required=False)
    cleaned = _clean_items(items)
    draft = AgreementVersion.objects.drafts().filter(document=document).first()
    if draft is None:
        latest = (
            AgreementVersion.objects.filter(document=document)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        draft = AgreementVersion.objects.create(
            document=document,
            number=(latest or 0) + 1,
            introduction=introduction,
            summary=summary,
            created_by=actor,
        )
        action = AuditAction.AGREEMENT_DRAFT_CREATED
    else:
        draft.introduction = introduction
        draft.summary = summary
        draft.save(update_fields=["introduction", "summary"])
        AgreementItem.objects.filter(version=draft).delete()
        action = AuditAction.AGREEMENT_DRAFT_UPDATED
    AgreementItem.objects.bulk_create(
        AgreementItem(version=draft, number=n, text=text) for n, text in enumerate(cleaned, 1)
    )
    audit_record(actor=actor, action=action, target=draft, document=document.pk, items=len(cleaned))
    return draft


@transaction.atomic
def agreement_draft_discard(*, version_id: int, actor: User) -> None:
    _require_coordinator(actor)
    document_id = AgreementVersion.objects.values_list("document_id", flat=True).get(pk=version_id)
    _lock_document(document_id)
    draft = AgreementVersion.objects.get(pk=version_id)
    if draft.is_published:
        raise PublishedVersionError(_("A published version cannot be changed."))
    audit_record(actor=actor, action=AuditAction.AGREEMENT_DRAFT_DISCARDED, target=draft)
    draft.delete()


@transaction.atomic
def agreement_publish(*, version_id: int, actor: User) -> AgreementVersion:
    """Publish a draft. From now on it is the current version and cannot change; everyone it
    applies to is asked to acknowledge it at their next sign-in."""
    _require_coordinator(actor)
    document_id = AgreementVersion.objects.values_list("document_id", flat=True).get(pk=version_id)
    _lock_document(document_id)
    version = AgreementVersion.objects.select_for_update().get(pk=version_id)
    if version.is_published:
        raise PublishedVersionError(_("This version is already published and cannot change."))
    if not version.summary.strip():
        raise ValidationError({"summary": _("Say what changed, so people know what to read.")})
    if not version.items.exists():
        raise ValidationError({"items": _("An agreement needs at least one item.")})
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["published_at", "published_by"])
    audit_record(
        actor=actor,
        action=AuditAction.AGREEMENT_PUBLISHED,
        target=version,
        document=document_id,
        number=version.number,
    )
    return version


@transaction.atomic
def agreement_acknowledge(*, user: User, version_id: int) -> Acknowledgement:
    """`user` says they have read and agree to this version. Only the current published
    version of a document meant for their role, and only once. Then any pairing waiting for
    both sides' agreement starts (matching listens to `signals.acknowledged`)."""
    version = (
        AgreementVersion.objects.published().select_related("document").filter(pk=version_id)
    ).first()
    if version is None:
        raise ValidationError(_("There is no such agreement to acknowledge."))
    if not version.document.applies_to(user.role):
        raise ValidationError(
            _("This agreement is for people in a different role, so there is nothing to sign.")
        )
    _lock_document(version.document_id)
    if _current_version_id(version.document_id) != version.pk:
        raise ValidationError(
            _(
                "A newer version of this agreement has been published. "
                "Please read the current version and acknowledge that one."
            )
        )
    already = _("You have already acknowledged this version. There is nothing more to do.")
    if Acknowledgement.objects.filter(user=user, version=version).exists():
        raise ValidationError(already)
    try:
        with transaction.atomic():
            acknowledgement = Acknowledgement.objects.create(user=user, version=version)
    except IntegrityError as error:  # the same form sent twice at once
        raise ValidationError(already) from error
    audit_record(
        actor=user,
        action=AuditAction.AGREEMENT_ACKNOWLEDGED,
        target=acknowledgement,
        version=version.pk,
        document=version.document_id,
        number=version.number,
    )
    signals.acknowledged.send(sender=Acknowledgement, user=user)
    return acknowledgement
