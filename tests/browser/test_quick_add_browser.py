"""Quick-add with htmx in a real Chromium: "New person" beside a visit row's person picker
opens the create form in a dialog; saved, the person is picked in that box, and the row
saves with them (common/quick_add.py). The plain-HTML path: tests/test_quick_add.py.

Run alone with: pytest -m browser tests/browser/test_quick_add_browser.py
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from delegations.models import Visit
from partnerships.models import Person
from tests.browser.test_records_browser import log_in
from tests.factories import VisitFactory, editor

pytestmark = pytest.mark.browser


@pytest.fixture
def visit(transactional_db: None) -> Visit:
    editor(username="lan")
    return VisitFactory(title="Đoàn Hà Nội thăm Minsk")


def test_a_person_added_in_the_dialog_is_picked_in_the_row(
    live_server: object, page: Page, visit: Visit
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    log_in(page, base, "lan")
    page.goto(f"{base}{reverse('delegations:visit_detail', args=[visit.pk])}")
    section = page.locator("#part-people")
    section.locator(".part-add a").click()
    form = section.locator("#part-form-people-new")
    form.locator("select[name=role]").select_option("press")
    form.locator("button.quick-add").click()
    dialog = page.locator("#quick-add-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("button[type=submit]").click()  # empty: the errors show in the dialog
    expect(dialog.locator("input[name=full_name][aria-invalid=true]")).to_be_visible()
    dialog.locator("input[name=full_name]").fill("Trần Sỹ Thanh")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    person = Person.objects.get(full_name="Trần Sỹ Thanh")
    expect(form.locator("input[name=person]")).to_have_value(f"Trần Sỹ Thanh (#{person.pk})")
    # What was typed in the row is still there; the row saves with the new person.
    expect(form.locator("select[name=role]")).to_have_value("press")
    form.locator(".form-actions button[type=submit]").click()
    expect(section).to_contain_text("Trần Sỹ Thanh")
    assert visit.participants.get().person == person
