"""The export commands, one per sheet (``export_agreements``, ``export_visits``…).

Each writes every record of its sheet with the import's columns, in the technical style
(English column names and codes) or the office style; ``import_*`` reads either back
to no change.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar, override

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from common.commands import PrintableCommand
from sheets.exporting import ExportRefusedError
from sheets.importing import EXPORT_FORMATS, export_bytes
from sheets.office import STYLES, office_bytes
from sheets.registry import resource_for


class ExportCommand(PrintableCommand):
    """Export every record of ``sheet`` (an ``ImportLog.Sheet``) to .csv, .xlsx or .ods."""

    sheet: ClassVar[str]
    records: ClassVar[str]  # what the count on stderr counts ("agreements")

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, help="File to write (default: stdout).")
        parser.add_argument(
            "--format",
            choices=sorted(EXPORT_FORMATS),
            default=None,
            help="The file format (default: the output file's extension, else csv).",
        )
        parser.add_argument(
            "--style",
            choices=STYLES,
            default="technical",
            help="technical: English column names and codes; office: headers and labels in "
            "--lang, date cells, a named sheet and a sheet of allowed values (imports back "
            "unchanged).",
        )
        parser.add_argument(
            "--lang",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of an office-style export (default: the office's).",
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        fmt = options["format"] or (output.suffix.lstrip(".").lower() if output else "csv")
        if fmt not in EXPORT_FORMATS:
            fmt = "csv"
        resource_class = resource_for(self.sheet)
        resource: Any = resource_class()  # each sheet's resource has its export_queryset
        everything = resource_class._meta.model._default_manager.all()
        dataset = resource.export_dataset(resource.export_queryset(everything))
        try:
            if options["style"] == "office":
                data = office_bytes(resource_class, dataset, fmt, options["lang"])
            else:
                data = export_bytes(dataset, fmt)
        except ExportRefusedError as refusal:
            raise CommandError(str(refusal)) from refusal
        if output:
            output.write_bytes(data)
            self.stderr.write(f"{len(dataset)} {self.records} written to {output}.")
        else:
            self._to_standard_output(data, fmt)

    def _to_standard_output(self, data: bytes, fmt: str) -> None:
        """Piped or redirected, the file as it is; on a terminal, text without its controls."""
        if not self.stdout.isatty():
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        if fmt != "csv":
            raise CommandError(
                _("A .%(format)s file cannot be shown in a terminal: write it with -o FILE.")
                % {"format": fmt}
            )
        # A cell's ESC or BEL would be run by the terminal; -o or a pipe keeps them.
        self.stdout.write(data.decode("utf-8-sig"), ending="")
