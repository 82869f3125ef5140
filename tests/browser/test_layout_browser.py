"""Every page state (tests/browser/pages.py) fits a phone and passes axe-core.

At 390×844 (a phone) no page scrolls sideways; at 1366×900 and at 390×844 axe-core
(vendored from npm in tests/browser/vendor/, never served to users) finds no critical
or serious violation. One test per width walks every state, so that the demo data are
loaded once, and reports every failing state at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize

from common.roles import ADMINISTRATOR
from demo.loader import ensure_demo_user, load_demo
from tests.browser.pages import PageState, path_of, record_ids, selected_states

PASSWORD = "demo-pass-2025"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1366, "height": 900}
BLOCKING = {"critical", "serious"}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
    count: v.nodes.length,
  }));
}"""

WIDER_THAN_SCREEN = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) { return null; }
  const wide = [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 1)
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
         (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "") +
         " " + Math.round(el.getBoundingClientRect().right) + "px");
  return {scrollWidth: document.documentElement.scrollWidth, width, wide};
}"""


ACCOUNTS = {"editor": "demo-editor", "administrator": "demo-administrator"}
SIGNED_IN: dict[int, str] = {}  # id of the page → the role signed in on it


def sign_in(page: Page, base: str, role: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", ACCOUNTS[role])
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    SIGNED_IN[id(page)] = role


@pytest.fixture
def editor_page(page: Page, live_server: Any, transactional_db: None) -> Page:
    load_demo(password=PASSWORD)
    ensure_demo_user(ACCOUNTS["administrator"], ADMINISTRATOR, PASSWORD)
    page.add_init_script(path=str(AXE))
    sign_in(page, live_server.url, "editor")
    return page


def open_state(page: Page, base: str, state: PageState, ids: dict[str, int]) -> None:
    if SIGNED_IN.get(id(page)) != state.role:
        sign_in(page, base, state.role)
    response = page.goto(base + path_of(state, ids))
    assert response is not None
    assert response.status == state.status, f"{state.name}: {response.status}"
    if state.prepare is not None:
        state.prepare(page)


def axe_failures(page: Page, state: PageState) -> list[str]:
    found = page.evaluate(RUN_AXE)
    return [
        f"{state.name}: {v['impact']} {v['id']} ×{v['count']} ({v['help']}) at {v['targets']}"
        for v in found
        if v["impact"] in BLOCKING
    ]


def test_no_page_scrolls_sideways_on_a_phone(editor_page: Page, live_server: Any) -> None:
    page = editor_page
    page.set_viewport_size(PHONE)
    ids = record_ids()
    failures = []
    for state in selected_states():
        open_state(page, live_server.url, state, ids)
        overflow = page.evaluate(WIDER_THAN_SCREEN)
        if overflow is not None:
            failures.append(f"{state.name}: {overflow}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["1366px", "390px"])
def test_axe_finds_no_serious_violation_on_any_page(
    editor_page: Page, live_server: Any, size: ViewportSize
) -> None:
    page = editor_page
    page.set_viewport_size(size)
    ids = record_ids()
    failures: list[str] = []
    for state in selected_states():
        open_state(page, live_server.url, state, ids)
        failures.extend(axe_failures(page, state))
    assert failures == [], "\n".join(failures)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours (alpha ignored)."""

    def luminance(colour: str) -> float:
        parts = [float(p) for p in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [
            (p / 255) / 12.92 if p / 255 <= 0.04045 else ((p / 255 + 0.055) / 1.055) ** 2.4
            for p in parts
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName, text: el.textContent.trim(), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), colour: style.outlineColor};
}"""


def test_the_first_tab_reaches_a_skip_link_to_the_content(
    editor_page: Page, live_server: Any
) -> None:
    page = editor_page
    page.goto(f"{live_server.url}/visits/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    # The next stop is inside the page, not the header's search or menu.
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@pytest.mark.parametrize("selector", ["header .app-nav a", "main a[role=button]", "main input"])
def test_focus_is_visible_at_three_to_one(
    editor_page: Page, live_server: Any, selector: str
) -> None:
    page = editor_page
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/visits/")
    page.locator(selector).first.focus()
    # Focus from the keyboard: :focus-visible applies.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ring = page.evaluate(FOCUS_RING)
    assert ring["style"] != "none", ring
    assert ring["width"] >= 2, ring
    assert contrast(ring["colour"], "rgb(255, 255, 255)") >= 3, ring


def test_on_a_phone_the_menu_and_filters_are_folded_until_opened(
    editor_page: Page, live_server: Any
) -> None:
    page = editor_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/actions/")
    nav = page.locator("nav.app-nav")
    assert not nav.is_visible()
    page.locator(".app-menu > summary").click()
    assert nav.get_by_role("link", name="Chuyến thăm").is_visible()
    page.locator(".app-menu > summary").click()
    assert not nav.is_visible()
    # The text search shows; the other filters wait behind their summary.
    assert page.locator("form.filters input[name=q]").is_visible()
    status = page.locator("form.filters select[name=status]")
    assert not status.is_visible()
    page.locator(".filters-more > summary").click()
    assert status.is_visible()
    # The header takes a sixth of the screen at most (it took 43 % before the menu folded).
    header = page.locator("header.app-header").bounding_box()
    assert header is not None
    assert header["height"] < 0.17 * PHONE["height"]


def test_on_a_laptop_the_menu_and_filters_are_open(editor_page: Page, live_server: Any) -> None:
    page = editor_page
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/actions/")
    assert page.locator("nav.app-nav a").first.is_visible()
    assert not page.locator(".app-menu > summary").is_visible()
    assert page.locator("form.filters select[name=status]").is_visible()


# How many lines of text a list's title cell (td.title-cell) and each button take.
TEXT_LINES = """() => {
  const linesOf = (el) => {
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    const range = document.createRange();
    range.selectNodeContents(el);
    return Math.round(range.getBoundingClientRect().height / line);
  };
  const shown = (el) => el.getClientRects().length > 0;
  const titles = [...document.querySelectorAll("td.title-cell")].filter(shown)
    .map(el => ({text: el.textContent.trim().slice(0, 50), lines: linesOf(el)}));
  const buttons = [...document.querySelectorAll("main button, main [role=button], header button")]
    .filter(shown).filter(el => el.textContent.trim())
    .map(el => {
      const style = getComputedStyle(el);
      const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
      const inner = el.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      return {text: el.textContent.trim().slice(0, 40), lines: Math.round(inner / line)};
    });
  return {titles, buttons};
}"""
TITLE_LINES = 4


@pytest.mark.parametrize("path", ["/agreements/", "/visits/", "/actions/"])
def test_list_tables_give_titles_the_room_and_no_button_wraps_at_1366(
    editor_page: Page, live_server: Any, path: str
) -> None:
    page = editor_page
    page.set_viewport_size(LAPTOP)
    page.goto(live_server.url + path)
    found = page.evaluate(TEXT_LINES)
    assert found["titles"], "the list marks its title cells (td.title-cell)"
    tall = [t for t in found["titles"] if t["lines"] > TITLE_LINES]
    assert tall == [], tall
    wrapped = [b for b in found["buttons"] if b["lines"] > 1]
    assert wrapped == [], wrapped


# Each filter error's box against its own field's and every other field's box.
ERROR_BOXES = """() => [...document.querySelectorAll("form.filters small.error")].map(error => {
  const label = error.closest("label");
  const field = label.querySelector("select, input");
  const box = error.getBoundingClientRect();
  const own = field.getBoundingClientRect();
  const others = [...document.querySelectorAll("form.filters select, form.filters input")]
    .filter(el => el !== field && el.getClientRects().length > 0)
    .map(el => el.getBoundingClientRect())
    .filter(r => r.left < box.right && box.left < r.right && r.top < box.bottom && box.top < r.bottom);
  return {text: error.textContent.trim(), gap: box.top - own.bottom, covered: others.length};
})"""


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["1366px", "390px"])
@pytest.mark.parametrize(
    "path", ["/agreements/?status=zzz", "/visits/?direction=zzz", "/actions/?status=zzz&due=zzz"]
)
def test_a_filter_error_sits_below_its_field_and_under_no_other(
    editor_page: Page, live_server: Any, size: ViewportSize, path: str
) -> None:
    """An invalid filter in a shared link says why under its own field, in full view: the
    error once slid .75rem up behind the box above it (Pico's margin for a <small> after a
    field, meant for fields that keep their bottom margin)."""
    page = editor_page
    page.set_viewport_size(size)
    page.goto(live_server.url + path)
    page.locator(".filters-more").evaluate("el => el.open = true")
    errors = page.evaluate(ERROR_BOXES)
    assert errors, "the invalid filter is reported under its field"
    assert all(e["gap"] >= 0 for e in errors), errors
    assert all(e["covered"] == 0 for e in errors), errors
