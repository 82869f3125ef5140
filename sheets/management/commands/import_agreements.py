"""Import agreements from a spreadsheet: all rows or none, with the preview the web shows."""

from pathlib import Path
from typing import Any, override

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext

from common.commands import PrintableCommand
from sheets.dates import AS_STORED, SWAPPED
from sheets.importing import ImportOptions, run_import
from sheets.models import ImportLog, SavedMapping
from sheets.preview_text import preview_lines


def _field_header(text: str) -> tuple[str, str]:
    field, sep, header = text.partition("=")
    if not sep or not field.strip() or not header.strip():
        message = f'{text!r}: write FIELD="Header"'
        raise ValueError(message)
    return field.strip(), header.strip().strip('"')


def _column_value(text: str) -> tuple[str, str, str]:
    """``kind:"Thỏa thuận khung"=cooperation`` → (column, value, code)."""
    column, sep, rest = text.partition(":")
    value, sep2, code = rest.rpartition("=")
    if not (sep and sep2 and column.strip() and value.strip() and code.strip()):
        message = f'{text!r}: write COLUMN:"value"=CODE'
        raise ValueError(message)
    return column.strip(), value.strip().strip('"'), code.strip()


def _date_reading(text: str) -> tuple[str, str]:
    """``as-stored`` → ("", reading: every ambiguous column); ``signed_on=as-stored`` →
    (column, reading); the column by its name or its header as written."""
    column, sep, reading = text.rpartition("=")
    if (sep and not column.strip()) or reading.strip() not in (AS_STORED, SWAPPED):
        message = gettext(
            "%(text)r: write --date-cells [COLUMN=]%(as_stored)s or [COLUMN=]%(swapped)s."
        ) % {"text": text, "as_stored": AS_STORED, "swapped": SWAPPED}
        raise ValueError(message)
    return column.strip().strip('"'), reading.strip()


class Command(PrintableCommand):
    help = (
        "Import agreements from an .xlsx, .xls, .ods or .csv sheet. The header row is found "
        "among the first 20 rows; columns are matched by their English or Vietnamese names. "
        "Exits with status 1 if the import would be refused; nothing is imported then."
    )

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--sheet",
            choices=ImportLog.Sheet.values,
            default=ImportLog.Sheet.AGREEMENTS,
            help="Which records the sheet holds (default: agreements).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the preview; write nothing."
        )
        parser.add_argument("--user", help="Username recorded in the history and the import log.")
        parser.add_argument("--header-row", type=int, help="The header's row number (from 1).")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar='FIELD="Header"',
            help="Read FIELD (e.g. reference) from the column headed “Header”. Repeatable.",
        )
        parser.add_argument(
            "--value",
            action="append",
            default=[],
            metavar='COLUMN:"value"=CODE',
            help='Read a value of a choice column as CODE (e.g. kind:"Thỏa thuận khung"=cooperation).',
        )
        parser.add_argument(
            "--mapping", help="Use the column mapping saved under this name (web preview)."
        )
        parser.add_argument(
            "--date-cells",
            action="append",
            default=[],
            metavar=f"[COLUMN=]{AS_STORED}|{SWAPPED}",
            help="How to read the date cells of a column (e.g. signed_on=as-stored, or "
            "“Ngày ký=day-month-swapped”) that may have been read month-first; without "
            "COLUMN, of every such column. Repeatable.",
        )
        parser.add_argument(
            "--blank",
            choices=("keep", "clear"),
            default="keep",
            help="On update, a blank cell keeps the stored value (keep) or clears it (clear).",
        )
        parser.add_argument("--home-city", default="", help="Home city of rows naming none.")
        parser.add_argument(
            "--create-cities",
            action="store_true",
            help="Create the partner cities found neither stored nor in the gazetteer.",
        )
        parser.add_argument(
            "--lang",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the preview and the messages.",
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        file: Path = options["file"]
        dry_run: bool = options["dry_run"]
        account = self._account(options["user"])
        mapping, ignore, values = self._saved(options["sheet"], options["mapping"])
        try:
            mapping.update(_field_header(text) for text in options["map"])
            for column, value, code in map(_column_value, options["value"]):
                values.setdefault(column, {})[value] = code
            readings = dict(map(_date_reading, options["date_cells"]))
        except ValueError as wrong:
            raise CommandError(str(wrong)) from wrong
        try:
            data = file.read_bytes()
        except OSError as unreadable:
            raise CommandError(
                gettext("Cannot read %(file)s: %(error)s") % {"file": file, "error": unreadable}
            ) from unreadable
        outcome = run_import(
            sheet=options["sheet"],
            file_name=file.name,
            data=data,
            user=account,
            dry_run=dry_run,
            options=ImportOptions(
                header_row=options["header_row"],
                mapping=mapping,
                ignore=ignore,
                values=values,
                date_cells=readings.pop("", ""),
                date_readings=readings,
                blank=options["blank"],
                home_city=options["home_city"],
                create_cities=options["create_cities"],
            ),
        )
        out = self.stdout if outcome.ok else self.stderr
        for line in preview_lines(outcome):
            out.write(line)
        if not outcome.ok:
            raise CommandError(
                gettext("Nothing imported. %(summary)s.") % {"summary": outcome.summary()},
                returncode=1,
            )
        done = (
            gettext("Would import %(name)s: %(summary)s.")
            if dry_run
            else gettext("Imported %(name)s: %(summary)s.")
        )
        self.stdout.write(done % {"name": file.name, "summary": outcome.summary()})

    @staticmethod
    def _saved(
        sheet: str, name: str | None
    ) -> tuple[dict[str, str], tuple[str, ...], dict[str, dict[str, str]]]:
        """The columns, left-out headers and values of the mapping saved as ``name``."""
        if not name:
            return {}, (), {}
        saved = SavedMapping.objects.filter(sheet=sheet, name=name).first()
        if saved is None:
            known = SavedMapping.objects.filter(sheet=sheet)
            raise CommandError(
                gettext("No column mapping is saved as %(name)r (saved: %(known)s).")
                % {"name": name, "known": ", ".join(m.name for m in known) or "—"}
            )
        return dict(saved.columns), tuple(saved.ignored), dict(saved.values)

    @staticmethod
    def _account(user: str | None) -> Any:
        if not user:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(user)
        except get_user_model().DoesNotExist as missing:
            raise CommandError(gettext("No user called %(name)r.") % {"name": user}) from missing
