"""Clicking "Export brief (PDF)" on a visit page downloads the brief (Chromium, Playwright)."""

from pathlib import Path

import pytest

from delegations.models import Visit
from demo.loader import load_demo

PASSWORD = "demo-pass-2025"
MINSK_2025 = "Đoàn đại biểu TP Hà Nội thăm, làm việc tại TP Minsk (Belarus)"


@pytest.fixture
def minsk_2025(transactional_db):
    load_demo(password=PASSWORD)
    return Visit.objects.get(title=MINSK_2025)


def test_viewer_clicks_export_brief_on_the_visit_page_and_receives_a_pdf(
    page, live_server, minsk_2025
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "demo-viewer")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.goto(f"{live_server.url}/visits/{minsk_2025.pk}/")
    link = page.locator(f'a[href="/visits/{minsk_2025.pk}/brief.pdf"]')
    with page.expect_download(timeout=60_000) as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"brief-{minsk_2025.pk}-")
    assert download.suggested_filename.endswith(".pdf")
    with Path(download.path()).open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
