"""A database made by the code before the layers (care records in the `ethics` app) migrates
forward with nothing lost: the care tables are handed to the `care` app in the model state
only, and their rows read the same afterwards."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ethics.care.models import Concern
from tests.factories import PairingFactory

BEFORE = [("ethics", "0002_load_agreements"), ("care", None)]


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def _latest(executor: MigrationExecutor) -> list[tuple[str, str]]:
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_care_app_migrates_forward(seed_data):
    pairing = PairingFactory()
    concern = Concern.objects.create(
        pairing=pairing, raised_by=pairing.survivor, category="boundary", text="kept as written"
    )
    executor = _executor()
    latest = _latest(executor)
    try:
        # Back to the schema the earlier code had: the care records are `ethics` models.
        executor.migrate(BEFORE)
        executor = _executor()
        old_apps = executor.loader.project_state([BEFORE[0]]).apps
        with pytest.raises(LookupError):
            old_apps.get_model("care", "Concern")
        old_concern = old_apps.get_model("ethics", "Concern").objects.get(pk=concern.pk)
        assert old_concern.pairing_id == pairing.pk
        applied = executor.loader.applied_migrations
        assert ("ethics", "0003_care_moves_out") not in applied
        assert ("care", "0001_initial") not in applied

        # Forward again, as `manage.py migrate` does on a database from before.
        executor.migrate(latest)
    finally:
        _executor().migrate(latest)
    applied = _executor().loader.applied_migrations
    assert ("care", "0001_initial") in applied
    moved = Concern.objects.get(pk=concern.pk)
    assert moved.text == "kept as written"
    assert moved.pairing_id == pairing.pk
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "ethics_concern" in tables
    assert "care_concern" not in tables
