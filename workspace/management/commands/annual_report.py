"""``manage.py annual_report YEAR -o report.pdf|report.docx [--lang vi|en]``: the year's
report on the sister-city relations (workspace/annual_report.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from common.commands import PrintableCommand
from workspace.annual_report import build_pdf, build_word


class Command(PrintableCommand):
    help = "Write the annual report of a year as PDF or Word (by the output's extension)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", required=True, help="report.pdf or report.docx")
        parser.add_argument("--lang", choices=["vi", "en"], default="vi")

    def handle(self, *_args: Any, **options: Any) -> None:
        output = Path(options["output"])
        suffix = output.suffix.lower()
        if suffix not in {".pdf", ".docx"}:
            raise CommandError("The output must end in .pdf or .docx.")
        build = build_pdf if suffix == ".pdf" else build_word
        output.write_bytes(build(options["year"], options["lang"]))
        self.stdout.write(f"Written {output}.")
