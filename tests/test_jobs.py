"""Background jobs (jobs/): their life from queued to done or failed, progress, the limit per
person, the job page and its polled part, the download and who may have it, tidying up.

The jobs run in this process (``tests.workers.run_queued_jobs``, what ``db_worker`` does);
tests/test_jobs_worker.py runs them in a real worker process.
"""

from __future__ import annotations

import datetime as dt
import json
from http import HTTPStatus
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from common.roles import ADMINISTRATOR
from jobs.kinds import JobKind, register_kind
from jobs.models import Job
from jobs.progress import report_progress
from jobs.running import JobError, JobResult
from jobs.services import TooManyJobsError, start_job
from tests.factories import UserFactory, administrator, editor, viewer
from tests.workers import run_queued_jobs

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """These tests read the English messages (the interface defaults to Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


def echo(job: Job) -> JobResult:
    """A test kind's body: a small text file, after reporting progress once."""
    CALLS.append(str(job.pk))
    report_progress(job, 40, "halfway")
    seen = Job.objects.get(pk=job.pk)
    return JobResult(
        content=f"echo {job.params.get('word', '')}".encode(),
        file_name="echo.txt",
        content_type="text/plain",
        report={"progress seen": seen.progress, "message seen": seen.progress_message},
        message="Echoed.",
    )


def refuse(job: Job) -> JobResult:
    raise JobError("The file says no.", report={"why": "no"})


def crash(job: Job) -> JobResult:
    raise RuntimeError("a bug")


register_kind(JobKind(name="test_echo", label="Echo", body="tests.test_jobs.echo"))
register_kind(
    JobKind(
        name="test_shared_echo",
        label="Shared echo",
        body="tests.test_jobs.echo",
        shared_with=(ADMINISTRATOR,),
    )
)
register_kind(JobKind(name="test_refuse", label="Refuse", body="tests.test_jobs.refuse"))
register_kind(JobKind(name="test_crash", label="Crash", body="tests.test_jobs.crash"))


def started(kind: str = "test_echo", owner=None, **params) -> Job:
    return start_job(kind=kind, owner=owner or viewer(), subject="Đoàn Minsk", params=params)


def done(kind: str = "test_echo", owner=None, **params) -> Job:
    job = started(kind, owner, **params)
    run_queued_jobs()
    job.refresh_from_db()
    return job


@pytest.fixture(autouse=True)
def _forget_calls():
    CALLS.clear()


# --- lifecycle --------------------------------------------------------------------------------
def test_a_new_job_waits_in_the_queue_with_its_task():
    job = started(word="xin chào")
    assert job.status == Job.Status.QUEUED
    assert job.progress == 0
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.task_path == "jobs.tasks.run_job"
    assert task.args_kwargs == {"args": [str(job.pk)], "kwargs": {}}


def test_the_worker_takes_a_queued_job_through_running_to_done():
    job = done(word="xin chào")
    assert job.status == Job.Status.DONE
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.finished_at >= job.started_at
    assert (job.progress, job.progress_message) == (100, "Echoed.")
    assert job.report == {"progress seen": 40, "message seen": "halfway"}


def test_a_done_job_keeps_its_result_file_under_media_root_private(settings):
    job = done(word="xin chào")
    path = job.result_file()
    assert path is not None
    assert path.parent == settings.MEDIA_ROOT / "private" / "jobs"
    assert path.read_bytes() == "echo xin chào".encode()
    assert (job.result_name, job.result_content_type, job.result_size) == (
        "echo.txt",
        "text/plain",
        len("echo xin chào".encode()),
    )


def test_a_done_job_expires_after_the_days_set(settings):
    settings.JOB_RESULT_DAYS = 3
    job = done()
    assert job.expires_at is not None
    assert job.finished_at is not None
    assert job.expires_at - job.finished_at == dt.timedelta(days=3)


def test_a_job_refused_by_its_body_fails_with_the_message_for_the_user_and_its_report():
    job = done("test_refuse")
    assert job.status == Job.Status.FAILED
    assert job.error == "The file says no."
    assert job.report == {"why": "no"}
    assert DBTaskResult.objects.get(pk=job.task_id).status == "SUCCESSFUL"


