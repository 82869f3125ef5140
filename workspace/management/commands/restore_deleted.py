"""``manage.py restore_deleted APP.MODEL ID [--user NAME]``: bring back a deleted record.

Editors remove signatories, documents, participants and programme items while editing
their agreement or visit; every removal is in the record's history (who, when, what).
An administrator brings one back with this command (SECURITY.md, "Accounts, roles and
the admin"), and the restore is recorded in the history too.
"""

from typing import Any, override

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from simple_history.models import HistoricalRecords

from common.commands import PrintableCommand
from common.history import NotRestorableError, restore_deleted


class _As:
    """What simple-history reads the author from, outside a request."""

    def __init__(self, user: Any) -> None:
        self.user = user


class Command(PrintableCommand):
    help = "Restore a deleted record (e.g. agreements.signatory 12) from its history."

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("model", help="app_label.model, e.g. agreements.signatory")
        parser.add_argument("id", help="the deleted record's id (shown in its history)")
        parser.add_argument("--user", help="the account the restore is recorded as")

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            model = apps.get_model(options["model"])
        except (LookupError, ValueError) as error:
            raise CommandError(f"Unknown model {options['model']!r}.") from error
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No account {options['user']!r}.")
        HistoricalRecords.thread.request = _As(user)
        try:
            with transaction.atomic():
                record = restore_deleted(model, options["id"])
        except NotRestorableError as error:
            raise CommandError(str(error)) from error
        finally:
            del HistoricalRecords.thread.request
        self.stdout.write(f"Restored {model._meta.verbose_name} {record.pk}: {record}")
