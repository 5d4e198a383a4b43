"""Small helpers shared by tests."""

from ethics.selectors import outstanding_agreements
from ethics.services import agreement_acknowledge


def acknowledge_current(*users) -> None:
    """Each user acknowledges every current agreement version for their role."""
    for user in users:
        for version in outstanding_agreements(user):
            agreement_acknowledge(user=user, version_id=version.pk)


def race(functions) -> list[str]:
    """Run `functions` in threads released at the same instant, each on its own database
    connection. Returns "ok" for each that succeeded, else the refusal's first message."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    barrier = threading.Barrier(len(functions))
    outcomes: list[str] = []

    def run(fn):
        try:
            barrier.wait()
            fn()
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.messages[0] if error.messages else "refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
