"""A pairing's conversation: its messages, reports of a message, and who has it open.

One conversation per pairing (its primary key is the pairing's, so every address names the
same number), created with the first message. Messages are encrypted at rest and go with the
pairing (the survivor's account deletion deletes them through the cascade). A reported message
is copied into the report, which hangs off the concern it became: like the concern, it is a
safeguarding record and outlives the accounts (it keeps which side wrote it, not who).

Retention (issue 15): messages live as long as their pairing; removed messages keep no text.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ethics.care.models import Concern, RaiserSide
from matching.models import Pairing
from peersupport.people.models import User
from peersupport.platform.crypto import EncryptedTextField


class Conversation(models.Model):
    pairing = models.OneToOneField(
        Pairing, primary_key=True, on_delete=models.CASCADE, related_name="conversation"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"conversation {self.pk}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField(blank=True)  # wiped ("") when removed
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            # The rate limit counts a person's recent messages.
            models.Index(fields=["author", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(text=""), name="removed_message_no_text"
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.pk}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class MessageReport(models.Model):
    """A message either person reported: the concern it became, and the words as they were."""

    concern = models.OneToOneField(
        Concern, on_delete=models.CASCADE, related_name="reported_message"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    text = EncryptedTextField()
    author_side = models.CharField(max_length=20, choices=RaiserSide.choices)
    sent_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"message report {self.pk}"


class Presence(models.Model):
    """A page with the conversation open (one websocket), kept fresh by the page's pings: a
    person with none fresh is away, and may get the discreet email."""

    channel_name = models.CharField(max_length=200, primary_key=True)
    # The pairing, not the conversation: a page can be open before the first message.
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"presence {self.pk}"


class MessageNotice(models.Model):
    """When a person was last emailed about new messages (at most one per
    CONVERSATION_NOTICE_HOURS, whatever the number of conversations or messages)."""

    user = models.OneToOneField(User, primary_key=True, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"message notice {self.pk}"
