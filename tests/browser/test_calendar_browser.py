"""Calendar, My work, map and statistics pages in Chromium: htmx month moves, filters."""

import re

import pytest
from playwright.sync_api import expect

from demo.loader import load_demo

PASSWORD = "demo-pass-2025"


@pytest.fixture
def signed_in(page, live_server, transactional_db):
    load_demo(password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "demo-editor")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    return page


def test_the_calendar_moves_month_by_month_in_place(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/calendar/?month=2025-04")
    page.evaluate("window.notReloaded = true")
    page.locator("#calendar-body a[rel=next]").click()
    expect(page.locator("#calendar-body h2")).to_contain_text("2025")
    expect(page).to_have_url(re.compile(r"month=2025-05"))
    expect(page.locator("#calendar-body")).to_contain_text("Minsk")
    assert page.evaluate("window.notReloaded") is True
    page.select_option("select[name=view]", "agenda")
    expect(page).to_have_url(re.compile(r"view=agenda"))
    expect(page.locator("#calendar-body .agenda-day").first).to_be_visible()


def test_a_busy_days_more_link_opens_the_agenda_at_that_day_in_place(signed_in, live_server):
    from tests.browser.pages import busy_day

    busy_day()  # a visit and six timed programme items on 20 May 2025
    page = signed_in
    in_english(page, live_server)
    page.goto(f"{live_server.url}/calendar/?month=2025-05")
    page.evaluate("window.notReloaded = true")
    more = page.get_by_role("link", name=re.compile(r"^\d+ more events on 20 May$"))
    expect(more).to_have_text(re.compile(r"^\+\d+ more$"))
    more.click()
    expect(page).to_have_url(re.compile(r"view=agenda.*day=2025-05-20"))
    expect(page.locator("#day-2025-05-20")).to_be_visible()
    expect(page.locator("#calendar-body")).to_contain_text("Làm việc lúc 13 giờ")
    assert page.evaluate("window.notReloaded") is True
    page.locator("#calendar-body a[rel=first]").click()
    expect(page).not_to_have_url(re.compile(r"day="))


def in_english(page, live_server) -> None:
    page.goto(f"{live_server.url}/calendar/")
    with page.expect_navigation():
        page.locator("form.language-switch button[value=en]").click()


def test_my_work_shows_the_items_assigned_to_demo_editor(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/my-work/")
    expect(page.locator("#my-work-results")).to_contain_text("Diễn đàn kinh tế tại Minsk")


def test_the_partner_map_links_each_city_to_its_partnership(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/map/")
    points = page.locator("svg.partner-map a.point")
    expect(points).to_have_count(4)
    page.locator("svg.partner-map a.point", has_text="Viêng Chăn").click()
    expect(page.locator("h1")).to_have_text("Hà Nội – Viêng Chăn")
    expect(page.locator("#partner-map-block svg")).to_be_visible()


def test_the_statistics_page_shows_its_charts_under_the_strict_csp(signed_in, live_server):
    page = signed_in
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/statistics/?from_year=2016&until_year=2025")
    expect(page.locator("svg.chart")).to_have_count(6)
    expect(page.locator("#chart-visits-title")).to_have_count(1)
    assert not [e for e in errors if "Content Security Policy" in e]


def test_following_a_partnership_brings_it_into_my_work(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/map/")
    page.locator("svg.partner-map a.point", has_text="Viêng Chăn").click()
    expect(page.locator("h1")).to_have_text("Hà Nội – Viêng Chăn")
    # The followers block is swapped in place (htmx), no page load.
    page.locator("#followers footer button").click()
    # Followed: the button now stops following (it posts no "follow").
    expect(page.locator("#followers input[name=follow]")).to_have_count(0)
    expect(page.locator("#followers")).to_contain_text("Bạn đã theo dõi quan hệ đối tác này.")
    page.goto(f"{live_server.url}/my-work/")
    expect(page.locator("#followed-partnerships")).to_contain_text("Hà Nội – Viêng Chăn")
