"""Running queued jobs in tests: in this process (fast, inside the test's transaction) or
in a real worker process (``manage.py db_worker``, the ``worker`` fixture in conftest.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection
from django_tasks_db.models import DBTaskResult

from jobs.models import Job

ROOT = Path(__file__).resolve().parent.parent


def run_queued_jobs() -> int:
    """Run every queued task here, as ``db_worker`` would; return how many ran."""
    ran = 0
    for queued in DBTaskResult.objects.ready():
        queued.claim("tests")
        arguments = queued.args_kwargs
        try:
            value = queued.task.call(*arguments["args"], **arguments["kwargs"])
        except Exception as error:  # noqa: BLE001 — recorded as db_worker records it
            queued.set_failed(error)
        else:
            queued.set_successful(value)
        ran += 1
    return ran


def database_url() -> str:
    """The test database (its real name, e.g. test_sc_x_gw0) as a DATABASE_URL."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def worker_environment(media_root) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "MEDIA_ROOT": str(media_root),
        "PYTHON": sys.executable,
        "WORKER_INTERVAL": "0.2",
    }


def start_worker(*, media_root) -> subprocess.Popen:
    log = tempfile.TemporaryFile()  # noqa: SIM115 — closed by stop_worker
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
        ],
        cwd=ROOT,
        env=worker_environment(media_root),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log  # type: ignore[attr-defined]
    return process


def stop_worker(process: subprocess.Popen) -> str:
    """SIGTERM (the job in hand finishes first), then the worker's output."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log = process.log  # type: ignore[attr-defined]
    log.seek(0)
    output = log.read().decode(errors="replace")
    log.close()
    return output


def wait_until_ended(job: Job, *, timeout: float = 120) -> Job:
    """Poll the database until the worker has finished ``job`` (or give up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} still {job.status} after {timeout} s")
