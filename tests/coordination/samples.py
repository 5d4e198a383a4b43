"""Sample objects for the safety-frame walk (tests/platform) over the coordinators' routes."""

from __future__ import annotations

from peersupport.people.models import SupporterStatus
from tests.factories import PairingFactory, SupporterProfileFactory

# Routes without an HTML page of their own.
WORKSPACE_NO_PAGE = {
    "team:supporter_action": "POST only",
    "team:health_csv": "a CSV download",
    "team:pairing_check": "POST only: a GET goes back to the pairing's page",
}


def workspace_samples(*, survivor, supporter) -> dict[str, dict[str, int]]:
    # A live pairing of the walk's supporter with someone else: the coordinator's pairing page.
    pairing = PairingFactory(supporter=supporter)
    # A proposal and an application, for the pages that check before discarding or declining.
    proposal = PairingFactory(state="proposed", activated_at=None, request__status="open")
    applicant = SupporterProfileFactory(status=SupporterStatus.APPLIED)
    return {
        "team:pairing": {"pk": pairing.pk},
        "team:pairing_check": {"pk": pairing.pk},
        "team:pairing_pause": {"pk": pairing.pk},
        "team:pairing_finish": {"pk": pairing.pk},
        "team:proposal_discard": {"pk": proposal.pk},
        "team:application_decline": {"pk": applicant.pk},
        "team:supporter_action": {"pk": supporter.supporter_profile.pk},
        "team:supporter_pause": {"pk": supporter.supporter_profile.pk},
        "team:supporter_suspend": {"pk": supporter.supporter_profile.pk},
        "team:supporter_retire": {"pk": supporter.supporter_profile.pk},
        "team:supporter_reinstate": {
            "pk": SupporterProfileFactory(status=SupporterStatus.SUSPENDED).pk
        },
    }
