"""The inline status change of a cached action-items list in Chromium (issue 16).

The list's rows are cached as HTML for every editor (common/templatetags/fragments.py
puts each reader's CSRF token in): a second editor, served the rows the first one
cached, changes a status from the keyboard on a phone (htmx swaps the block in place),
and without JavaScript the same row's form is a plain POST that comes back to the list.
Nothing scrolls sideways and axe-core finds no critical or serious violation.

Run alone with: pytest -m browser tests/browser/test_actionitem_status_browser.py
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from delegations.models import ActionItem
from tests.browser.pages import PageState
from tests.browser.test_layout_browser import AXE, PHONE, WIDER_THAN_SCREEN, axe_failures
from tests.factories import ActionItemFactory, editor

PASSWORD = "correct-horse-battery"


@pytest.fixture
def item(transactional_db: None) -> ActionItem:
    editor(username="lan")
    editor(username="minh")
    ActionItemFactory.create_batch(3)
    return ActionItemFactory(description="Tổ chức Ngày Văn hóa Hà Nội tại Minsk")


def signed_in(browser: Browser, base: str, username: str, **options: Any) -> Page:
    page = browser.new_context(viewport=PHONE, **options).new_page()
    page.goto(f"{base}{reverse('login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    return page


def fits_and_passes_axe(page: Page, state: str) -> None:
    assert page.evaluate(WIDER_THAN_SCREEN) is None, state
    assert axe_failures(page, PageState(state, "")) == []


def cache_the_list(browser: Browser, base: str) -> None:
    """Lan opens the list first: the rows minh is served are the ones cached for her."""
    page = signed_in(browser, base, "lan")
    page.goto(f"{base}{reverse('delegations:actionitem_list')}")
    page.context.close()


def test_an_editor_changes_a_cached_rows_status_from_the_keyboard_on_a_phone(
    live_server: Any, browser: Browser, item: ActionItem
) -> None:
    cache_the_list(browser, live_server.url)
    page = signed_in(browser, live_server.url, "minh")
    page.add_init_script(path=str(AXE))
    page.goto(f"{live_server.url}{reverse('delegations:actionitem_list')}")
    page.evaluate("window.notReloaded = true")
    fits_and_passes_axe(page, "action items, cached rows")

    block = page.locator(f"#actionitem-status-{item.pk}")
    block.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(block.locator("details")).to_have_attribute("open", "")
    fits_and_passes_axe(page, "action items, status change open")
    status = block.get_by_label(re.compile("Trạng thái|Status"))
    status.focus()
    status.select_option("done")
    page.keyboard.press("Tab")
    page.keyboard.type("Đã tổ chức xong")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    saved = page.locator(f"#actionitem-status-{item.pk} [role=status]")
    expect(saved).to_be_visible()
    expect(page.locator(f"#actionitem-status-{item.pk} .badge").first).to_have_class(
        re.compile("badge-done")
    )
    assert page.evaluate("window.notReloaded") is True
    fits_and_passes_axe(page, "action items, status saved")
    item.refresh_from_db()
    assert item.status == "done"
    update = item.updates.select_related("author").get()
    assert update.author is not None
    assert update.author.username == "minh"


def test_without_javascript_a_cached_rows_status_form_posts_and_comes_back(
    live_server: Any, browser: Browser, item: ActionItem
) -> None:
    cache_the_list(browser, live_server.url)
    page = signed_in(browser, live_server.url, "minh", java_script_enabled=False)
    url = f"{live_server.url}{reverse('delegations:actionitem_list')}"
    page.goto(url)
    block = page.locator(f"#actionitem-status-{item.pk}")
    block.locator("summary").click()  # <details> opens without JavaScript
    block.locator("select").select_option("in_progress")
    with page.expect_navigation():
        block.locator("button[type=submit]").click()
    assert page.url == url
    item.refresh_from_db()
    assert item.status == "in_progress"