def test_a_job_that_crashes_fails_with_a_general_message_and_the_queue_records_the_error():
    job = done("test_crash")
    assert job.status == Job.Status.FAILED
    assert "went wrong" in job.error
    assert "a bug" not in job.error
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.status == "FAILED"
    assert "RuntimeError: a bug" in task.traceback


def test_a_job_of_a_kind_no_longer_known_fails_instead_of_crashing_the_worker():
    job = started()
    Job.objects.filter(pk=job.pk).update(kind="gone")
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "no longer known" in job.error


def test_a_job_cancelled_while_waiting_is_never_run():
    job = started()
    assert job.cancel()
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert CALLS == []


def test_a_running_job_cannot_be_cancelled():
    job = started()
    assert job.start()
    assert not job.cancel()
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_job_keeps_the_language_it_was_started_in_for_its_messages(language):
    from django.utils import translation

    with translation.override(language):
        job = started()
    assert job.language == language


# --- progress -----------------------------------------------------------------------------------
def test_progress_is_kept_between_0_and_100():
    job = started()
    job.start()
    report_progress(job, 250, "far")
    assert Job.objects.get(pk=job.pk).progress == 100
    report_progress(job, -5, "back")
    assert Job.objects.get(pk=job.pk).progress == 0


def test_progress_of_a_job_not_running_is_not_recorded():
    job = started()
    report_progress(job, 50, "too early")
    assert Job.objects.get(pk=job.pk).progress == 0


@pytest.mark.django_db(transaction=True)
def test_progress_reported_inside_a_transaction_is_seen_at_once_and_survives_its_rollback():
    """An import reports from inside its transaction (and a dry run rolls it back)."""
    from jobs.progress import _progress_connection, close_progress_connection

    job = started()
    job.start()
    seen = []

    def dry_run() -> None:
        with transaction.atomic():
            report_progress(job, 60, "Row 600 of 1,000 checked")
            aside = _progress_connection()
            assert aside is not None  # PostgreSQL: a connection of its own
            with aside.cursor() as cursor:  # what the job page reads meanwhile
                cursor.execute("SELECT progress FROM jobs_job WHERE id = %s", [job.pk])
                seen.append(cursor.fetchone())
            raise RuntimeError("dry run: roll back")

    with pytest.raises(RuntimeError):
        dry_run()
    close_progress_connection()
    job.refresh_from_db()
    assert seen == [(60,)]
    assert (job.progress, job.progress_message) == (60, "Row 600 of 1,000 checked")


# --- the limit per person -------------------------------------------------------------------------
def test_a_person_may_have_only_so_many_jobs_waiting_or_running(settings):
    settings.JOBS_PER_USER = 2
    person = viewer()
    started(owner=person)
    started(owner=person)
    with pytest.raises(TooManyJobsError, match="2 jobs waiting or running"):
        started(owner=person)
    assert Job.objects.filter(owner=person).count() == 2
    assert DBTaskResult.objects.count() == 2  # the refused one left no task behind


def test_the_limit_is_per_person(settings):
    settings.JOBS_PER_USER = 1
    started(owner=viewer())
    assert started(owner=viewer()).status == Job.Status.QUEUED


def test_ended_jobs_no_longer_count_against_the_limit(settings):
    settings.JOBS_PER_USER = 1
    person = viewer()
    done(owner=person)
    assert started(owner=person).status == Job.Status.QUEUED


def test_a_lost_job_does_not_count_against_the_limit_and_reads_as_lost(settings, client):
    settings.JOBS_PER_USER = 1
    person = viewer()
    job = started(owner=person)
    job.start()
    long_ago = timezone.now() - dt.timedelta(minutes=settings.JOB_STALE_MINUTES + 1)
    Job.objects.filter(pk=job.pk).update(updated_at=long_ago)
    assert started(owner=person).status == Job.Status.QUEUED
    client.force_login(person)
    page = client.get(job.get_absolute_url()).text
    assert "worker running it was probably restarted" in page
    assert "hx-trigger" not in page


