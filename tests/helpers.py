"""Small helpers shared by tests."""

from ethics.selectors import outstanding_agreements
from ethics.services import agreement_acknowledge


def acknowledge_current(*users) -> None:
    """Each user acknowledges every current agreement version for their role."""
    for user in users:
        for version in outstanding_agreements(user):
            agreement_acknowledge(user=user, version_id=version.pk)
