"""Queries built once and sent with new ids (platform/prepared.py): the same rows as the
queryset they are built from, for any ids, with the SQL built only on the first call."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from matching.models import Pairing, PairingState
from peersupport.people.models import User
from peersupport.platform.prepared import Prepared
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def _live_pairings_of(supporter_id: int, pk: int):
    return Pairing.objects.filter(
        supporter_id=supporter_id, pk=pk, state__in=[PairingState.ACTIVE, PairingState.PAUSED]
    ).annotate(survivor_name=F("survivor__display_name"))


def test_the_rows_are_the_querysets_for_any_ids(pairing):
    other = SupporterFactory()
    prepared = Prepared(_live_pairings_of)
    for supporter_id, pk in (
        (pairing.supporter_id, pairing.pk),
        (other.pk, pairing.pk),
        (pairing.supporter_id, pairing.pk + 1000),
    ):
        expected = list(_live_pairings_of(supporter_id, pk))
        found = prepared.fetch(supporter_id, pk)
        assert [p.pk for p in found] == [p.pk for p in expected]
    (found,) = prepared.fetch(pairing.supporter_id, pairing.pk)
    # Model instances, each field as the ORM gives it, and the annotation alongside.
    assert found.state == pairing.state and found.created_at == pairing.created_at
    assert found.survivor_name == pairing.survivor.display_name


def test_the_sql_is_built_once(pairing, monkeypatch):
    built = []

    def counting(supporter_id: int, pk: int):
        built.append((supporter_id, pk))
        return _live_pairings_of(supporter_id, pk)

    prepared = Prepared(counting)
    prepared.fetch(pairing.supporter_id, pairing.pk)  # (on PostgreSQL: PREPARE, then EXECUTE)
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert prepared.fetch(pairing.supporter_id, pairing.pk)
        assert len(queries.captured_queries) == 1
        assert str(pairing.supporter_id) in queries.captured_queries[0]["sql"]
    assert len(built) == 1 and all(value < 0 for value in built[0])  # stand-ins, once


def _sent(prepared, *ids) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        prepared.fetch(*ids)
    return [query["sql"].split(" ", 1)[0] for query in queries.captured_queries]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # (to close the connection and open another)
def test_on_postgresql_it_is_planned_once_a_connection_and_outlives_a_rollback(pairing):
    prepared = Prepared(_live_pairings_of)
    ids = (pairing.supporter_id, pairing.pk)
    connection.close()  # (an earlier test may have prepared the same SQL on this connection)
    assert _sent(prepared, *ids) == ["PREPARE", "EXECUTE"]
    assert _sent(prepared, *ids) == ["EXECUTE"]
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert prepared.fetch(*ids)
        raise ZeroDivisionError  # the transaction rolls back
    assert _sent(prepared, *ids) == ["EXECUTE"] and prepared.fetch(*ids)
    # A new connection has no statements: prepared again on it, whoever opens it.
    connection.close()
    assert [p.pk for p in prepared.fetch(*ids)] == [pairing.pk]
    connection.close()
    assert _sent(prepared, *ids) == ["PREPARE", "EXECUTE"]
    # Named after its SQL: the same query is the same statement in every process.
    again = Prepared(_live_pairings_of)
    assert _sent(again, *ids) == ["EXECUTE"]


def test_an_id_no_database_could_hold_is_no_row(pairing):
    prepared = Prepared(_live_pairings_of)
    with CaptureQueriesContext(connection) as queries:
        assert prepared.fetch(pairing.supporter_id, 2**63) == []
        assert prepared.fetch(-(2**64), pairing.pk) == []
    assert not queries.captured_queries


def test_without_prepared_statements_the_sql_is_sent_each_time(pairing, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    prepared = Prepared(_live_pairings_of)
    assert _sent(prepared, pairing.supporter_id, pairing.pk) == ["SELECT"]
    assert [p.pk for p in prepared.fetch(pairing.supporter_id, pairing.pk)] == [pairing.pk]


def test_an_id_the_query_does_not_use_is_refused():
    prepared = Prepared(lambda user_id, unused: User.objects.filter(pk=user_id))
    with pytest.raises(ImproperlyConfigured):
        prepared.fetch(1, 2)
    with pytest.raises(TypeError):
        Prepared(_live_pairings_of).fetch(1)
