"""The followers block of a partnership's page in Chromium, on a phone (390 px): an editor
adds a colleague and takes them off in place (htmx, no reload), the error of an empty
choice shows in the block, nothing scrolls sideways and axe-core finds no critical or
serious violation in any of these states."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from demo.loader import load_demo
from partnerships.models import Partnership
from tests.browser.pages import PageState
from tests.browser.test_layout_browser import AXE, PHONE, WIDER_THAN_SCREEN, axe_failures

PASSWORD = "demo-pass-2025"


@pytest.fixture
def minsk_page(page: Page, live_server: Any, transactional_db: None) -> Page:
    load_demo(password=PASSWORD)
    page.add_init_script(path=str(AXE))
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "demo-editor")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.goto(live_server.url + minsk().get_absolute_url())
    return page


def minsk() -> Partnership:
    """Hà Nội – Minsk (the demo has two partnerships with Minsk: the first recorded)."""
    found = Partnership.objects.filter(partner_city__name="Minsk").order_by("pk").first()
    assert found is not None
    return found


def fits_and_passes_axe(page: Page, state: str) -> None:
    assert page.evaluate(WIDER_THAN_SCREEN) is None, state
    assert axe_failures(page, PageState(state, "")) == []


def test_an_editor_adds_and_removes_a_follower_in_place_on_a_phone(minsk_page: Page) -> None:
    page = minsk_page
    block = page.locator("#followers")
    expect(block).to_be_visible()
    fits_and_passes_axe(page, "followers block")
    page.evaluate("window.notReloaded = true")

    block.locator("select[name=add]").select_option(label="demo-viewer")
    block.locator("#add-follower button[type=submit]").click()
    expect(page.locator("#followers [role=status]")).to_contain_text("demo-viewer")
    expect(page.locator("#followers ul.followers")).to_contain_text("demo-viewer")
    assert page.evaluate("window.notReloaded") is True
    fits_and_passes_axe(page, "follower added")
    assert minsk().followers.filter(username="demo-viewer").exists()

    page.locator("#followers ul.followers li", has_text="demo-viewer").locator(
        "button[type=submit]"
    ).click()
    expect(page.locator("#followers ul.followers li", has_text="demo-viewer")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
    assert not minsk().followers.filter(username="demo-viewer").exists()

    page.locator("#followers #add-follower button[type=submit]").click()
    expect(page.locator("#followers #id_add_error")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    fits_and_passes_axe(page, "no follower chosen")


def test_following_swaps_the_block_in_place_and_keeps_the_focus_on_the_button(
    minsk_page: Page,
) -> None:
    """Follow and stop following from the keyboard: the button changes in place (no
    reload), the list names the editor, a status line says so and the focus stays on
    the button, ready to undo."""
    page = minsk_page
    page.evaluate("window.notReloaded = true")
    button = page.locator("#follow-button")
    follow_label = button.inner_text()
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#followers input[name=follow]")).to_have_count(0)
    expect(button).not_to_have_text(follow_label)
    expect(page.locator("#followers [role=status]")).to_be_visible()
    expect(page.locator("#followers ul.followers")).to_contain_text("demo-editor")
    expect(button).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    assert minsk().followers.filter(username="demo-editor").exists()
    fits_and_passes_axe(page, "following")

    page.keyboard.press("Enter")
    expect(button).to_have_text(follow_label)
    expect(button).to_be_focused()
    expect(page.locator("#followers ul.followers li", has_text="demo-editor")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
    assert not minsk().followers.filter(username="demo-editor").exists()
