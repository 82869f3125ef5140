"""Big spreadsheet imports run in the background (sheets/import_jobs.py, jobs/).

The web request only stashes the file and starts a job; the worker (here
``run_queued_jobs``, in a real process in tests/test_jobs_worker.py) previews it or
imports it and keeps the same report the import page shows for a small file.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement
from delegations.models import Visit
from jobs.models import Job
from sheets import import_jobs
from sheets.importing import run_import, stash_path
from sheets.models import ImportLog
from tests.factories import CityFactory, FieldOfCooperationFactory, administrator, editor
from tests.sheets import agreement_row, csv_bytes, ods_bytes, xls_bytes, xlsx_bytes
from tests.workers import run_queued_jobs

pytestmark = pytest.mark.django_db

ROWS = 12


@pytest.fixture(autouse=True)
def _english_and_a_low_threshold(settings, client):
    """Any sheet of more than 5 rows is "big" here; messages are checked in English (a job
    speaks the language of the request that started it)."""
    settings.IMPORT_BACKGROUND_ROWS = 5
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def places(db):
    hanoi = CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    minsk = CityFactory(name="Minsk", name_en="Minsk", country="BY")
    FieldOfCooperationFactory(code="culture", name="Văn hóa", name_en="Culture")
    return {"hanoi": hanoi, "minsk": minsk}


def big_sheet(rows: int = ROWS, **values) -> bytes:
    return csv_bytes(
        [agreement_row(reference=f"HN-MSK-2031-{n:02d}", **values) for n in range(rows)]
    )


def upload(client, data: bytes, name: str = "lon.csv", url: str = "agreements:import"):
    return client.post(reverse(url), {"file": SimpleUploadedFile(name, data), "action": "preview"})


def latest_job() -> Job:
    job = Job.objects.order_by("-created_at").first()
    assert job is not None
    return job


def previewed(client, data: bytes | None = None) -> Job:
    """Upload a big sheet and let the worker preview it."""
    response = upload(client, data or big_sheet())
    assert response.status_code == HTTPStatus.FOUND
    run_queued_jobs()
    job = latest_job()
    job.refresh_from_db()
    return job


def confirm(client, job: Job):
    return client.post(
        reverse("agreements:import"), {"token": job.params["token"], "action": "confirm"}
    )


# --- which files go to the background ---------------------------------------------------------
def test_the_rows_of_a_csv_are_counted():
    assert import_jobs.estimated_rows("a.csv", b"h\n1\n2\n3\n") == 4


@pytest.mark.parametrize("builder", [xlsx_bytes, ods_bytes, xls_bytes])
def test_the_rows_of_a_compressed_sheet_are_estimated_on_the_high_side(builder, settings):
    rows = [agreement_row(reference=f"HN-{n:04d}", title=f"Văn bản {n}") for n in range(2000)]
    name = f"big.{builder.__name__.split('_')[0]}"
    assert import_jobs.estimated_rows(name, builder(rows)) >= 2000
    settings.IMPORT_BACKGROUND_ROWS = 1999
    assert import_jobs.runs_in_background(name, builder(rows))


@pytest.mark.parametrize("builder", [csv_bytes, xlsx_bytes, ods_bytes, xls_bytes])
def test_a_sheet_of_a_few_rows_is_read_at_once(builder, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2000
    name = f"small.{builder.__name__.split('_')[0]}"
    assert not import_jobs.runs_in_background(name, builder([agreement_row()] * 3))


# --- the preview ---------------------------------------------------------------------------------
def test_uploading_a_big_sheet_starts_a_preview_job_and_reads_nothing_in_the_request(
    client, places, monkeypatch
):
    def not_in_the_request(**kwargs):
        raise AssertionError("the sheet was read in the web request")

    monkeypatch.setattr("sheets.importing.run_import", not_in_the_request)
    client.force_login(editor())
    response = upload(client, big_sheet())
    job = latest_job()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == job.get_absolute_url()
    assert (job.kind, job.status, job.subject) == ("import_preview", Job.Status.QUEUED, "lon.csv")
    assert stash_path(job.params["token"]).read_bytes() == big_sheet()
    assert not ImportLog.objects.exists()


def test_the_preview_job_shows_the_same_report_and_the_confirm_button(client, places):
    client.force_login(editor())
    job = previewed(client)
    assert job.status == Job.Status.DONE
    assert (
        job.progress_message == f"Preview ready: {ROWS} new, 0 updated, 0 unchanged, 0 with errors."
    )
    page = client.get(job.get_absolute_url()).text
    assert "HN-MSK-2031-11" in page
    assert f"Confirm the import of {ROWS} rows" in page
    assert f'name="token" value="{job.params["token"]}"' in page
    assert not Agreement.objects.exists()


def test_a_preview_with_errors_shows_them_and_offers_no_confirm_button(client, places):
    client.force_login(editor())
    job = previewed(client, big_sheet(valid_from="31/02/2024"))
    page = client.get(job.get_absolute_url()).text
    assert "31/02/2024" in page
    assert 'value="confirm"' not in page


def test_an_administrator_reads_the_preview_but_gets_no_confirm_button(client, places):
    client.force_login(editor())
    job = previewed(client)
    client.force_login(administrator())
    page = client.get(job.get_absolute_url())
    assert page.status_code == HTTPStatus.OK
    assert "HN-MSK-2031-11" in page.text
    assert 'value="confirm"' not in page.text


def test_another_editor_cannot_open_the_preview(client, places):
    client.force_login(editor())
    job = previewed(client)
    client.force_login(editor())
    assert client.get(job.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_a_big_visit_sheet_is_previewed_in_the_background_too(client, places):
    from tests.test_import_visits_actions import visit_row

    client.force_login(editor())
    rows = [visit_row(title=f"Đoàn số {n}") for n in range(ROWS)]
    from delegations.resources import VisitResource

    data = csv_bytes(rows, VisitResource.COLUMNS)
    response = upload(client, data, "doan.csv", "delegations:visit_import")
    assert response.status_code == HTTPStatus.FOUND
    run_queued_jobs()
    job = latest_job()
    job.refresh_from_db()
    assert (job.status, job.params["sheet"]) == (Job.Status.DONE, "visits")
    assert f"{ROWS} new" in job.progress_message
    assert not Visit.objects.exists()


# --- the import ----------------------------------------------------------------------------------
def test_confirming_a_big_preview_starts_the_import_job_and_imports_nothing_in_the_request(
    client, places
):
    client.force_login(editor())
    preview = previewed(client)
    response = confirm(client, preview)
    job = latest_job()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == job.get_absolute_url()
    assert (job.kind, job.status) == ("import", Job.Status.QUEUED)
    assert not Agreement.objects.exists()
    assert not ImportLog.objects.exists()


def test_the_import_job_imports_every_row_as_its_owner_and_says_so(client, places):
    user = editor()
    client.force_login(user)
    confirm(client, previewed(client))
    run_queued_jobs()
    job = latest_job()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert Agreement.objects.count() == ROWS
    assert ImportLog.objects.get().user == user
    assert Agreement.history.filter(history_user=user).count() == ROWS
    assert job.progress_message == (
        f"Imported “lon.csv”: {ROWS} new, 0 updated, 0 unchanged, 0 with errors."
    )
    page = client.get(job.get_absolute_url()).text
    assert job.progress_message in page
    assert reverse("agreements:agreement_list") in page


def test_the_import_job_removes_the_stashed_file(client, places):
    client.force_login(editor())
    preview = previewed(client)
    confirm(client, preview)
    run_queued_jobs()
    assert not stash_path(preview.params["token"]).exists()


def test_a_big_preview_cannot_be_confirmed_twice(client, places):
    client.force_login(editor())
    preview = previewed(client)
    confirm(client, preview)
    response = confirm(client, preview)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("agreements:import")
    assert Job.objects.filter(kind="import").count() == 1


def test_an_import_refused_at_the_last_moment_fails_with_its_report(client, places):
    """The agreement the rows renew was deleted between the preview and the import."""
    from tests.factories import AgreementFactory, PartnershipFactory

    parent = AgreementFactory(
        reference="TT-2004",
        partnership=PartnershipFactory(home_city=places["hanoi"], partner_city=places["minsk"]),
    )
    client.force_login(editor())
    preview = previewed(client, big_sheet(parent_reference="TT-2004"))
    assert preview.report is not None
    assert preview.report["errors"] == []
    confirm(client, preview)
    parent.delete()
    run_queued_jobs()
    job = latest_job()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "The import was refused: nothing was saved."
    page = client.get(job.get_absolute_url())
    assert page.status_code == HTTPStatus.OK
    assert "The import was refused" in page.text
    assert "TT-2004" in page.text
    assert not Agreement.objects.exists()
    assert ImportLog.objects.get().outcome == ImportLog.Outcome.REFUSED


def test_an_upload_gone_before_the_worker_came_fails_with_a_message(client, places):
    client.force_login(editor())
    upload(client, big_sheet())
    job = latest_job()
    stash_path(job.params["token"]).unlink()
    run_queued_jobs()
    job.refresh_from_db()
    assert (job.status, job.error) == (
        Job.Status.FAILED,
        "The uploaded file has expired: upload it again.",
    )


# --- the limit -----------------------------------------------------------------------------------
def test_a_big_upload_over_the_limit_is_refused_with_the_reason_and_nothing_kept(
    client, places, settings
):
    settings.JOBS_PER_USER = 1
    client.force_login(editor())
    upload(client, big_sheet())
    response = upload(client, big_sheet())
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "1 job waiting or running" in response.text
    assert Job.objects.count() == 1
    assert len(list(stash_path("x").parent.glob("*.upload"))) == 1


def test_a_confirm_over_the_limit_keeps_the_upload_to_confirm_later(client, places, settings):
    settings.JOBS_PER_USER = 1
    client.force_login(editor())
    preview = previewed(client)
    upload(client, big_sheet())  # a second preview, still waiting
    response = confirm(client, preview)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "1 job waiting or running" in response.text
    assert f'name="token" value="{preview.params["token"]}"' in response.text
    run_queued_jobs()  # the other preview ends
    assert confirm(client, preview).status_code == HTTPStatus.FOUND
    run_queued_jobs()
    assert Agreement.objects.count() == ROWS


# --- progress ----------------------------------------------------------------------------------
def test_run_import_tells_its_progress_row_by_row_up_to_the_last(places, monkeypatch):
    monkeypatch.setattr("common.sheetkit.resource.PROGRESS_EVERY", 5)
    calls = []
    run_import(
        sheet="agreements",
        file_name="lon.csv",
        data=big_sheet(),
        dry_run=True,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(5, ROWS), (10, ROWS), (ROWS, ROWS)]


def test_the_import_job_reports_rows_checked_out_of_the_total(places, monkeypatch):
    reported = []
    monkeypatch.setattr(
        "sheets.import_jobs.report_progress",
        lambda _job, percent, message: reported.append((percent, message)),
    )
    client_job = Job.objects.create(
        kind="import_preview",
        owner=editor(),
        params={"sheet": "agreements", "token": "t", "file_name": "lon.csv"},
    )
    stash_path("t").write_bytes(big_sheet())
    import_jobs.preview(client_job)
    assert reported[0] == (2, "Reading the file")
    assert reported[-1] == (95, f"Row {ROWS} of {ROWS} checked")
