"""``manage.py annual_report YEAR -o report.pdf|report.docx [--lang vi|en]``: the year's
report on the sister-city relations (workspace/annual_report.py), with its number, place,
date and signer given as options (or the REPORT_* settings)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from common.commands import PrintableCommand
from workspace.annual_report import Letterhead, build_pdf, build_word


class Command(PrintableCommand):
    help = "Write the annual report of a year as PDF or Word (by the output's extension)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", required=True, help="report.pdf or report.docx")
        parser.add_argument("--lang", choices=["vi", "en"], default="vi")
        parser.add_argument(
            "--number", default="", help='"12/BC-SNV" (default: REPORT_NUMBER, else blank)'
        )
        parser.add_argument("--place", default="", help="the place of issue (default: Hà Nội)")
        parser.add_argument(
            "--date", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: blank)"
        )
        parser.add_argument("--signer-title", default="", help='"GIÁM ĐỐC" (REPORT_SIGNER_TITLE)')
        parser.add_argument("--signer-name", default="", help="(REPORT_SIGNER_NAME)")

    def handle(self, *_args: Any, **options: Any) -> None:
        output = Path(options["output"])
        suffix = output.suffix.lower()
        if suffix not in {".pdf", ".docx"}:
            raise CommandError("The output must end in .pdf or .docx.")
        letterhead = Letterhead(
            number=options["number"],
            signer_title=options["signer_title"],
            signer_name=options["signer_name"],
            place=options["place"],
            day=options["date"],
        )
        build = build_pdf if suffix == ".pdf" else build_word
        output.write_bytes(build(options["year"], options["lang"], letterhead))
        self.stdout.write(f"Written {output}.")
