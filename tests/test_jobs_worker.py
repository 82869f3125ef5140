"""End to end with a real worker process: the web queues, ``manage.py db_worker`` (the
command docker-compose.yml's worker service runs) does the work on PostgreSQL, the web
hands out the result. The test's data are committed (transactional) so the worker sees them.
"""

from __future__ import annotations

import subprocess
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.models import Agreement
from delegations.models import Visit
from demo.loader import load_demo
from jobs.models import Job
from jobs.services import start_job
from sheets.models import ImportLog
from tests.factories import CityFactory, FieldOfCooperationFactory, editor
from tests.sheets import agreement_row, csv_bytes
from tests.workers import ROOT, worker_environment

pytestmark = pytest.mark.django_db(transaction=True)

MINSK_2025 = "Đoàn đại biểu TP Hà Nội thăm, làm việc tại TP Minsk (Belarus)"
ROWS = 300


def wait(job: Job) -> Job:
    from tests.workers import wait_until_ended

    return wait_until_ended(job)


def test_a_brief_is_made_by_the_worker_and_downloaded_from_its_job_page(client, worker):
    load_demo(password="demo-pass-2025")
    visit = Visit.objects.get(title=MINSK_2025)
    client.login(username="demo-viewer", password="demo-pass-2025")
    response = client.post(reverse("delegations:visit_brief", args=[visit.pk]), {"lang": "en"})
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    job = wait(job)
    assert (job.status, job.progress, job.error) == (Job.Status.DONE, 100, "")
    download = client.get(reverse("jobs:job_result", args=[job.pk]))
    assert download.status_code == HTTPStatus.OK
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_big_import_is_previewed_and_imported_by_the_worker(client, settings, worker):
    settings.IMPORT_BACKGROUND_ROWS = 100
    CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    CityFactory(name="Minsk", name_en="Minsk", country="BY")
    FieldOfCooperationFactory(code="culture", name="Văn hóa", name_en="Culture")
    user = editor()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    sheet = csv_bytes([agreement_row(reference=f"HN-MSK-{n:04d}") for n in range(ROWS)])
    upload = SimpleUploadedFile("lon.csv", sheet)
    client.post(reverse("agreements:import"), {"file": upload, "action": "preview"})
    preview = wait(Job.objects.get(kind="import_preview"))
    assert preview.status == Job.Status.DONE, preview.error
    assert preview.progress_message.startswith(f"Preview ready: {ROWS} new")
    assert not Agreement.objects.exists()

    response = client.post(
        reverse("agreements:import"), {"token": preview.params["token"], "action": "confirm"}
    )
    job = Job.objects.get(kind="import")
    assert response["Location"] == job.get_absolute_url()
    job = wait(job)
    assert job.status == Job.Status.DONE, job.error
    assert Agreement.objects.count() == ROWS
    assert ImportLog.objects.get().user == user
    assert Agreement.history.filter(history_user=user).count() == ROWS
    assert f"{ROWS} new" in client.get(job.get_absolute_url()).text


def test_a_job_queued_while_no_worker_runs_is_done_when_one_starts(settings):
    """The queue is in the database: work queued before a (re)start is not lost.

    Also runs scripts/worker.sh, the worker's entry point, in its --batch mode.
    """
    load_demo(password="demo-pass-2025")
    visit = Visit.objects.get(title=MINSK_2025)
    owner = editor()
    job = start_job(
        kind="visit_brief", owner=owner, subject=visit.title, params={"visit": visit.pk}
    )
    result = subprocess.run(
        ["sh", "scripts/worker.sh", "--batch"],
        cwd=ROOT,
        env=worker_environment(settings.MEDIA_ROOT),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    pdf = job.result_file()
    assert pdf is not None
    assert pdf.read_bytes().startswith(b"%PDF-")
