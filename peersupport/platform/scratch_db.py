"""A scratch database for the benchmark commands (bench_pages, bench_conversations,
bench_reminders): beside the configured one, created empty and migrated, the connection
pointed at it, and dropped on the way out (unless kept). The configured database is never
touched."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connection


@contextlib.contextmanager
def scratch_database(name: str, *, keep: bool, note: Callable[[str], None]) -> Iterator[str]:
    """`name` is the scratch database's name on PostgreSQL, or its file on SQLite. Yields it."""
    original_name = connection.settings_dict["NAME"]
    test_settings = connection.settings_dict.setdefault("TEST", {})
    old_test_name = test_settings.get("NAME")
    test_settings["NAME"] = name
    try:
        note(f"creating the scratch database {name} ...")
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
        yield name
    finally:
        connection.close()
        if keep:
            note(f"kept the scratch database {name}")
            settings.DATABASES["default"]["NAME"] = original_name
            connection.settings_dict["NAME"] = original_name
        else:
            connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=False)
        test_settings["NAME"] = old_test_name


def database_url(name: str) -> str:
    """The DATABASE_URL of database `name` on the configured server (a server process a
    benchmark starts reads the scratch database through it)."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    db = connection.settings_dict
    credentials = db["USER"] or ""
    if db["PASSWORD"]:
        credentials += f":{db['PASSWORD']}"
    at = f"{credentials}@" if credentials else ""
    return f"postgres://{at}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
