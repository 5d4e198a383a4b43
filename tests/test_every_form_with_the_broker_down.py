"""With the broker down (a redis-server of the test's own, stopped), every form a person fills
still answers as it should (a redirect, never a 500) and keeps its emails in the outbox; once
the broker is back, each of those emails goes out exactly once.

The flows are those of tests/test_free_text_at_rest.py: every form that takes text, as each
role fills it, through the real views.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail

from peersupport.people import outbox
from peersupport.people.models import OutgoingEmail
from tests.factories import CoordinatorFactory
from tests.people.test_outbox import _broker_at, own_redis, quick_nudges  # noqa: F401 - fixtures
from tests.test_free_text_at_rest import (
    _both_sides_raise_things,
    _coordinator_reassigns_and_ends,
    _live_pairing,
    _sessions_and_check_ins,
    _supporter_applies_and_is_declined,
    _supporter_declines_an_offer,
    _supporters_are_paused,
    _supporters_debrief,
    _survivor_asks_for_a_supporter,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_every_form_answers_with_the_broker_down_and_its_emails_leave_once_it_is_back(
    postgres,
    seed_data,
    own_redis,  # noqa: F811 - the fixture imported above
    quick_nudges,  # noqa: F811 - the fixtures imported above
):
    coordinator = CoordinatorFactory()
    pairing, other = _live_pairing(), _live_pairing()
    with _broker_at(own_redis.url):
        own_redis.stop()
        # Each flow posts its forms and asserts every answer is a redirect (302).
        saved = [
            *_supporter_applies_and_is_declined(coordinator),
            *_supporters_are_paused(coordinator),
            *_survivor_asks_for_a_supporter(),
            *_supporter_declines_an_offer(),
            *_both_sides_raise_things(pairing, coordinator),
            *_sessions_and_check_ins(pairing),
            *_supporters_debrief(pairing.supporter, coordinator),
            *_coordinator_reassigns_and_ends(pairing, other, coordinator),
        ]
        assert len(saved) == 25
        waiting = set(OutgoingEmail.objects.filter(status="pending").values_list("pk", flat=True))
        assert waiting, "the flows notify people: their emails wait in the outbox"
        assert not OutgoingEmail.objects.filter(status="sent").exists()
        own_redis.start()

    mail.outbox.clear()
    first, _ = outbox.outbox_deliver()
    again, _ = outbox.outbox_deliver()
    assert again.claimed == 0
    sent = OutgoingEmail.objects.filter(pk__in=waiting, status="sent").count()
    assert sent == len(waiting)
    # Exactly once: one message per row, none repeated.
    ids = Counter(message.extra_headers.get("Message-ID") for message in mail.outbox)
    assert len(mail.outbox) == len(waiting)
    assert all(count == 1 for count in ids.values())
