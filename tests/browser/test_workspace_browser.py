"""A viewer searches from the header box and filters the partners list in place (Chromium)."""

import re

import pytest
from playwright.sync_api import expect

from demo.loader import load_demo

PASSWORD = "demo-pass-2025"


@pytest.fixture
def signed_in(page, live_server, transactional_db):
    load_demo(password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "demo-viewer")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    return page


def test_viewer_searches_vieng_chan_from_the_header_and_finds_it(signed_in, live_server):
    page = signed_in
    page.fill("header input[name=q]", "vieng chan")
    with page.expect_navigation():
        page.press("header input[name=q]", "Enter")
    cities = page.locator("#results-cities")
    expect(cities).to_contain_text("Viêng Chăn")
    expect(page).to_have_url(re.compile(r"/search/\?q=vieng\+chan"))
    cities.get_by_role("link", name="Hà Nội – Viêng Chăn").click()
    expect(page.locator("h1")).to_have_text("Hà Nội – Viêng Chăn")
    expect(page.locator("#agreements")).to_contain_text("HN-VC-MOU-2017-2020")


def test_live_search_updates_the_results_without_reloading(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/search/")
    page.evaluate("window.notReloaded = true")
    page.fill("#search-q", "dong ho")
    expect(page.locator("#results-visits")).to_contain_text("Minsk")
    expect(page).to_have_url(re.compile(r"q=dong(\+|%20)ho"))
    assert page.evaluate("window.notReloaded") is True


def test_partners_list_filters_in_place_and_pushes_the_url(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/partners/")
    page.evaluate("window.notReloaded = true")
    results = page.locator("#partnership-results")
    expect(results.locator("tbody tr")).to_have_count(4)

    page.select_option("select[name=country]", "LA")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text("Viêng Chăn")
    expect(page).to_have_url(re.compile(r"country=LA"))
    assert page.evaluate("window.notReloaded") is True

    page.go_back()
    expect(page.locator("#partnership-results tbody tr")).to_have_count(4)


def test_shared_filter_link_opens_the_filtered_list(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/partners/?q=minsk")
    rows = page.locator("#partnership-results tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("input[name=q]").last).to_have_value("minsk")
