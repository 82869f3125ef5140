"""Reverting an import in a real Chromium, as an administrator would: log page → confirm."""

from __future__ import annotations

from typing import Any

import pytest

from agreements.models import Agreement
from sheets.importing import run_import
from sheets.models import ImportLog
from tests.factories import CityFactory, UserFactory
from tests.sheets import agreement_row, csv_bytes

PASSWORD = "correct-horse-battery"

pytestmark = pytest.mark.browser


@pytest.fixture
def imported(transactional_db: Any) -> ImportLog:
    CityFactory(name="Hà Nội", country="VN", is_home=True)
    CityFactory(name="Minsk", country="BY")
    outcome = run_import(
        sheet="agreements",
        file_name="hop-tac.csv",
        data=csv_bytes([agreement_row(signatories="Nguyễn Văn A (Chủ tịch)")]),
        dry_run=False,
    )
    assert outcome.ok
    assert outcome.log is not None
    return outcome.log


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def test_an_administrator_reverts_an_import_from_its_log_page(
    live_server: Any, page: Any, imported: ImportLog
) -> None:
    admin = UserFactory(username="quantri-revert", role="administrator")
    log_in(page, live_server, admin.username)
    page.goto(f"{live_server.url}/imports/{imported.pk}/")

    with page.expect_navigation():
        page.click(f"a[href='/imports/{imported.pk}/revert/']")
    assert Agreement.objects.exists()  # the confirmation page changes nothing
    with page.expect_navigation():
        page.click(f"form[action='/imports/{imported.pk}/revert/'] button[type=submit]")

    assert not Agreement.objects.exists()
    assert page.url.endswith(f"/imports/{imported.pk}/")
    assert page.locator(".import-reverted").count() == 1
    assert page.locator(f"a[href='/imports/{imported.pk}/revert/']").count() == 0
    imported.refresh_from_db()
    assert imported.reverted_by == admin
