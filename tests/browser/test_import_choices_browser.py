"""The import preview's choices in a real Chromium, as an editor makes them (issue 12,
points 3, 6, 7 and 8 on the web): map an unknown column and an unknown value, tick a new
city, save the mapping, confirm; upload again with the saved mapping; read month-first
date cells as they were meant."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from agreements.models import Agreement
from partnerships.models import City
from sheets.models import SavedMapping
from tests.factories import CityFactory, UserFactory

PASSWORD = "correct-horse-battery"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "sheets"
MONTH_FIRST = "office_title_row_monthfirst.xlsx"

pytestmark = pytest.mark.browser


@pytest.fixture
def editor_account(transactional_db: Any) -> Any:
    CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    CityFactory(name="Minsk", name_en="Minsk", country="BY")
    CityFactory(name="Viêng Chăn", name_en="Vientiane", country="LA")
    return UserFactory(username="editor-choices", role="editor")


def log_in(page: Page, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def office_sheet(first: int) -> bytes:
    """The office's columns, the reference under a header the import does not know
    ("Ký hiệu lưu"), the kind written as no label says ("Công hàm") and, on the first row,
    a partner city found nowhere ("Minskk")."""
    lines = ["Ký hiệu lưu,Thành phố đối tác,Quốc gia đối tác,Loại văn bản,Tên văn bản,Ngày ký"]
    lines += [
        f"HN-J-{n:02d},{'Minskk' if n == first else 'Minsk'},BY,Công hàm,Văn bản {n},07/12/2023"
        for n in range(first, first + 2)
    ]
    return ("\n".join(lines) + "\n").encode()


def upload(page: Page, name: str, data: bytes, *, saved_mapping: str = "") -> None:
    page.set_input_files(
        "form.import-upload input[type=file]",
        {"name": name, "mimeType": "application/octet-stream", "buffer": data},
    )
    if saved_mapping:
        page.locator("form.import-upload details.import-reading > summary").click()  # closed
        page.select_option("form.import-upload select[name=saved_mapping]", saved_mapping)
    with page.expect_navigation():
        page.click("form.import-upload button[value=preview]")


def preview_again(page: Page) -> None:
    with page.expect_navigation():
        page.click("form.import-reread button[value=reread]")


def confirm(page: Page) -> None:
    with page.expect_navigation():
        page.click("form.import-confirm button[value=confirm]")


def test_an_editor_maps_a_column_a_value_and_a_new_city_then_reuses_the_mapping(
    live_server: Any, page: Page, editor_account: Any
) -> None:
    log_in(page, live_server, editor_account.username)
    page.goto(f"{live_server.url}/agreements/import/")
    upload(page, "so-luu.csv", office_sheet(0))

    reread = page.locator("form.import-reread")
    assert page.locator("form.import-confirm").count() == 0  # it asks first
    assert reread.locator("input[name=header_0]").input_value() == "Ký hiệu lưu"
    reread.locator("select[name=map_0]").select_option("reference")
    assert reread.locator("input[name=valuekey_0]").input_value() == "kind:Công hàm"
    reread.locator("select[name=value_0]").select_option("letter_of_intent")
    assert reread.locator("input[name=citykey_0]").input_value() == "Minskk"
    reread.locator("input[name=newcity_0]").check()
    how = reread.locator("details")
    if how.get_attribute("open") is None:  # open when the preview refuses
        how.locator("> summary").click()
    reread.locator("input[name=save_mapping_as]").fill("Sổ lưu")
    preview_again(page)

    assert page.locator(".message-success").count() == 1  # the mapping was saved
    assert page.locator("form.import-reread select[name=map_0]").count() == 0
    assert not Agreement.objects.exists()
    confirm(page)

    assert page.locator(".message-success").count() == 1
    assert dict(Agreement.objects.values_list("reference", "kind")) == {
        "HN-J-00": "letter_of_intent",
        "HN-J-01": "letter_of_intent",
    }
    created = City.objects.get(name="Minskk")
    assert created.country == "BY"
    assert Agreement.objects.get(reference="HN-J-00").partnership.partner_city == created
    saved = SavedMapping.objects.get(sheet="agreements", name="Sổ lưu")
    assert saved.columns == {"reference": "Ký hiệu lưu"}
    assert saved.values == {"kind": {"Công hàm": "letter_of_intent"}}

    # A similar sheet, with the saved mapping: previewed without asking again.
    page.goto(f"{live_server.url}/agreements/import/")
    upload(
        page, "so-luu-2.csv", office_sheet(2).replace(b"Minskk", b"Minsk"), saved_mapping="Sổ lưu"
    )

    assert page.locator("form.import-reread select[name^=map_]").count() == 0
    assert page.locator("form.import-reread select[name^=value_]").count() == 0
    assert page.locator("form.import-reread input[name^=newcity_]").count() == 0
    confirm(page)

    assert Agreement.objects.filter(kind="letter_of_intent").count() == 4
    assert Agreement.objects.filter(reference__in=["HN-J-02", "HN-J-03"]).count() == 2
    assert City.objects.filter(name="Minskk").count() == 1


def test_an_editor_chooses_how_to_read_each_ambiguous_date_column(
    live_server: Any, page: Page, editor_account: Any
) -> None:
    log_in(page, live_server, editor_account.username)
    page.goto(f"{live_server.url}/agreements/import/")
    upload(page, MONTH_FIRST, (FIXTURES / MONTH_FIRST).read_bytes())

    assert page.locator("table.import-ambiguous-dates tbody tr").count() > 0
    assert page.locator("form.import-confirm").count() == 0
    reread = page.locator("form.import-reread")
    assert [reread.locator(f"input[name=datekey_{n}]").input_value() for n in (0, 1)] == [
        "signed_on:Ngày ký",
        "valid_from:Hiệu lực từ",
    ]
    for number in (0, 1):
        reread.locator(f"select[name=datecells_{number}]").select_option("day-month-swapped")
    preview_again(page)

    assert page.locator("table.import-ambiguous-dates").count() == 0
    assert not Agreement.objects.exists()
    confirm(page)

    stored = {
        a.reference: (a.signed_on, a.valid_from, a.valid_until) for a in Agreement.objects.all()
    }
    assert stored == {
        "HN-MSK-2004": (dt.date(2004, 6, 12), dt.date(2004, 6, 12), None),
        "HN-MSK-CT-2024": (dt.date(2023, 12, 7), dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
        "HN-VC-MOU-2017": (dt.date(2017, 9, 25), dt.date(2017, 9, 25), dt.date(2020, 9, 24)),
    }
