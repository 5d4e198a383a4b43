from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    """The pair's conversation: messages, live delivery over Channels, reports."""

    name = "peersupport.conversations"
    label = "conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        # Imports inside ready(): models and signals are loaded once the registry is.
        from django.db.models.signals import post_delete, post_save

        from matching.models import Pairing

        from . import receivers

        # Matching never imports this app: a pairing that leaves "active" (pause, block, end,
        # reassignment) or goes with an account is seen here, and its open pages are closed.
        post_save.connect(
            receivers.pairing_saved, sender=Pairing, dispatch_uid="conversations.pairing_saved"
        )
        post_delete.connect(
            receivers.pairing_deleted, sender=Pairing, dispatch_uid="conversations.pairing_gone"
        )
