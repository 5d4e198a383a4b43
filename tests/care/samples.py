"""Sample objects for the safety-frame walk over every route (tests/platform/test_safety_frame.py).

Each ethics page with an argument (and the coordinators' page for the same thing, under
team:) gets an object that at least one persona may open. The pairings are chosen not to
change what the walk's survivor sees elsewhere: theirs has ended.
"""

from __future__ import annotations

from django.utils import timezone

from ethics.agreements.models import AgreementDocument, AgreementVersion
from ethics.care.models import ChangeKind, ChangeRequest, Concern, DebriefRequest, SafetyFlag
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
        "agreements:version": {"pk": version.pk},
        "team:version": {"pk": version.pk},
        "team:publish": {"pk": version.pk},
        "team:draft": {"pk": AgreementDocument.objects.first().pk},
        "care:concern_new": {"pk": current.pk},
        "care:concern": {"pk": concern.pk},
        "team:concern": {"pk": concern.pk},
        "care:flag_new": {"pk": current.pk},
        "care:flag": {"pk": flag.pk},
        "team:flag": {"pk": flag.pk},
        "care:debrief": {"pk": debrief.pk},
        "team:debrief": {"pk": debrief.pk},
        "care:change_new": {"pk": current.pk},
        "care:change": {"pk": change.pk},
        "care:change_withdraw": {"pk": change.pk},
        "team:change": {"pk": change.pk},
        "care:block": {"pk": past.pk},
        # Refused (404) for this ended pairing: see URGENT_ROUTE_NOT_WALKED.
        "care:urgent": {"pk": past.pk},
        "care:urgent_next": {"pk": past.pk},
    }


# The walk's survivor is waiting for a supporter, so has no live pairing to use the urgent
# route from; tests/care/test_urgent_route.py checks the safety frame of both pages.
URGENT_ROUTE_NOT_WALKED = {
    "care:urgent": "a survivor's own live pairing only (test_urgent_route checks its frame)",
    "care:urgent_next": "after the urgent route only (test_urgent_route checks its frame)",
}
