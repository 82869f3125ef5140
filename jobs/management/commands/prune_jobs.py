"""``manage.py prune_jobs``: delete expired jobs and their files (and the task queue's old
records); mark lost jobs failed.

The worker does the same after every job, and scripts/worker.sh when it starts; a cron
entry is only needed where the worker may sit idle for long.
"""

from __future__ import annotations

from typing import Any

from common.commands import PrintableCommand
from jobs.running import tidy_up


class Command(PrintableCommand):
    help = "Delete jobs whose results have expired (JOB_RESULT_DAYS), with their files."

    def handle(self, *_args: Any, **options: Any) -> None:
        pruned, lost = tidy_up()
        if options["verbosity"]:
            self.stdout.write(f"{pruned} expired job(s) deleted, {lost} lost job(s) marked failed.")
