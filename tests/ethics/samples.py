"""Sample objects for the safety-frame walk over every route (tests/peersupport).

Each ethics page with an argument gets an object that at least one persona may open. The
pairings are chosen not to change what the walk's survivor sees elsewhere: theirs has ended.
"""

from __future__ import annotations

from django.utils import timezone

from ethics.models import (
    AgreementDocument,
    AgreementVersion,
    ChangeKind,
    ChangeRequest,
    Concern,
    DebriefRequest,
    SafetyFlag,
)
from tests.factories import PairingFactory, SupportRequestFactory


def ethics_samples(*, survivor, supporter) -> dict[str, dict[str, int]]:
    # The walk's supporter supports someone else (concern, flag and handover pages)...
    current = PairingFactory(supporter=supporter)
    # ...and the walk's survivor once had a supporter (the block page), now ended.
    past = PairingFactory(
        request=SupportRequestFactory(survivor=survivor, status="closed"),
        state="ended",
        end_reason="completed",
        ended_at=timezone.now(),
    )
    concern = Concern.objects.create(
        pairing=current, raised_by=supporter, category="boundary", text="sample"
    )
    flag = SafetyFlag.objects.create(
        pairing=current, raised_by=supporter, category="self", text="sample"
    )
    debrief = DebriefRequest.objects.create(requested_by=supporter, text="sample")
    change = ChangeRequest.objects.create(
        pairing=current, kind=ChangeKind.HANDOVER, requested_by=supporter, reason="sample"
    )
    version = AgreementVersion.objects.published().first()
    return {
        "ethics:version": {"pk": version.pk},
        "ethics:publish": {"pk": version.pk},
        "ethics:draft": {"pk": AgreementDocument.objects.first().pk},
        "ethics:concern_new": {"pk": current.pk},
        "ethics:concern": {"pk": concern.pk},
        "ethics:flag_new": {"pk": current.pk},
        "ethics:flag": {"pk": flag.pk},
        "ethics:debrief": {"pk": debrief.pk},
        "ethics:change_new": {"pk": current.pk},
        "ethics:change": {"pk": change.pk},
        "ethics:block": {"pk": past.pk},
    }
