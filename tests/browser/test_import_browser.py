"""Upload → preview → confirm in a real Chromium, as an editor would do it."""

from __future__ import annotations

import pytest

from agreements.models import Agreement
from sheets.models import ImportLog
from tests.factories import CityFactory, UserFactory
from tests.sheets import agreement_row, csv_bytes, xlsx_bytes

PASSWORD = "correct-horse-battery"


@pytest.fixture
def editor_account(transactional_db):
    CityFactory(name="Hà Nội", country="VN", is_home=True)
    CityFactory(name="Minsk", country="BY")
    return UserFactory(username="editor-import", role="editor")


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def test_an_editor_uploads_previews_and_confirms_an_import(live_server, page, editor_account):
    log_in(page, live_server, editor_account.username)
    page.goto(f"{live_server.url}/agreements/import/")

    page.set_input_files(
        "input[type=file]",
        {
            "name": "hop-tac.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": xlsx_bytes(
                [
                    agreement_row(
                        reference="HN-KZN-2025", partner_city="Kazan", partner_country="Nga"
                    ),
                    agreement_row(reference="HN-MSK-2030", title="<b>Văn hóa</b>"),
                ]
            ),
        },
    )
    with page.expect_navigation():
        page.click("button[value=preview]")

    rows = page.locator("table.import-rows tbody tr")
    assert rows.count() == 2
    assert "Kazan" in rows.nth(0).inner_text()
    assert page.locator("table.import-rows b").count() == 0
    assert not Agreement.objects.exists()

    with page.expect_navigation():
        page.click("button[value=confirm]")

    assert sorted(Agreement.objects.values_list("reference", flat=True)) == [
        "HN-KZN-2025",
        "HN-MSK-2030",
    ]
    assert Agreement.history.filter(history_user=editor_account).count() == 2
    assert ImportLog.objects.get().user == editor_account
    assert "/agreements/" in page.url
    assert page.locator(".message-success").count() == 1


def test_a_sheet_with_errors_shows_them_and_offers_no_confirm(live_server, page, editor_account):
    log_in(page, live_server, editor_account.username)
    page.goto(f"{live_server.url}/agreements/import/")

    page.set_input_files(
        "input[type=file]",
        {
            "name": "loi.csv",
            "mimeType": "text/csv",
            "buffer": csv_bytes([agreement_row(valid_from="31/02/2024")]),
        },
    )
    with page.expect_navigation():
        page.click("button[value=preview]")

    assert "31/02/2024" in page.locator("table.import-rows").inner_text()
    assert page.locator("button[value=confirm]").count() == 0
    assert not Agreement.objects.exists()
