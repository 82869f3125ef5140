"""Restore a backup made by `manage.py backup` into the configured database.

`manage.py restore FILE.dump --yes`: ``pg_restore --clean --if-exists`` in one
transaction; whatever the database held is replaced, and an error leaves it
as it was. `manage.py restore FILE.json.gz --yes`: migrates, then loads the
app's own export in one transaction; the database must hold no records yet.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, override

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from common.commands import PrintableCommand
from workspace import freshness

from ._pg import is_json, pg_environment

DOMAIN_APPS = ("partnerships", "agreements", "delegations")


class Command(PrintableCommand):
    help = "Restore a backup (pg_dump custom format, or the JSON export) into the database."

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="A .dump file from `backup`, or a .json(.gz) export.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm that the database's current content may be replaced.",
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["path"]
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No such backup file: {source}")
        if not options["yes"]:
            raise CommandError(
                "Restoring replaces the database's content. Run again with --yes to confirm."
            )
        if is_json(path):
            self.load_export(source)
        else:
            self.pg_restore(source)
        # The record was replaced wholesale: nothing cached from it may be served again.
        freshness.bump(new_epoch=True)
        self.stdout.write(f"Restored {source}.", self.style.SUCCESS)

    def pg_restore(self, source: Path) -> None:
        env = pg_environment()
        command: list[str | Path] = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            env["PGDATABASE"],
            source,
        ]
        result = subprocess.run(  # noqa: S603 -- a fixed program and options, no shell; the path is the operator's
            command, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")

    def load_export(self, source: Path) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        holding = [
            model._meta.label
            for app in DOMAIN_APPS
            for model in apps.get_app_config(app).get_models()
            if model._default_manager.exists()
        ]
        if holding:
            raise CommandError(
                "The JSON export loads only into a database without records; "
                f"this one has {', '.join(holding)}."
            )
        # The export carries the history rows; loading must not add new ones
        # (simple_history records many-to-many changes even for fixtures).
        with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            # migrate has just created the role groups; the export brings them
            # back with their own primary keys and permissions.
            Group.objects.filter(user__isnull=True).delete()
            call_command("loaddata", str(source), verbosity=0)