# --- tidying up ---------------------------------------------------------------------------------
def test_prune_deletes_expired_jobs_and_their_files_and_keeps_the_others():
    old, recent = done(), done()
    Job.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    call_command("prune_jobs", verbosity=0)
    assert list(Job.objects.all()) == [recent]
    old_file, recent_file = old.result_file(), recent.result_file()
    assert old_file is not None
    assert recent_file is not None
    assert not old_file.exists()
    assert recent_file.exists()


def test_prune_deletes_the_queues_records_of_tasks_ended_long_ago(settings):
    old, recent = done(), done()
    long_ago = timezone.now() - dt.timedelta(days=settings.JOB_RESULT_DAYS, seconds=1)
    DBTaskResult.objects.filter(pk=old.task_id).update(finished_at=long_ago)
    call_command("prune_jobs", verbosity=0)
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [
        DBTaskResult._meta.pk.to_python(recent.task_id)
    ]


def test_a_job_deleted_while_it_ran_is_not_brought_back():
    job = started()
    job.start()
    Job.objects.filter(pk=job.pk).delete()
    with pytest.raises(Job.NotUpdated), transaction.atomic():
        job.finish(message="done")
    assert not Job.objects.exists()


def test_prune_marks_lost_jobs_failed(settings):
    job = started()
    job.start()
    long_ago = timezone.now() - dt.timedelta(minutes=settings.JOB_STALE_MINUTES + 1)
    Job.objects.filter(pk=job.pk).update(updated_at=long_ago)
    call_command("prune_jobs", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "probably restarted" in job.error


def test_the_worker_tidies_up_after_each_job():
    old = done()
    Job.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    done()
    assert not Job.objects.filter(pk=old.pk).exists()


# --- the job page --------------------------------------------------------------------------------
def test_the_owner_sees_a_waiting_job_with_a_polled_status_and_a_cancel_button(client):
    job = started()
    client.force_login(job.owner)
    response = client.get(job.get_absolute_url())
    text = response.text
    assert response.status_code == HTTPStatus.OK
    assert 'hx-trigger="every 1s"' in text
    assert "Waiting for a worker" in text
    assert reverse("jobs:job_cancel", args=[job.pk]) in text
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_polled_part_shows_the_progress_of_a_running_job(client):
    job = started()
    job.start()
    report_progress(job, 40, "Row 400 of 1,000 checked")
    client.force_login(job.owner)
    response = client.get(
        job.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "job-status"}
    )
    text = response.text
    assert text.lstrip().startswith('<section id="job-status"')
    assert 'hx-trigger="every 1s"' in text
    assert '<progress class="job-progress" value="40" max="100"' in text
    assert "Row 400 of 1,000 checked" in text
    assert "<html" not in text
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]


def test_a_done_job_stops_the_polling_and_offers_its_download(client):
    job = done()
    client.force_login(job.owner)
    text = client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).text
    assert "hx-trigger" not in text
    assert reverse("jobs:job_result", args=[job.pk]) in text
    assert "Echoed." in text
    full = client.get(job.get_absolute_url()).text
    assert "http-equiv" not in full


def test_a_failed_job_shows_its_error_on_the_page_not_a_server_error(client):
    job = done("test_crash")
    client.force_login(job.owner)
    response = client.get(job.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assert "Something went wrong while doing this" in response.text
    assert "Traceback" not in response.text
    assert "hx-trigger" not in response.text


def test_someone_elses_job_of_a_kind_not_shared_is_not_found(client):
    job = started()
    client.force_login(viewer())
    assert client.get(job.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_a_job_page_asks_anonymous_visitors_to_sign_in(client):
    job = started()
    response = client.get(job.get_absolute_url())
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("jobs", [1, 12])
def test_the_job_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, jobs):
    """Expect 7: the session, the user, the user's groups (role), the job; then the session
    saved (every request extends it) in a savepoint: 3."""
    person = viewer()
    for _ in range(jobs):
        job = done(owner=person)
    client.force_login(person)
    client.get(job.get_absolute_url())
    with django_assert_num_queries(7):
        client.get(job.get_absolute_url())


@pytest.mark.parametrize("jobs", [1, 12])
def test_the_polled_part_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, settings, jobs
):
    settings.JOBS_PER_USER = 100
    person = viewer()
    for _ in range(jobs):
        job = started(owner=person)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    client.force_login(person)
    with django_assert_num_queries(7):  # as the page: the session, user, role, job, session saved
        client.get(job.get_absolute_url(), headers={"HX-Request": "true"})


