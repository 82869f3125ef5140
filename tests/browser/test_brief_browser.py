"""Clicking "Export brief (PDF)" on a visit page: the job page shows the brief's progress
while a real worker makes it, then the download (Chromium, Playwright)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from delegations.models import Visit
from demo.loader import load_demo
from tests.workers import start_worker, stop_worker

PASSWORD = "demo-pass-2025"
MINSK_2025 = "Đoàn đại biểu TP Hà Nội thăm, làm việc tại TP Minsk (Belarus)"
WORKER_TIMEOUT_MS = 120_000


@pytest.fixture
def minsk_2025(transactional_db):
    load_demo(password=PASSWORD)
    return Visit.objects.get(title=MINSK_2025)


def sign_in_and_export(page, live_server, visit) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "demo-viewer")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    with page.expect_navigation():
        page.locator(f'form[action="/visits/{visit.pk}/brief/"] button[value=pdf]').click()
    assert "/jobs/" in page.url


def downloaded_pdf(page) -> bytes:
    link = page.locator("#job-status a.job-download")
    with page.expect_download(timeout=60_000) as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("brief-")
    assert download.suggested_filename.endswith(".pdf")
    return Path(download.path()).read_bytes()


def test_viewer_exports_a_brief_watches_its_progress_then_downloads_it(
    page, live_server, minsk_2025, settings
):
    sign_in_and_export(page, live_server, minsk_2025)
    expect(page.locator("#job-status progress")).to_be_visible()
    expect(page.locator("#job-status")).to_have_attribute("hx-trigger", "every 1s")
    page.evaluate("window.stillTheSamePage = true")
    worker = start_worker(media_root=settings.MEDIA_ROOT)
    try:
        expect(page.locator("#job-status a.job-download")).to_be_visible(timeout=WORKER_TIMEOUT_MS)
    finally:
        stop_worker(worker)
    # htmx swapped the status in place (no reload), and stopped asking once it was done.
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator("#job-status")).not_to_have_attribute("hx-trigger", "every 1s")
    assert downloaded_pdf(page).startswith(b"%PDF-")


def test_without_javascript_the_job_page_refreshes_itself_until_the_brief_is_ready(
    browser, live_server, minsk_2025, settings
):
    """The strict CSP does not stop a <meta http-equiv="refresh"> (inside <noscript>)."""
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    try:
        sign_in_and_export(page, live_server, minsk_2025)
        expect(page.locator("#job-status progress")).to_be_visible()
        worker = start_worker(media_root=settings.MEDIA_ROOT)
        try:
            expect(page.locator("#job-status a.job-download")).to_be_visible(
                timeout=WORKER_TIMEOUT_MS
            )
        finally:
            stop_worker(worker)
        assert downloaded_pdf(page).startswith(b"%PDF-")
    finally:
        context.close()
