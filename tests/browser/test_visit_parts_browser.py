"""A visit's rows edited one at a time in a real Chromium (issue 13 pt 6, issue 17 pt 8).

Run alone with: pytest -m browser tests/browser/test_visit_parts_browser.py
"""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from delegations.models import Engagement, Visit
from tests.browser.test_records_browser import log_in
from tests.factories import EngagementFactory, VisitFactory, editor

pytestmark = pytest.mark.browser


@pytest.fixture
def visit(transactional_db: None) -> Visit:
    editor(username="lan")
    visit = VisitFactory(title="Đoàn Hà Nội thăm Minsk")
    EngagementFactory(visit=visit, title="Hội đàm", date=dt.date(2025, 5, 12))
    return visit


def test_programme_items_are_added_changed_and_removed_in_place(
    live_server: object, page: Page, visit: Visit
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    log_in(page, base, "lan")
    page.goto(f"{base}{reverse('delegations:visit_detail', args=[visit.pk])}")
    section = page.locator("#part-programme")

    # Add: the form opens at the end of the list, the saved row takes its place.
    section.locator(".part-add a").click()
    form = section.locator("#part-form-programme-new")
    form.locator("input[name=date]").fill("12/05/2025")
    form.locator("input[name=time]").fill("14:00")
    form.locator("input[name=end_time]").fill("15:30")
    form.locator("input[name=title]").fill("Thăm Nhà máy Máy kéo Minsk")
    form.locator("select[name=dress]").select_option("business")
    form.locator(".form-actions button[type=submit]").click()
    expect(section.locator("#part-form-programme-new")).to_have_count(0)
    expect(section).to_contain_text("Thăm Nhà máy Máy kéo Minsk")
    expect(section).to_contain_text("14:00–15:30")
    added = Engagement.objects.get(title="Thăm Nhà máy Máy kéo Minsk")

    # Change: an error stays in the row's form, then the corrected row replaces it.
    row = section.locator(f"#part-programme-{added.pk}")
    row.locator("a[href$='/edit/']").click()
    edit = section.locator(f"#part-form-programme-{added.pk}")
    edit.locator("input[name=end_time]").fill("13:00")
    edit.locator(".form-actions button[type=submit]").click()
    expect(edit.locator("#id_end_time_error")).to_be_visible()
    edit.locator("input[name=end_time]").fill("16:00")
    edit.locator(".form-actions button[type=submit]").click()
    expect(section.locator(f"#part-programme-{added.pk}")).to_contain_text("14:00–16:00")
    assert page.url.endswith(f"/visits/{visit.pk}/")  # no navigation happened

    # Remove: confirmed, the row goes; the history keeps it.
    page.once("dialog", lambda dialog: dialog.accept())
    section.locator(f"#part-programme-{added.pk}").locator("a[href$='/delete/']").click()
    expect(section.locator(f"#part-programme-{added.pk}")).to_have_count(0)
    assert not Engagement.objects.filter(pk=added.pk).exists()
    assert Engagement.history.filter(id=added.pk, history_type="-").exists()


def test_a_delegation_member_is_added_as_a_row_without_reloading(
    live_server: object, page: Page, visit: Visit
) -> None:
    from tests.factories import PersonFactory

    PersonFactory(full_name="Nguyễn Mạnh Quyền")
    base = live_server.url  # type: ignore[attr-defined]
    log_in(page, base, "lan")
    page.goto(f"{base}{reverse('delegations:visit_detail', args=[visit.pk])}")
    section = page.locator("#part-people")
    section.locator(".part-add a").click()
    form = section.locator("#part-form-people-new")
    form.locator("input[name=person]").fill("Nguyễn Mạnh Quyền")
    form.locator("select[name=role]").select_option("press")
    form.locator("input[name=phone]").fill("+84 904 123 456")
    form.locator(".form-actions button[type=submit]").click()
    expect(section).to_contain_text("Nguyễn Mạnh Quyền")
    expect(section).to_contain_text("+84 904 123 456")
    assert visit.participants.get().role == "press"


def test_a_removed_programme_item_is_restored_from_the_history_with_its_counterparts(
    live_server: object, page: Page, visit: Visit
) -> None:
    from tests.factories import PersonFactory

    item = Engagement.objects.get(visit=visit)
    item.counterparts.set([PersonFactory(full_name="Thị trưởng Minsk")])
    base = live_server.url  # type: ignore[attr-defined]
    log_in(page, base, "lan")
    page.goto(f"{base}{reverse('delegations:visit_detail', args=[visit.pk])}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#part-programme-{item.pk}").locator("a[href$='/delete/']").click()
    expect(page.locator(f"#part-programme-{item.pk}")).to_have_count(0)

    page.reload()
    restore = page.locator("#history").get_by_role("button", name="Khôi phục")
    expect(restore).to_have_count(1)
    restore.click()

    expect(page.locator(f"#part-programme-{item.pk}")).to_contain_text("Hội đàm")
    expect(page.locator("#history").get_by_role("button", name="Khôi phục")).to_have_count(0)
    assert [p.full_name for p in Engagement.objects.get(pk=item.pk).counterparts.all()] == [
        "Thị trưởng Minsk"
    ]
