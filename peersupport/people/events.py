"""The names of what happens, written once: audit events and in-app notification kinds.

Every audit row's `action` is an `AuditAction` and every notification's `kind` a
`NotificationKind`: `audit_record` and `notify` refuse anything else, so a typo fails at once
instead of writing a name nobody searches for. The values are stored, so never change one;
the labels are the plain words a page shows (`AuditEvent.get_action_display`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    ACCOUNT_ERASE_REFUSED = "account.erase_refused", _("Account deletion refused")
    ACCOUNT_ERASED = "account.erased", _("Account deleted")
    ACCOUNT_EXPORTED = "account.exported", _("Own information downloaded")
    AGREEMENT_ACKNOWLEDGED = "agreement.acknowledged", _("Agreement acknowledged")
    AGREEMENT_DRAFT_CREATED = "agreement.draft_created", _("Agreement draft started")
    AGREEMENT_DRAFT_DISCARDED = "agreement.draft_discarded", _("Agreement draft discarded")
    AGREEMENT_DRAFT_UPDATED = "agreement.draft_updated", _("Agreement draft changed")
    AGREEMENT_PUBLISHED = "agreement.published", _("Agreement version published")
    APPLICATION_VIEWED = "application.viewed", _("Volunteer's application opened")
    AUDIT_CHECKPOINT = "audit.checkpoint", _("Older audit rows removed, chain kept")
    AUDIT_EXPORTED = "audit.exported", _("Audit trail downloaded")
    AUDIT_VIEWED = "audit.viewed", _("Audit trail opened")
    BLOCK_CREATED = "block.created", _("Supporter blocked")
    CHANGE_BLOCKED = "change.blocked", _("Asked for a new supporter after blocking one")
    CHANGE_CHANGE = "change.change", _("Asked for a different supporter")
    CHANGE_DONE = "change.done", _("Request done")
    CHANGE_HANDOVER = "change.handover", _("Supporter asked to hand over")
    CHANGE_OPEN = "change.open", _("Request open again")
    CHANGE_WITHDRAWN = "change.withdrawn", _("Request withdrawn")
    CHECKIN_ANSWERED = "checkin.answered", _("Check-in answered")
    CHECKINS_DUE = "checkins.due", _("Check-ins came due")
    CHECKINS_SCHEDULE_SAVED = "checkins.schedule_saved", _("Check-in times saved")
    CONCERN_RAISED = "concern.raised", _("Concern raised")
    CONCERN_UPDATED = "concern.updated", _("Concern updated")
    CONCERN_VIEWED = "concern.viewed", _("Concern opened")
    CONVERSATION_READ_FLAG = "conversation.read_flag", _("Conversation read for a safety flag")
    CONVERSATION_READ_REPORT = (
        "conversation.read_report",
        _("Conversation read for a reported message"),
    )
    COORDINATOR_CREATED = "coordinator.created", _("Coordinator account created")
    DEBRIEF_CLOSED = "debrief.closed", _("Debrief closed")
    DEBRIEF_MESSAGE = "debrief.message", _("Debrief message sent")
    DEBRIEF_PICKED_UP = "debrief.picked_up", _("Debrief picked up")
    DEBRIEF_REQUESTED = "debrief.requested", _("Debrief asked for")
    DEBRIEF_VOLUNTEER_STOPPED = "debrief.volunteer_stopped", _("Stopped offering debriefs")
    DEBRIEF_VOLUNTEERED = "debrief.volunteered", _("Offered to give debriefs")
    FIGURES_EXPORTED = "figures.exported", _("Figures downloaded")
    FLAG_ACKNOWLEDGED = "flag.acknowledged", _("Safety flag taken on")
    FLAG_CLOSED = "flag.closed", _("Safety flag closed")
    FLAG_NOTE = "flag.note", _("Note added to the safety flag")
    FLAG_RAISED = "flag.raised", _("Safety flag raised")
    FLAG_VIEWED = "flag.viewed", _("Safety flag opened")
    MATCHING_RUN = "matching.run", _("Matching run")
    MESSAGE_REMOVED = "message.removed", _("Message removed")
    MESSAGE_REPORTED = "message.reported", _("Message reported")
    PAIRING_ACTIVE = "pairing.active", _("Pairing started")
    PAIRING_AWAITING_AGREEMENT = (
        "pairing.awaiting_agreement",
        _("Offer accepted, waiting for both to agree"),
    )
    PAIRING_CONTACT_LAPSED = "pairing.contact_lapsed", _("No contact for a while")
    PAIRING_ENDED = "pairing.ended", _("Pairing ended")
    PAIRING_HELD = "pairing.held", _("Pairing paused and the supporter's access removed")
    PAIRING_ENDED_BY_COORDINATOR = (
        "pairing.ended_by_coordinator",
        _("Pairing ended by a coordinator"),
    )
    PAIRING_OFFERED = "pairing.offered", _("Offered to the supporter")
    PAIRING_PAUSED = "pairing.paused", _("Pairing paused")
    PAIRING_PROPOSED = "pairing.proposed", _("Pairing suggested")
    PAIRING_REASSIGNED = "pairing.reassigned", _("Reassigned to another supporter")
    PAIRING_VIEWED = "pairing.viewed", _("Pairing details opened")
    PROFILE_UPDATED = "profile.updated", _("Profile updated")
    REMINDERS_DELIVERED = "reminders.delivered", _("Reminders sent")
    REQUEST_OPENED = "request.opened", _("Request for a supporter sent")
    REQUEST_REOPENED = "request.reopened", _("Request back in the queue")
    REQUEST_UPDATED = "request.updated", _("Request changed")
    REQUEST_VIEWED = "request.viewed", _("Request details opened")
    REQUEST_WITHDRAWN = "request.withdrawn", _("Request withdrawn")
    RETENTION_ACCOUNTS_REMOVED = (
        "retention.accounts_removed",
        _("Accounts deleted after the time they are kept"),
    )
    RETENTION_IDLE_WARNED = "retention.idle_warned", _("Told an unused account will be deleted")
    RETENTION_PAIRING_CLEARED = (
        "retention.pairing_cleared",
        _("An ended pairing's records deleted after the time they are kept"),
    )
    SESSION_CANCELLED = "session.cancelled", _("Session cancelled")
    SESSION_LOGGED = "session.logged", _("Session logged")
    SESSION_NOTES_SAVED = "session.notes_saved", _("Session notes saved")
    SESSION_RESCHEDULE_REQUESTED = "session.reschedule_requested", _("Another time asked for")
    SESSION_UPDATED = "session.updated", _("Session updated")
    SUPPORTER_APPLIED = "supporter.applied", _("Volunteer applied")
    SUPPORTER_APPROVED = "supporter.approved", _("Volunteer approved")
    SUPPORTER_CAPACITY_SET = "supporter.capacity_set", _("Supporter's places changed")
    SUPPORTER_DECLINED = "supporter.declined", _("Volunteer not approved")
    SUPPORTER_PAUSED = "supporter.paused", _("Supporter paused")
    SUPPORTER_PROFILE_UPDATED = "supporter.profile_updated", _("Supporter profile updated")
    SUPPORTER_REINSTATED = "supporter.reinstated", _("Supporter reinstated")
    SUPPORTER_RESUMED = "supporter.resumed", _("Supporter resumed")
    SUPPORTER_RETIRED = "supporter.retired", _("Supporter retired")
    SUPPORTER_SUSPENDED = "supporter.suspended", _("Supporter suspended")
    SURVIVOR_REGISTERED = "survivor.registered", _("Account created")
    VOCABULARY_AREAS_SAVED = "vocabulary.areas.saved", _("Lived-experience areas saved")
    VOCABULARY_CRISIS_SAVED = "vocabulary.crisis.saved", _("Crisis resources saved")
    VOCABULARY_GENDERS_SAVED = "vocabulary.genders.saved", _("Genders saved")
    VOCABULARY_LANGUAGES_SAVED = "vocabulary.languages.saved", _("Languages saved")
    VOCABULARY_MODES_SAVED = "vocabulary.modes.saved", _("Ways to meet saved")


def audit_action_choices() -> list[tuple[str, str]]:
    """AuditEvent.action's choices, as a callable: a migration refers to this function instead
    of copying the list, so adding an action needs no migration."""
    return AuditAction.choices


class NotificationKind(models.TextChoices):
    ACCOUNT_ERASE_WAITING = "account.erase_waiting", _("Account deletion waiting")
    ACCOUNT_IDLE = "account.idle", _("Your account has not been used for a while")
    ACCOUNT_STANDING = "account.standing", _("Your account changed")
    APPLICATION_DECIDED = "application.decided", _("Application decided")
    CHANGE_CHANGE = "change.change", _("A different supporter asked for")
    CHANGE_CLOSED = "change.closed", _("Request closed")
    CHANGE_HANDOVER = "change.handover", _("Hand-over asked for")
    CHECKIN_ANSWERED = "checkin_answered", _("Check-in answered")
    CHECKIN_REMINDER = "checkin_reminder", _("Check-in reminder")
    CHECKIN_SCHEDULE = "checkin_schedule", _("Check-in times changed")
    CONCERN_NEW = "concern.new", _("New concern")
    CONCERN_UPDATED = "concern.updated", _("Concern updated")
    CONTACT_LAPSE = "contact_lapse", _("No contact for a while")
    CONVERSATION_NEW = "conversation.new", _("Something new in a conversation")
    DEBRIEF_MESSAGE = "debrief.message", _("Debrief message")
    DEBRIEF_NEW = "debrief.new", _("New debrief request")
    DEBRIEF_PICKED_UP = "debrief.picked_up", _("Debrief picked up")
    FLAG_NEW = "flag.new", _("New safety flag")
    FLAG_UPDATED = "flag.updated", _("Safety flag updated")
    MATCHING_REVIEW = "matching.review", _("Suggestions to review")
    OFFER_DECLINED = "offer.declined", _("Offer declined")
    OFFER_EXPIRED = "offer.expired", _("Offer expired")
    OFFER_NEW = "offer.new", _("New offer")
    OFFER_WITHDRAWN = "offer.withdrawn", _("Offer withdrawn")
    PAIRING_ACCEPTED = "pairing.accepted", _("Offer accepted")
    PAIRING_ACTIVE = "pairing.active", _("Pairing started")
    PAIRING_BLOCKED = "pairing.blocked", _("Supporter blocked")
    PAIRING_CHANGING = "pairing.changing", _("Pairing changing")
    PAIRING_ENDED = "pairing.ended", _("Pairing ended")
    PAIRING_PAUSED = "pairing.paused", _("Pairing paused")
    PAIRING_RESUMED = "pairing.resumed", _("Pairing resumed")
    SAFEGUARDING_NEW = "safeguarding.new", _("Something needs a coordinator now")
    SESSION_CANCELLED = "session_cancelled", _("Session cancelled")
    SESSION_MOVED = "session_moved", _("Session moved")
    SESSION_PLANNED = "session_planned", _("Session planned")
    SESSION_RESCHEDULE = "session_reschedule", _("Another time asked for")
