"""Import delegation visits from a spreadsheet (``import_agreements --sheet visits``)."""

from typing import override

from django.core.management.base import CommandParser

from sheets.management.commands import import_agreements
from sheets.models import ImportLog


class Command(import_agreements.Command):
    help = import_agreements.Command.help.replace("agreements", "delegation visits", 1)

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(sheet=ImportLog.Sheet.VISITS)
