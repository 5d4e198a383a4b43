"""Small helpers shared by tests."""

from ethics.agreements.selectors import outstanding_agreements
from ethics.agreements.services import agreement_acknowledge


def acknowledge_current(*users) -> None:
    """Each user acknowledges every current agreement version for their role."""
    for user in users:
        for version in outstanding_agreements(user):
            agreement_acknowledge(user=user, version_id=version.pk)


def race(functions, *, timeout: float = 60) -> list[str]:
    """Run `functions` in threads released at the same instant, each on its own database
    connection. Returns one outcome per function, in order: "ok" if it succeeded, else the
    refusal's (ValidationError's) first message.

    Anything else is a failure of the test, never a refusal: a thread that raised another
    exception, or that did not finish within `timeout` seconds, fails here with what happened,
    so a race whose threads crashed can never pass for one whose threads were refused."""
    import threading
    import traceback

    from django.core.exceptions import ValidationError
    from django.db import connection

    barrier = threading.Barrier(len(functions))
    outcomes: list[str | None] = [None] * len(functions)
    crashes: list[str] = []

    def run(index, fn):
        try:
            barrier.wait()
            fn()
            outcomes[index] = "ok"
        except ValidationError as error:
            outcomes[index] = error.messages[0] if error.messages else "refused"
        except BaseException:  # noqa: BLE001 - every other exception is recorded, then fails
            outcomes[index] = "crashed"
            crashes.append(f"function {index}:\n{traceback.format_exc()}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, fn)) for index, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    hung = [index for index, thread in enumerate(threads) if thread.is_alive()]
    assert not crashes, "race(): a function raised something other than a refusal:\n" + (
        "\n".join(crashes)
    )
    assert not hung, f"race(): functions {hung} did not finish within {timeout} seconds"
    assert all(outcome is not None for outcome in outcomes), outcomes
    assert len(outcomes) == len(functions)
    return outcomes  # type: ignore[return-value]
