"""The partner map of many partnerships (a circle per country) in Chromium: axe-core in
both languages, and a country's circle leading to its partners. The demo's four
partnerships are made "many" by lowering the threshold (the live server runs in this
process); the map of four cities is in test_layout_browser.py's page states."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from demo.loader import load_demo
from tests.browser.test_layout_browser import BLOCKING, LAPTOP, PHONE, RUN_AXE

PASSWORD = "demo-pass-2025"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture
def national_map(page: Page, live_server: Any, transactional_db: None, monkeypatch) -> Page:
    monkeypatch.setattr("workspace.partner_map.PER_CITY_UP_TO", 2)
    load_demo(password=PASSWORD)
    page.add_init_script(path=str(AXE))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "demo-editor")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    return page


@pytest.mark.parametrize("language", ["vi", "en"])
def test_axe_finds_no_serious_violation_on_the_map_of_countries(
    national_map: Page, live_server: Any, language: str
) -> None:
    page = national_map
    page.goto(f"{live_server.url}/map/")
    if language == "en":
        with page.expect_navigation():
            page.locator("form.language-switch button[value=en]").click()
    expect(page.locator("svg.partner-map a.country-point")).to_have_count(3)  # BY, CN, LA
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        found = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
        assert found == [], found


def test_a_countrys_circle_opens_the_partners_list_of_that_country(
    national_map: Page, live_server: Any
) -> None:
    page = national_map
    page.goto(f"{live_server.url}/map/")
    with page.expect_navigation():
        page.locator("form.language-switch button[value=en]").click()
    circle = page.get_by_role("link", name="Belarus: 2 partnerships")
    expect(circle).to_have_count(1)
    circle.click()
    expect(page).to_have_url(re.compile(r"/partners/\?country=BY$"))
    expect(page.locator("#partnership-results")).to_contain_text("Minsk")
    expect(page.locator("#partnership-results")).not_to_contain_text("Viêng Chăn")
