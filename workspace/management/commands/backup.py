"""Back up the whole record: `manage.py backup [--output FILE] [--format custom|json]`.

custom (default): ``pg_dump --format=custom`` of the PostgreSQL database, every
table (history, users, the import log) included; restore it with
``manage.py restore FILE``. json: the app's own export, every record with its
history as Django fixtures (``dumpdata``, keeping every primary key), readable without
PostgreSQL and loadable into any empty, migrated database.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ._pg import EXPORT_EXCLUDES, pg_environment


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format) or export every record as JSON."

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=["custom", "json"],
            default="custom",
            help="custom: pg_dump -Fc (default); json: the app's own export (dumpdata).",
        )
        parser.add_argument(
            "--output",
            help="File to write (default: var/backups/sistercities-<time>.dump or .json.gz).",
        )

    def handle(self, *args, format: str, output: str | None, **options):
        path = Path(output) if output else self.default_path(format)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A backup holds every internal brief and account: readable by its owner only.
        path.touch(mode=0o600, exist_ok=True)
        os.chmod(path, 0o600)
        if format == "custom":
            self.pg_dump(path)
        else:
            call_command(
                "dumpdata",
                exclude=EXPORT_EXCLUDES,
                natural_foreign=True,
                indent=None,
                output=str(path),
                verbosity=0,
            )
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path} ({size:,} bytes)."))
        return None

    def default_path(self, format: str) -> Path:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        suffix = ".dump" if format == "custom" else ".json.gz"
        return Path(settings.BASE_DIR) / "var" / "backups" / f"sistercities-{stamp}{suffix}"

    def pg_dump(self, path: Path) -> None:
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", path]
        result = subprocess.run(command, env=pg_environment(), capture_output=True, text=True)
        if result.returncode != 0:
            path.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
