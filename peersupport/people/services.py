"""Every write to people goes through here, in a transaction, with its audit row."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm, default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .events import AuditAction, NotificationKind
from .models import (
    AuditEvent,
    Role,
    SupporterProfile,
    SupporterStatus,
    SurvivorProfile,
    User,
)
from .notifications import notify, unread_changed


def audit_record(
    *, actor: User | None, action: AuditAction, target: models.Model | None = None, **data
) -> AuditEvent:
    """Store who did what (or opened what), appended to the audit chain (`audit.append`).
    `data` holds ids, codes and counts only, never free text. An action that is not an
    `AuditAction`, or data that is not an id, count, flag or code, is refused (ValueError)."""
    return audit.append(actor=actor, action=action, target=target, **data)


def slots_to_mask(slots: Iterable[str | int]) -> int:
    mask = 0
    for slot in slots:
        mask |= 1 << int(slot)
    return mask


def mask_to_slots(mask: int) -> list[str]:
    return [str(i) for i in range(21) if mask & (1 << i)]


@transaction.atomic
def survivor_register(*, user: User, display_name: str) -> SurvivorProfile:
    user.display_name = display_name
    user.role = Role.SURVIVOR
    user.save(update_fields=["display_name", "role"])
    profile, _created = SurvivorProfile.objects.get_or_create(user=user)
    audit_record(actor=user, action=AuditAction.SURVIVOR_REGISTERED, target=user)
    return profile


def account_update(
    *, user: User, display_name: str, time_zone: str, email_notifications: bool
) -> User:
    """A person's own account settings. Call inside the caller's transaction."""
    user.display_name = display_name
    user.time_zone = time_zone
    user.email_notifications = email_notifications
    user.save(update_fields=["display_name", "time_zone", "email_notifications"])
    return user


def survivor_profile_update(
    *,
    user: User,
    relationship: str,
    languages,
    meeting_modes,
    areas,
    preferred_gender,
    prefers_survivor_supporter: bool,
    availability: int,
) -> SurvivorProfile:
    """A survivor's own wishes. Call inside the caller's transaction; an account made before
    profiles existed gets its profile here (never on a page view)."""
    profile, _created = SurvivorProfile.objects.select_for_update().get_or_create(user=user)
    profile.relationship = relationship
    profile.preferred_gender = preferred_gender
    profile.prefers_survivor_supporter = prefers_survivor_supporter
    profile.availability = availability
    profile.save(
        update_fields=[
            "relationship",
            "preferred_gender",
            "prefers_survivor_supporter",
            "availability",
            "updated_at",
        ]
    )
    profile.languages.set(languages)
    profile.meeting_modes.set(meeting_modes)
    profile.areas.set(areas)
    return profile


@transaction.atomic
def notifications_mark_read(*, user: User) -> int:
    """Mark every unread in-app notice of `user` read; returns how many."""
    marked = user.notifications.unread().update(read_at=timezone.now())
    unread_changed(user.pk)
    return marked


@transaction.atomic
def supporter_apply(
    *,
    user: User,
    display_name: str,
    relationship: str,
    areas,
    languages,
    meeting_modes,
    gender,
    availability: int,
    capacity: int,
    motivation: str,
) -> SupporterProfile:
    user.display_name = display_name
    user.role = Role.SUPPORTER
    user.save(update_fields=["display_name", "role"])
    profile = SupporterProfile.objects.create(
        user=user,
        relationship=relationship,
        gender=gender,
        availability=availability,
        capacity=capacity,
        motivation=motivation,
        status=SupporterStatus.APPLIED,
    )
    profile.areas.set(areas)
    profile.languages.set(languages)
    profile.meeting_modes.set(meeting_modes)
    audit_record(actor=user, action=AuditAction.SUPPORTER_APPLIED, target=profile)
    return profile


def _lock_supporter(profile_id: int) -> SupporterProfile:
    return SupporterProfile.objects.select_for_update().get(pk=profile_id)


@transaction.atomic
def supporter_decide(
    *, profile_id: int, coordinator: User, approve: bool, reason: str = ""
) -> SupporterProfile:
    """Approve or decline an application. A decline needs a reason the applicant can read."""
    profile = _lock_supporter(profile_id)
    if profile.status != SupporterStatus.APPLIED:
        raise ValidationError(_("This application has already been decided."))
    if not approve and not reason.strip():
        raise ValidationError(_("Give a reason when you decline an application."))
    profile.status = SupporterStatus.APPROVED if approve else SupporterStatus.DECLINED
    profile.decided_by = coordinator
    profile.decided_at = timezone.now()
    profile.decision_reason = reason.strip()
    profile.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(
        actor=coordinator,
        action=AuditAction.SUPPORTER_APPROVED if approve else AuditAction.SUPPORTER_DECLINED,
        target=profile,
    )
    # The same neutral words either way (the reason, a coordinator's own words, stays on the
    # home page, never in a notification or an email).
    notify(
        user=profile.user,
        kind=NotificationKind.APPLICATION_DECIDED,
        text=_("Your application has been reviewed. Open your home page to read more."),
        link=reverse("home"),
    )
    return profile


@transaction.atomic
def coordinator_create(*, email: str, display_name: str, created_by: User | None) -> User:
    """Create a coordinator account with no usable password: they choose their own through
    the link `coordinator_send_link` emails (and the command prints).

    The email address is taken as verified: a coordinator is created by staff, not by a visitor.
    """

    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account with that email address already exists."))
    user = User.objects.create_user(
        email=email, password=None, display_name=display_name, role=Role.COORDINATOR
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    audit_record(actor=created_by, action=AuditAction.COORDINATOR_CREATED, target=user)
    return user


def coordinator_send_link(*, user: User, request=None) -> str:
    """Email `user` allauth's password-reset link (to choose a first password) and return the
    same kind of link, for a command to print. Outside a request, links use the Site's domain
    (kept equal to SITE_URL's)."""

    form = ResetPasswordForm({"email": user.email})
    if form.is_valid():
        form.save(request)
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    return get_adapter().get_reset_password_from_key_url(key)
