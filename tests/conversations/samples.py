"""Sample objects for the safety-frame walk (tests/platform) over the conversation routes:
the walk's survivor and supporter are paired here, with a message each way, an open safety
flag and a reported message, so every conversation page renders for someone."""

from __future__ import annotations

from ethics.care.models import SafetyFlag
from peersupport.conversations.services import message_report, message_send
from tests.factories import PairingFactory, SurvivorFactory

# Answer a POST only: they redirect back to the conversation.
CONVERSATIONS_POST_ONLY = {"conversations:remove": "POST only: back to the conversation"}


def conversations_samples(*, survivor, supporter) -> dict[str, dict[str, int]]:
    pairing = PairingFactory(request__survivor=SurvivorFactory(), supporter=supporter)
    theirs = message_send(user=pairing.survivor, pairing_id=pairing.pk, text="hello")
    mine = message_send(user=supporter, pairing_id=pairing.pk, text="hello back")
    report = message_report(
        user=supporter, pairing_id=pairing.pk, message_id=theirs.pk, category="other"
    )
    flag = SafetyFlag.objects.create(
        pairing=pairing, raised_by=supporter, category="self", text="sample"
    )
    return {
        "conversations:conversation": {"pk": pairing.pk},
        "conversations:remove": {"pk": pairing.pk, "message_pk": mine.pk},
        "conversations:report": {"pk": pairing.pk, "message_pk": theirs.pk},
        "conversations:read_flag": {"pk": flag.pk},
        "conversations:read_report": {"pk": report.concern_id},
    }
