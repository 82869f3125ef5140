"""Back up the whole record: `manage.py backup [--output FILE] [--format custom|json]`.

custom (default): ``pg_dump --format=custom`` of the PostgreSQL database, every
table (history, users, the import log) included; restore it with
``manage.py restore FILE``. json: the app's own export, every record with its
history as Django fixtures (``dumpdata``, keeping every primary key), readable without
PostgreSQL and loadable into any empty, migrated database.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, override

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from common.commands import PrintableCommand

from ._pg import EXPORT_EXCLUDES, pg_environment


class Command(PrintableCommand):
    help = "Back up the database (pg_dump custom format) or export every record as JSON."

    @override
    def add_arguments(self, parser: CommandParser) -> None:
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

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        output_format: str = options["format"]
        output: str | None = options["output"]
        path = Path(output) if output else self.default_path(output_format)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A backup holds every internal brief and account: readable by its owner only.
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        if output_format == "custom":
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
        self.stdout.write(f"Backup written to {path} ({size:,} bytes).", self.style.SUCCESS)

    def default_path(self, output_format: str) -> Path:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        suffix = ".dump" if output_format == "custom" else ".json.gz"
        return Path(settings.BASE_DIR) / "var" / "backups" / f"sistercities-{stamp}{suffix}"

    def pg_dump(self, path: Path) -> None:
        command: list[str | Path] = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
        command += ["--file", path]
        result = subprocess.run(  # noqa: S603 -- a fixed program and options, no shell; the path is the operator's
            command, env=pg_environment(), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            path.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
