"""Import agreements from a spreadsheet: all rows or none, with a summary or the row errors."""

from pathlib import Path
from typing import Any, override

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sheets.importing import run_import
from sheets.models import ImportLog


class Command(BaseCommand):
    help = (
        "Import agreements from an .xlsx, .xls, .ods or .csv sheet (the columns of the "
        "agreement template). Exits with status 1 if any row has an error; nothing is "
        "imported then."
    )

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the sheet and report; write nothing."
        )
        parser.add_argument("--user", help="Username recorded in the history and the import log.")

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        file: Path = options["file"]
        dry_run: bool = options["dry_run"]
        user: str | None = options["user"]
        account = None
        if user:
            try:
                account = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist as missing:
                raise CommandError(f"No user called {user!r}.") from missing
        try:
            data = file.read_bytes()
        except OSError as unreadable:
            raise CommandError(f"Cannot read {file}: {unreadable}") from unreadable
        outcome = run_import(
            sheet=ImportLog.Sheet.AGREEMENTS,
            file_name=file.name,
            data=data,
            user=account,
            dry_run=dry_run,
        )
        for error in outcome.errors:
            self.stderr.write(error)
        for row in outcome.error_rows:
            for column, message in row.errors:
                where = f"row {row.number}" + (f", column {column}" if column else "")
                self.stderr.write(f"{where}: {message}")
        if not outcome.ok:
            raise CommandError(f"Nothing imported. {outcome.summary()}.", returncode=1)
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(f"{verb} {file.name}: {outcome.summary()}.")
