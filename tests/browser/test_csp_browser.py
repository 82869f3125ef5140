"""Every page, the admin included, works under the strict Content-Security-Policy.

A real Chromium records each violation the page reports (the
``securitypolicyviolation`` event and the console's "Content Security Policy"
errors) while the test walks the admin and crawls the workspace.
"""

from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from demo.loader import load_demo
from partnerships.models import Partnership

PASSWORD = "demo-pass-2025"
# Pages whose GET changes something or leaves the page: not crawled.
SKIP_PREFIXES = ("/admin/", "/accounts/logout", "/i18n/", "/static/", "/media/")

REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}` +
    (event.sample ? ` (${event.sample})` : "")
  );
});
"""


@pytest.fixture
def demo_data(transactional_db):
    load_demo(password=PASSWORD)
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)


@pytest.fixture
def violations(page):
    found: list[str] = []

    def report(text: str) -> None:
        found.append(text)

    page.expose_function("reportCspViolation", report)
    page.add_init_script(REPORTER)
    page.on(
        "console",
        lambda message: (
            found.append(f"console: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def log_in(page, url, username):
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def test_the_admin_works_under_the_policy(live_server, demo_data, page, violations):
    # Eleven admin pages on the single-threaded live server: on a loaded CI machine one
    # can take longer than Playwright's default 30 s to settle. Slow is not broken here.
    page.set_default_timeout(90_000)
    log_in(page, f"{live_server.url}/admin/login/", "root")
    assert page.locator("#user-tools").is_visible()
    partnership = Partnership.objects.order_by("pk").first()
    assert partnership is not None
    change = f"/admin/partnerships/partnership/{partnership.pk}"
    record = partnership.history.order_by("history_id").first()
    for path in (
        "/admin/",
        "/admin/partnerships/partnership/",
        "/admin/partnerships/partnership/?q=a",
        f"{change}/change/",
        f"{change}/history/",
        f"{change}/history/{record.history_id}/",
        "/admin/delegations/visit/add/",
        "/admin/delegations/actionitem/",
        "/admin/auth/user/",
        "/admin/axes/accessattempt/",
        "/admin/agreements/agreement/add/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    # The admin's own scripts run: the calendar of the first date field opens.
    page.click("#calendarlink0")
    page.locator("#calendarbox0").wait_for(state="visible", timeout=30_000)
    assert violations == []


def same_site_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    base_host = urlsplit(base).netloc
    links = []
    for href in hrefs:
        parts = urlsplit(urljoin(base, href))
        if parts.netloc == base_host and not parts.path.startswith(SKIP_PREFIXES):
            links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def route_of(path: str) -> str | None:
    try:
        match = resolve(path.split("?", maxsplit=1)[0])
    except Resolver404:
        return None
    return f"{match.route}?{'q' if '?' in path else ''}"


def test_every_workspace_page_works_under_the_policy(live_server, demo_data, page, violations):
    log_in(page, f"{live_server.url}/accounts/login/", "demo-editor")
    queue: list[str] = ["/"]
    seen_routes: set[str] = set()
    visited: list[str] = []
    while queue and len(visited) < 80:
        path = queue.pop(0)
        route = route_of(path)
        if route is None or route in seen_routes:
            continue
        seen_routes.add(route)
        try:
            response = page.goto(live_server.url + path)
        except Exception as error:  # a download (brief PDF, export) is not a page
            if "Download is starting" in str(error):
                continue
            raise
        assert response.status < 500, path
        page.wait_for_load_state("networkidle")
        visited.append(path)
        queue.extend(same_site_links(page, live_server.url))
    assert len(visited) > 5, visited
    assert violations == [], f"visited {visited}"


def test_htmx_swaps_work_under_the_policy(live_server, demo_data, page, violations):
    log_in(page, f"{live_server.url}/accounts/login/", "demo-editor")
    page.goto(f"{live_server.url}/actions/")
    box = page.locator(".actionitem-status").first
    box.locator("summary").click()
    box.locator("textarea").fill("Đã gửi công hàm (ghi chú thử CSP)")
    with page.expect_response(lambda r: "/status/" in r.url) as answer:
        box.locator("button[type=submit]").click()
    assert answer.value.status == 200
    # htmx swaps the answer in after it arrives: wait for it (a plain is_visible() raced
    # the swap on a loaded CI machine).
    expect(page.locator(".status-saved").first).to_be_visible()
    # A filter typed into a list swaps its results in place.
    page.goto(f"{live_server.url}/partners/")
    search = page.locator("main input[name=q]").first
    search.fill("Minsk")
    with page.expect_response(lambda r: "q=Minsk" in r.url):
        search.press("Enter")
    page.wait_for_load_state("networkidle")
    assert violations == []
