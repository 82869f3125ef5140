"""Undo a confirmed import: ``manage.py revert_import ID [--user NAME]`` (sheets/reverting.py)."""

from typing import Any, override

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from common.commands import PrintableCommand
from common.roles import ADMINISTRATOR, role_of
from sheets.models import ImportLog
from sheets.reverting import RevertRefusedError, revert_import


class Command(PrintableCommand):
    help = (
        "Revert a confirmed import (its log number): delete what it created and restore what "
        "it updated, or change nothing and list what blocks it."
    )

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("log_id", type=int, help="The import's log number.")
        parser.add_argument(
            "--user", help="The administrator the revert is recorded under (username)."
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        log = ImportLog.objects.filter(pk=options["log_id"]).first()
        if log is None:
            raise CommandError(_("No import #%(id)s.") % {"id": options["log_id"]})
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None or role_of(user) != ADMINISTRATOR:
                raise CommandError(_("Only an administrator can revert an import."))
        try:
            done = revert_import(log, user)
        except RevertRefusedError as refusal:
            lines = [_("Nothing was changed:"), *(f"- {r}" for r in refusal.reasons)]
            raise CommandError("\n".join(lines)) from refusal
        self.stdout.write(
            _("Import #%(id)s reverted: %(deleted)d records deleted, %(restored)d restored.")
            % {"id": log.pk, "deleted": done.deleted, "restored": done.restored}
        )
