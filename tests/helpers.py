"""Small helpers shared by tests."""

import fnmatch

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ethics.agreements.models import AgreementDocument, AgreementVersion
from ethics.agreements.selectors import current_versions, outstanding_agreements
from ethics.agreements.services import (
    agreement_acknowledge,
    agreement_draft_save,
    agreement_publish,
)
from peersupport.people.mail import OUTBOX_BACKEND


def acknowledge_current(*users) -> None:
    """Each user acknowledges every current agreement version for their role."""
    for user in users:
        for version in outstanding_agreements(user):
            agreement_acknowledge(user=user, version_id=version.pk)


def publish_new_version(
    coordinator, slug: str, *, items=None, summary="Reworded item 1."
) -> AgreementVersion:
    """A coordinator publishes the next version of document `slug` (same items unless given)."""
    document = AgreementDocument.objects.get(slug=slug)
    current = current_versions().get(document=document)
    texts = items if items is not None else [i.text for i in current.items.all()]
    draft = agreement_draft_save(
        document_id=document.pk,
        actor=coordinator,
        introduction=current.introduction,
        items=texts,
        summary=summary,
    )
    return agreement_publish(version_id=draft.pk, actor=coordinator)


@pytest.fixture(autouse=True)
def emails_through_the_outbox(settings):
    """Emails go through the outbox as in production. (Django's test set-up replaces
    EMAIL_BACKEND with its test mailbox; the outbox then hands messages to OUTBOX_TRANSPORT,
    the same test mailbox, so `mail.outbox` holds what was delivered.) A folder's conftest
    imports this to turn it on there."""
    settings.EMAIL_BACKEND = OUTBOX_BACKEND


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


def kept_keys(pattern: str = "*") -> list[str]:
    """The keys this run's cache holds (without its prefix) that match `pattern`: on Redis
    (peersupport/platform/cache.py) or in local memory. Tests look through what pages kept."""
    prefix = cache.make_key("")
    if hasattr(cache, "_local"):  # Redis, with its local fallback
        client = cache._cache.get_client()
        found = [key.decode() for key in client.scan_iter(match=f"{prefix}{pattern}")]
    else:  # local memory
        found = [key for key in cache._cache if fnmatch.fnmatchcase(key, f"{prefix}{pattern}")]
    return [key[len(prefix) :] for key in found if key.startswith(prefix)]


def home_page(client) -> tuple[str, list[dict]]:
    """The signed-in person's home (it must answer 200): its HTML and the queries it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), captured.captured_queries


def reads_table(queries, table: str) -> bool:
    """Whether any of `queries` (from CaptureQueriesContext) reads `table`."""
    return any(f'"{table}"' in q["sql"] for q in queries)
