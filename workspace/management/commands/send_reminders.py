"""``manage.py send_reminders [--date YYYY-MM-DD]``: the day's e-mail digests
(workspace/reminders.py). Safe to run more than once a day: each person gets one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser

from common.commands import PrintableCommand
from workspace.reminders import send_reminders


class Command(PrintableCommand):
    help = "Send the day's e-mail reminders (once per person and day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, help="the day (default: today)")

    def handle(self, *_args: Any, **options: Any) -> None:
        sent = send_reminders(on=options.get("date"))
        self.stdout.write(f"{sent} reminder(s) sent.")
