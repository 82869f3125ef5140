"""Import action items from a spreadsheet (``import_agreements --sheet action_items``)."""

from typing import override

from django.core.management.base import CommandParser

from sheets.management.commands import import_agreements
from sheets.models import ImportLog


class Command(import_agreements.Command):
    help = import_agreements.Command.help.replace("agreements", "action items", 1)

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(sheet=ImportLog.Sheet.ACTION_ITEMS)
