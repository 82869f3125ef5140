"""First-run smoke check on whatever DATABASE_URL names (CI uses the SQLite default).

Logs in as an administrator (made here: the demo accounts may not use the admin) and
renders the admin index, every changelist, the
workspace's dashboard, the partners list and a search; exports a visit brief, runs the
background worker (scripts/worker.sh --batch) and downloads the PDF it made; exits
non-zero on any failure.
"""

import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.http import StreamingHttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from common.roles import ADMINISTRATOR, ensure_roles  # noqa: E402
from partnerships.models import Partnership  # noqa: E402


def main() -> int:
    setup_test_environment()
    client = Client()
    administrator, _created = get_user_model().objects.get_or_create(
        username="smoke-administrator", defaults={"is_staff": True}
    )
    administrator.groups.set([ensure_roles()[ADMINISTRATOR]])
    client.force_login(administrator)
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin.site._registry
        if m._meta.app_label in {"partnerships", "agreements", "delegations"}
    ]
    # The workspace's own pages too: several read the archive with hand-written SQL
    # (dashboard anniversaries, statistics, calendar), which must run on SQLite as well.
    urls += [
        reverse("dashboard"),
        reverse("partnerships:partnership_list"),
        reverse(
            "partnerships:partnership_detail",
            args=[Partnership.objects.values_list("pk", flat=True)[0]],
        ),
        reverse("agreements:agreement_list"),
        reverse("delegations:visit_list"),
        reverse("delegations:actionitem_list"),
        reverse("workspace:my_work"),
        reverse("workspace:calendar") + "?month=2025-05",
        reverse("workspace:calendar") + "?month=2025-05&view=agenda",
        reverse("workspace:partner_map"),
        reverse("workspace:statistics"),
        reverse("workspace:annual_report"),
        "/search/?q=vieng+chan",
    ]
    failures = []
    for url in urls:
        status = client.get(url).status_code
        if status != HTTPStatus.OK:
            failures.append(f"{url}: {status}")
    body = client.get(reverse("admin:agreements_agreement_changelist")).content.decode()
    if "HN-MSK-CT-2024-2026" not in body:
        failures.append("the demo programme is missing from the agreements changelist")
    if "Viêng Chăn" not in client.get("/search/?q=vieng+chan").content.decode():
        failures.append("search for 'vieng chan' does not find Viêng Chăn")
    failures += brief_through_the_worker(client)
    for failure in failures:
        print("SMOKE FAILED", failure)
    print(f"smoke: {len(urls) - len(failures)}/{len(urls)} admin pages rendered")
    return 1 if failures else 0


def brief_through_the_worker(client: Client) -> list[str]:
    """The web queues the brief; the worker (as scripts/demo.sh runs it) makes it."""
    from delegations.models import Visit
    from jobs.models import Job

    visit = Visit.objects.order_by("-start_date").first()
    if visit is None:
        return ["exporting a brief: there is no visit (run seed_demo first)"]
    response = client.post(reverse("delegations:visit_brief", args=[visit.pk]))
    job = Job.objects.order_by("-created_at").first()
    if response.status_code != HTTPStatus.FOUND or job is None:
        return [f"exporting a brief: {response.status_code}, no job"]
    root = Path(__file__).resolve().parent.parent
    worker = subprocess.run(
        ["sh", "scripts/worker.sh", "--batch", "--verbosity", "0"],
        cwd=root,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    job.refresh_from_db()
    download = client.get(reverse("jobs:job_result", args=[job.pk]))
    if worker.returncode or job.status != Job.Status.DONE or download.status_code != HTTPStatus.OK:
        return [f"the worker left the brief {job.status}: {job.error} {worker.stderr[-2000:]}"]
    if not isinstance(download, StreamingHttpResponse):
        return ["the brief's download is not a file"]
    if not b"".join(download.streaming_content).startswith(b"%PDF-"):
        return ["the brief the worker made is not a PDF"]
    print("smoke: the worker made the brief")
    return []


if __name__ == "__main__":
    sys.exit(main())
