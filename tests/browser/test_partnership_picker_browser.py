"""The agreements list's partnership filter is a typed picker (issue 16), in a real Chromium:
type part of the two cities' names, take the suggestion, submit, see the filtered list;
with the keyboard alone too.

Run alone with: pytest -m browser tests/browser/test_partnership_picker_browser.py
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_records_browser import log_in
from tests.factories import (
    AgreementFactory,
    CityFactory,
    HomeCityFactory,
    PartnershipFactory,
    editor,
)

BOX = "input[name=partnership]"
OPTIONS = "#id_partnership-options option"


@pytest.fixture
def data(transactional_db):
    ha_noi = HomeCityFactory(name="Hà Nội", name_en="Hanoi")
    vientiane = PartnershipFactory(
        home_city=ha_noi, partner_city=CityFactory(name="Viêng Chăn", name_en="Vientiane")
    )
    minsk = PartnershipFactory(home_city=ha_noi, partner_city=CityFactory(name="Minsk"))
    AgreementFactory(partnership=vientiane, reference="HN-VTE-2017-01")
    AgreementFactory(partnership=minsk, reference="HN-MSK-2023-01")
    editor(username="lan")
    return {"vientiane": vientiane, "minsk": minsk}


def open_list(page, base_url):
    log_in(page, base_url, "lan")
    page.goto(f"{base_url}{reverse('agreements:agreement_list')}")
    page.evaluate("window.__notReloaded = true")
    if not page.locator(BOX).is_visible():  # a narrow screen folds the filters
        page.locator("details.filters-more summary").click()


def test_typing_part_of_the_cities_and_taking_the_suggestion_filters_the_list(
    live_server, page, data
):
    label = f"Hà Nội – Viêng Chăn (#{data['vientiane'].pk})"
    open_list(page, live_server.url)
    # A small office: the box offers every partnership before anything is typed.
    expect(page.locator(OPTIONS)).to_have_count(2)
    page.locator(BOX).press_sequentially("vientiane", delay=30)
    # The suggestions fetched by htmx: the one partnership matching, by its id.
    expect(page.locator(OPTIONS)).to_have_count(1)
    expect(page.locator(OPTIONS).first).to_have_attribute("value", label)
    page.locator(BOX).fill(page.locator(OPTIONS).first.get_attribute("value") or "")
    page.locator(BOX).press("Enter")
    results = page.locator("#agreement-results")
    expect(results).not_to_contain_text("HN-MSK-2023-01")
    expect(results).to_contain_text("HN-VTE-2017-01")
    assert "partnership=" in page.url
    assert page.evaluate("window.__notReloaded") is True


def test_the_keyboard_alone_filters_by_a_partnership_typed_in(live_server, page, data):
    open_list(page, live_server.url)
    page.locator(BOX).focus()
    page.keyboard.type("ha noi minsk", delay=30)
    expect(page.locator(OPTIONS)).to_have_count(1)
    page.keyboard.press("Enter")
    results = page.locator("#agreement-results")
    expect(results).not_to_contain_text("HN-VTE-2017-01")
    expect(results).to_contain_text("HN-MSK-2023-01")
    # A name naming several: the list says why and shows no row as if unfiltered.
    page.locator(BOX).fill("ha noi")
    page.keyboard.press("Enter")
    expect(results.locator("[role=alert]")).to_be_visible()
    expect(results).not_to_contain_text("HN-MSK-2023-01")
    expect(results).not_to_contain_text("HN-VTE-2017-01")