# --- the download ------------------------------------------------------------------------------
def test_the_owner_downloads_the_result_as_an_attachment(client):
    job = done(word="xin chào")
    client.force_login(job.owner)
    response = client.get(reverse("jobs:job_result", args=[job.pk]))
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == "echo xin chào".encode()
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="echo.txt"'
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("reader", "status"),
    [
        (viewer, HTTPStatus.NOT_FOUND),
        (editor, HTTPStatus.NOT_FOUND),
        (administrator, HTTPStatus.OK),
    ],
)
def test_a_shared_kind_is_downloaded_by_the_roles_it_is_shared_with(client, reader, status):
    job = done("test_shared_echo", owner=editor())
    client.force_login(reader())
    assert client.get(reverse("jobs:job_result", args=[job.pk])).status_code == status
    assert client.get(job.get_absolute_url()).status_code == status


def test_someone_elses_unshared_result_is_not_found_even_for_an_administrator(client):
    job = done(owner=editor())
    client.force_login(administrator())
    assert client.get(reverse("jobs:job_result", args=[job.pk])).status_code == 404


def test_a_signed_in_user_without_a_role_gets_no_result(client):
    job = done()
    client.force_login(UserFactory())
    assert client.get(reverse("jobs:job_result", args=[job.pk])).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in_for_a_result(client):
    job = done()
    response = client.get(reverse("jobs:job_result", args=[job.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


def test_an_expired_result_is_not_handed_out(client):
    job = done()
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client.force_login(job.owner)
    assert client.get(reverse("jobs:job_result", args=[job.pk])).status_code == 404


def test_a_job_without_a_result_has_no_download(client):
    job = done("test_refuse")
    client.force_login(job.owner)
    assert client.get(reverse("jobs:job_result", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("prefix", ["private/", "x/../private/", "./private/", "/private/"])
def test_results_are_never_served_as_media_files(rf, prefix):
    """Under DEBUG the development server serves MEDIA_ROOT, but never private/."""
    from django.http import Http404

    from common.views import development_media

    job = done()
    with pytest.raises(Http404):
        development_media(rf.get("/media/"), f"{prefix}{job.result_path}")


def test_other_media_files_are_still_served_under_debug(rf, settings):
    from common.views import development_media

    (settings.MEDIA_ROOT / "documents").mkdir(parents=True)
    (settings.MEDIA_ROOT / "documents" / "scan.txt").write_text("scan")
    response = development_media(rf.get("/media/documents/scan.txt"), "documents/scan.txt")
    assert isinstance(response, FileResponse)
    assert response.getvalue() == b"scan"


def test_behind_nginx_a_result_is_named_for_the_proxy_not_streamed(client, settings):
    settings.FILE_DELIVERY = "x-accel-redirect"
    settings.FILE_DELIVERY_PREFIX = "/internal-media/"
    job = done(word="xin chào")
    client.force_login(job.owner)
    response = client.get(reverse("jobs:job_result", args=[job.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response["X-Accel-Redirect"] == f"/internal-media/private/{job.result_path}"
    assert response.content == b""
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''echo.txt"
    assert response["Cache-Control"] == "private, no-store"


def test_behind_apache_a_result_is_named_for_x_sendfile(client, settings):
    settings.FILE_DELIVERY = "x-sendfile"
    job = done()
    client.force_login(job.owner)
    response = client.get(reverse("jobs:job_result", args=[job.pk]))
    path = job.result_file()
    assert path is not None
    assert response["X-Sendfile"] == str(path.resolve())
    assert response.content == b""


def test_behind_a_proxy_the_checks_still_come_first(client, settings):
    """The header is only given to whoever may read the job, and only while it lasts."""
    settings.FILE_DELIVERY = "x-accel-redirect"
    job = done()
    client.force_login(editor())
    someone_else = client.get(reverse("jobs:job_result", args=[job.pk]))
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client.force_login(job.owner)
    expired = client.get(reverse("jobs:job_result", args=[job.pk]))
    assert (someone_else.status_code, expired.status_code) == (404, 404)
    assert "X-Accel-Redirect" not in someone_else
    assert "X-Accel-Redirect" not in expired


PRODUCTION_RESULT = """
    import json, tempfile
    import django
    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.test import Client

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tempfile.mkdtemp()
    from django.urls import reverse
    from jobs.models import Job
    from tests.factories import viewer

    with transaction.atomic():
        job = Job.objects.create(kind="visit_brief", owner=viewer(), subject="Minsk")
        job.start()
        job.finish(content=b"%PDF-1.4 brief", file_name="brief.pdf", content_type="application/pdf")
        url = reverse("jobs:job_result", args=[job.pk])
        client = Client(HTTP_HOST="HOST_NAME")
        anonymous = client.get(url, secure=True)
        client.force_login(job.owner)
        download = client.get(url, secure=True)
        media = client.get("/media/private/" + job.result_path, secure=True)
        transaction.set_rollback(True)
    print(json.dumps({
        "debug": settings.DEBUG,
        "anonymous": anonymous.status_code,
        "status": download.status_code,
        "header": download.get("X-Accel-Redirect"),
        "expected": "/internal-media/private/" + job.result_path,
        "streaming": download.streaming,
        "body": download.content.decode(),
        "media": media.status_code,
    }))
"""


def test_in_production_behind_nginx_a_result_is_a_header_and_no_body():
    from tests.test_security_settings import HOST, production_env, run_python

    code = PRODUCTION_RESULT.replace("HOST_NAME", HOST)
    env = production_env(FILE_DELIVERY="x-accel-redirect", FILE_DELIVERY_PREFIX="/internal-media/")
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer.pop("header") == answer.pop("expected")
    assert answer == {
        "debug": False,
        "anonymous": 302,
        "status": 200,
        "streaming": False,
        "body": "",
        "media": 404,
    }


# --- cancelling and the list ---------------------------------------------------------------------
def test_the_owner_cancels_a_waiting_job(client):
    job = started()
    client.force_login(job.owner)
    response = client.post(reverse("jobs:job_cancel", args=[job.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == job.get_absolute_url()
    assert Job.objects.get(pk=job.pk).status == Job.Status.CANCELLED


def test_only_the_owner_may_cancel(client):
    job = started("test_shared_echo")
    client.force_login(administrator())
    response = client.post(reverse("jobs:job_cancel", args=[job.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED


def test_a_started_job_is_not_cancelled_and_the_owner_is_told(client):
    job = started()
    job.start()
    client.force_login(job.owner)
    response = client.post(reverse("jobs:job_cancel", args=[job.pk]), follow=True)
    assert "can no longer be cancelled" in response.text
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_my_jobs_lists_my_own_jobs_only(client):
    person = viewer()
    mine = done(owner=person)
    theirs = done("test_shared_echo", owner=viewer())
    client.force_login(person)
    text = client.get(reverse("jobs:job_list")).text
    assert mine.get_absolute_url() in text
    assert theirs.get_absolute_url() not in text
    assert reverse("jobs:job_result", args=[mine.pk]) in text


def test_my_jobs_is_in_the_user_menu(client):
    client.force_login(viewer())
    assert reverse("jobs:job_list") in client.get(reverse("dashboard")).text


@pytest.mark.parametrize("jobs", [1, 30])
def test_my_jobs_runs_a_fixed_number_of_queries(client, django_assert_num_queries, settings, jobs):
    """Expect 8: the session, the user, the groups, the count, the page of jobs, the session
    saved in a savepoint (3)."""
    settings.JOBS_PER_USER = 100
    person = viewer()
    for _ in range(jobs):
        started(owner=person)
    client.force_login(person)
    with django_assert_num_queries(8):
        client.get(reverse("jobs:job_list"))
