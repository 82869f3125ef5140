"""Import agreements from a spreadsheet: all rows or none, with a summary or the row errors."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from agreements.importing import run_import
from agreements.models import ImportLog


class Command(BaseCommand):
    help = (
        "Import agreements from an .xlsx, .xls, .ods or .csv sheet (the columns of the "
        "agreement template). Exits with status 1 if any row has an error; nothing is "
        "imported then."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the sheet and report; write nothing."
        )
        parser.add_argument("--user", help="Username recorded in the history and the import log.")

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, **options):
        account = None
        if user:
            try:
                account = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"No user called {user!r}.") from error
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
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
