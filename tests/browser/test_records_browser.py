"""Agreements, visits and action items in a real Chromium: record a visit, follow up, conflict.

Run alone with: pytest -m browser tests/browser/test_records_browser.py
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from delegations.models import ActionItem, Visit
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    PartnershipFactory,
    PersonFactory,
    editor,
)

PASSWORD = "correct-horse-battery"
SAVE = "#record-form .form-actions button[type=submit]"


@pytest.fixture
def data(transactional_db):
    return {
        "partnership": PartnershipFactory(),
        "head": PersonFactory(full_name="Trần Sỹ Thanh"),
        "member": PersonFactory(full_name="Nguyễn Mạnh Quyền"),
        "lan": editor(username="lan"),
        "minh": editor(username="minh"),
    }


def log_in(page, base_url, username):
    page.goto(f"{base_url}{reverse('login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_an_editor_records_a_visit_adds_an_action_item_and_changes_its_status_inline(
    live_server, page, data
):
    log_in(page, live_server.url, "lan")
    page.goto(f"{live_server.url}{reverse('delegations:visit_create')}")
    page.select_option("select[name=partnership]", str(data["partnership"].pk))
    page.select_option("select[name=direction]", "outgoing")
    page.fill("input[name=title]", "Đoàn Hà Nội thăm Minsk")
    page.fill("input[name=start_date]", "11/05/2025")
    page.fill("input[name=end_date]", "13/05/2025")
    # People are typed into a picker (a name that names one person is enough).
    page.fill("input[name=participants-0-person]", "Trần Sỹ Thanh")
    page.select_option("select[name=participants-0-role]", "head")
    page.fill("input[name=participants-1-person]", "Nguyễn Mạnh Quyền")
    page.fill("input[name=engagements-0-date]", "12/05/2025")
    page.fill("input[name=engagements-0-title]", "Hội đàm với Chủ tịch Minsk")
    page.fill("input[name=engagements-1-date]", "13/05/2025")
    page.fill("input[name=engagements-1-title]", "Thăm Công viên công nghệ cao")
    # "Add a row" swaps the form in place with one more row and keeps what was typed.
    page.click("#formset-engagements button[name=add_row]")
    expect(page.locator("input[name=engagements-3-title]")).to_be_attached()
    expect(page.locator("input[name=engagements-1-title]")).to_have_value(
        "Thăm Công viên công nghệ cao"
    )
    page.click(SAVE)

    page.wait_for_url(re.compile(r"/visits/\d+/$"))
    visit = Visit.objects.get()
    expect(page.locator("h1")).to_have_text("Đoàn Hà Nội thăm Minsk")
    expect(page.locator("main")).to_contain_text("Trần Sỹ Thanh")
    expect(page.locator("main")).to_contain_text("Thăm Công viên công nghệ cao")
    assert visit.participants.count() == 2
    assert visit.engagements.count() == 2

    page.click(f"a[href^='{reverse('delegations:actionitem_create')}']")
    page.fill("textarea[name=description]", "Tổ chức Ngày Văn hóa Hà Nội tại Minsk")
    page.fill("input[name=due_on]", "09/2025")
    page.click(SAVE)
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    item = ActionItem.objects.get()
    assert item.visit == visit

    page.goto(f"{live_server.url}{reverse('delegations:actionitem_list')}")
    page.evaluate("window.__notReloaded = true")
    block = page.locator(f"#actionitem-status-{item.pk}")
    block.locator("summary").click()
    block.locator("select").select_option("done")
    block.locator("textarea").fill("Đã tổ chức xong")
    block.locator("button[type=submit]").click()
    expect(page.locator(f"#actionitem-status-{item.pk} .status-saved")).to_be_visible()
    expect(page.locator(f"#actionitem-status-{item.pk} .badge").first).to_have_class(
        re.compile("badge-done")
    )
    assert page.evaluate("window.__notReloaded") is True
    item.refresh_from_db()
    assert item.status == "done"
    assert item.updates.get().author == data["lan"]
    # The address bar still shows the list (issue 14, finding 1): F5 reloads the list.
    assert page.url == f"{live_server.url}{reverse('delegations:actionitem_list')}"
    response = page.reload()
    assert response is not None
    assert response.ok
    expect(page.locator("h1")).to_have_text(re.compile("."))


def test_the_list_filters_live_and_pushes_the_url(live_server, page, data):
    AgreementFactory(reference="HN-VTE-2017-01", status="expired")
    AgreementFactory(reference="HN-MSK-2023-01", status="in_force")
    log_in(page, live_server.url, "lan")
    page.goto(f"{live_server.url}{reverse('agreements:agreement_list')}")
    page.evaluate("window.__notReloaded = true")
    page.select_option("select[name=status]", "expired")
    expect(page.locator("#agreement-results")).not_to_contain_text("HN-MSK-2023-01")
    expect(page.locator("#agreement-results")).to_contain_text("HN-VTE-2017-01")
    assert "status=expired" in page.url
    assert page.evaluate("window.__notReloaded") is True


def test_two_editors_saving_the_same_visit_get_a_conflict_not_a_lost_update(
    live_server, browser, data
):
    visit = Visit.objects.create(
        partnership=data["partnership"], direction="incoming", title="Đoàn Minsk thăm Hà Nội"
    )
    pages = []
    for username in ("lan", "minh"):
        context = browser.new_context()
        page = context.new_page()
        log_in(page, live_server.url, username)
        page.goto(f"{live_server.url}{reverse('delegations:visit_edit', args=[visit.pk])}")
        pages.append(page)
    lan, minh = pages

    lan.fill("input[name=place]", "Hà Nội")
    lan.click(SAVE)
    lan.wait_for_url(f"{live_server.url}{visit.get_absolute_url()}")

    minh.fill("input[name=title]", "Đoàn Ủy ban Hành chính Minsk thăm Hà Nội")
    minh.click(SAVE)
    conflict = minh.locator("#edit-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("lan")
    visit.refresh_from_db()
    assert (visit.title, visit.place) == ("Đoàn Minsk thăm Hà Nội", "Hà Nội")

    # Minh's title is still in the form, Lan's place was taken in: saving again applies both.
    expect(minh.locator("input[name=place]")).to_have_value("Hà Nội")
    minh.click(SAVE)
    minh.wait_for_url(f"{live_server.url}{visit.get_absolute_url()}")
    visit.refresh_from_db()
    assert (visit.title, visit.place) == ("Đoàn Ủy ban Hành chính Minsk thăm Hà Nội", "Hà Nội")


def test_a_stale_inline_status_change_shows_the_conflict_in_place(live_server, browser, data):
    item = ActionItemFactory(description="Trao đổi đoàn nghệ thuật")
    pages = []
    for username in ("lan", "minh"):
        context = browser.new_context()
        page = context.new_page()
        log_in(page, live_server.url, username)
        page.goto(f"{live_server.url}{reverse('delegations:actionitem_list')}")
        pages.append(page)
    for page, status in zip(pages, ("done", "dropped"), strict=True):
        block = page.locator(f"#actionitem-status-{item.pk}")
        block.locator("summary").click()
        block.locator("select").select_option(status)
        block.locator("button[type=submit]").click()
        if status == "done":
            expect(page.locator(f"#actionitem-status-{item.pk} .status-saved")).to_be_visible()
    expect(pages[1].locator(f"#actionitem-status-{item.pk} #edit-conflict")).to_contain_text("lan")
    item.refresh_from_db()
    assert item.status == "done"
