"""Sample objects for the safety-frame walk (tests/platform) over the coordinators' routes."""

from __future__ import annotations

from tests.factories import PairingFactory

# Routes without an HTML page of their own.
WORKSPACE_NO_PAGE = {
    "team:supporter_action": "POST only",
    "team:health_csv": "a CSV download",
}


def workspace_samples(*, survivor, supporter) -> dict[str, dict[str, int]]:
    # A live pairing of the walk's supporter with someone else: the coordinator's pairing page.
    pairing = PairingFactory(supporter=supporter)
    return {
        "team:pairing": {"pk": pairing.pk},
        "team:supporter_action": {"pk": supporter.supporter_profile.pk},
    }
