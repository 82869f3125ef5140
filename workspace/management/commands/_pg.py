"""Shared by the backup and restore commands: how to reach PostgreSQL's own tools."""

from __future__ import annotations

import os

from django.core.management.base import CommandError
from django.db import connections

# What the app's own export leaves out: rebuilt by migrate (content types,
# permissions), or short-lived (sessions, login-throttling counters).
EXPORT_EXCLUDES = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "workspace.DataVersion",  # the caches' bookkeeping (workspace/freshness.py), not the record
    # Counted from the record by triggers as it is loaded (workspace.models.ActivityCount).
    "workspace.ActivityCount",
    "workspace.CityActivityCount",  # and what the triggers derive from them
    "workspace.ActivityWindow",
    # Background jobs and their task queue: passing work, whose result files are not in
    # the export; a restored queue would run old jobs again.
    "jobs",
    "django_tasks_database",  # django-tasks-db's app label
]


def pg_environment(alias: str = "default") -> dict[str, str]:
    """libpq's environment for the database, so no password shows in `ps`."""
    db = connections[alias].settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError(
            "pg_dump/pg_restore need PostgreSQL; on another database use --format json."
        )
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def is_json(path: str) -> bool:
    return path.endswith((".json", ".json.gz", ".json.bz2", ".json.xz"))
