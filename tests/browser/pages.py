"""Every page state a user can reach, for the layout and accessibility tests.

One list, ``PAGE_STATES``: add a line for each new page (and for each state of it that
renders differently: a form with errors, with an extra row, a preview…). The tests in
``test_layout_browser.py`` open each state at 1366 px and at 390 px and check that the
page never scrolls sideways and that axe-core finds no critical or serious violation.

``path`` may name demo records in braces, filled from ``record_ids()`` after the demo
data are loaded: ``{partnership}``, ``{city}``, ``{person}``, ``{organisation}``,
``{agreement}``, ``{visit}``, ``{actionitem}``, ``{engagement}`` and ``{member}`` (a
programme row and a delegation member of that visit), ``{importlog}`` (an import of one
agreement, made for these tests when the demo data have none). ``prepare`` runs on the
opened page (e.g. submits the empty form to show its errors) before the checks. ``role``:
who opens it (the demo editor, or an administrator for the pages only they reach).

To check only some states while working on them: ``LAYOUT_PAGES="calendar;my work"``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from agreements.models import Agreement
from delegations.models import ActionItem, Engagement, Visit, VisitParticipant
from partnerships.models import City, Organisation, Partnership, Person
from sheets.importing import run_import
from sheets.models import ImportLog
from tests.sheets import agreement_row, csv_bytes, xlsx_bytes

Prepare = Callable[[Page], None]


@dataclass(frozen=True)
class PageState:
    name: str
    path: str
    prepare: Prepare | None = None
    status: int = 200
    role: str = "editor"


def submit_empty(page: Page) -> None:
    """Submit the record form as it is (a new form: every required field missing)."""
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.locator("form#record-form .form-actions button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def add_row(page: Page) -> None:
    """Press the first "Add a row" of the form's repeating rows."""
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.locator("form#record-form button[name=add_row]").first.click()
    page.wait_for_load_state("networkidle")


def submit_visit_part(page: Page) -> None:
    """Submit a visit row's form as it is (a new row: its required fields missing; the
    browser's own check is switched off so that the server's errors show)."""
    form = page.locator("ul.visit-parts form").first
    form.evaluate("form => { form.noValidate = true; }")
    with page.expect_response(lambda response: response.request.method == "POST"):
        form.locator(".form-actions button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def upload_agreements_sheet(page: Page) -> None:
    """Preview an import of two agreements, one of them with an error."""
    page.set_input_files(
        "input[type=file]",
        {
            "name": "hop-tac.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": xlsx_bytes(
                [
                    agreement_row(reference="HN-KZN-2025", partner_city="Kazan"),
                    agreement_row(reference="HN-MSK-2030", valid_from="31/02/2024"),
                ]
            ),
        },
    )
    with page.expect_navigation():
        page.click("button[value=preview]")


def upload_sheet_to_map(page: Page) -> None:
    """Preview a sheet the import asks about: a column it does not know, a document kind
    written as no label says, a partner city found nowhere (issue 12, points 3, 6, 8)."""
    lines = [
        "Ký hiệu lưu,Thành phố đối tác,Quốc gia đối tác,Loại văn bản,Tên văn bản,Ngày ký",
        "HN-SL-01,Minskk,BY,Công hàm,Công hàm về hợp tác,07/12/2023",
    ]
    page.set_input_files(
        "input[type=file]",
        {"name": "so-luu.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()},
    )
    with page.expect_navigation():
        page.click("button[value=preview]")
    for asked in ("select[name=map_0]", "select[name=value_0]", "input[name=newcity_0]"):
        assert page.locator(f"form.import-reread {asked}").count() == 1, asked


MONTH_FIRST = (
    Path(__file__).parent.parent / "fixtures" / "sheets" / "office_title_row_monthfirst.xlsx"
)


def upload_month_first_sheet(page: Page) -> None:
    """Preview the sheet an English-locale office suite saved: ambiguous date columns."""
    page.set_input_files(
        "input[type=file]",
        {
            "name": MONTH_FIRST.name,
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": MONTH_FIRST.read_bytes(),
        },
    )
    with page.expect_navigation():
        page.click("button[value=preview]")
    assert page.locator("form.import-reread select[name=datecells_1]").count() == 1


def revert_planned(page: Page) -> None:
    """The revert's confirmation shows its plan and form, not what blocks it."""
    assert page.locator("main form button.danger[type=submit]").count() == 1


def open_quick_add(page: Page) -> None:
    """Open the "New person" dialog beside the first person picker (htmx)."""
    page.locator("button.quick-add").first.click()
    page.locator("#quick-add-dialog #quick-add-form").wait_for()


def add_a_follower(page: Page) -> None:
    """Add the first staff account offered to the partnership's followers (htmx)."""
    block = page.locator("#followers")
    block.locator("select[name=add]").select_option(index=1)
    with page.expect_response(lambda response: response.request.method == "POST"):
        block.locator("#add-follower button[type=submit]").click()
    page.locator("#followers [role=status]").wait_for()


def add_no_follower(page: Page) -> None:
    """Press "Add follower" with no account chosen: the error shows in the block (htmx)."""
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.locator("#followers #add-follower button[type=submit]").click()
    page.locator("#followers #id_add_error").wait_for()


def open_status_change(page: Page) -> None:
    """Open the first inline status change of an action-items list."""
    page.locator(".actionitem-status summary").first.click()


def in_english(page: Page) -> None:
    """Switch the interface to English (the header's language switch)."""
    with page.expect_navigation():
        page.locator("form.language-switch button[value=en]").click()


PAGE_STATES: list[PageState] = [
    PageState("dashboard", "/"),
    PageState("my work", "/my-work/"),
    PageState("calendar", "/calendar/"),
    PageState("calendar, May 2025: a busy day's +N more", "/calendar/?month=2025-05"),
    PageState(
        "calendar, agenda from a busy day", "/calendar/?month=2025-05&view=agenda&day=2025-05-20"
    ),
    PageState("partner map", "/map/"),
    PageState("statistics", "/statistics/"),
    PageState("annual report", "/reports/annual/"),
    PageState("search", "/search/?q=minsk"),
    PageState("search, nothing found", "/search/?q=zzzzzz"),
    PageState("partners", "/partners/"),
    PageState("partners, filtered", "/partners/?q=minsk"),
    PageState("partnership", "/partners/{partnership}/"),
    PageState("partnership, follower added", "/partners/{partnership}/", add_a_follower),
    PageState("partnership, no follower chosen", "/partners/{partnership}/", add_no_follower),
    PageState("partnership form", "/partners/new/"),
    PageState("partnership form, errors", "/partners/new/", submit_empty),
    PageState("partnership edit", "/partners/{partnership}/edit/"),
    PageState("city", "/cities/{city}/"),
    PageState("city form", "/cities/new/"),
    PageState("city form, errors", "/cities/new/", submit_empty),
    PageState("city edit", "/cities/{city}/edit/"),
    PageState("people", "/people/"),
    PageState("person", "/people/{person}/"),
    PageState("person form", "/people/new/"),
    PageState("person form, errors", "/people/new/", submit_empty),
    PageState("person edit, positions", "/people/{person}/edit/"),
    PageState("person edit, one more row", "/people/{person}/edit/", add_row),
    PageState("organisations", "/organisations/"),
    PageState("organisation", "/organisations/{organisation}/"),
    PageState("organisation form", "/organisations/new/"),
    PageState("organisation form, errors", "/organisations/new/", submit_empty),
    PageState("agreements", "/agreements/"),
    PageState("agreements, a partnership typed naming several", "/agreements/?partnership=ha+noi"),
    PageState("agreement", "/agreements/{agreement}/"),
    PageState("agreement form", "/agreements/new/"),
    PageState("agreement form, errors", "/agreements/new/", submit_empty),
    PageState("agreement edit, signatories", "/agreements/{agreement}/edit/"),
    PageState("agreement edit, one more row", "/agreements/{agreement}/edit/", add_row),
    PageState("agreements import", "/agreements/import/"),
    PageState("agreements import preview", "/agreements/import/", upload_agreements_sheet),
    PageState("agreements import preview, mapping", "/agreements/import/", upload_sheet_to_map),
    PageState(
        "agreements import preview, ambiguous dates",
        "/agreements/import/",
        upload_month_first_sheet,
    ),
    PageState("import log", "/imports/{importlog}/"),
    PageState(
        "import revert", "/imports/{importlog}/revert/", revert_planned, role="administrator"
    ),
    PageState("visits", "/visits/"),
    PageState("visit", "/visits/{visit}/"),
    PageState("visit form", "/visits/new/"),
    PageState("visit form, errors", "/visits/new/", submit_empty),
    PageState("visit edit", "/visits/{visit}/edit/"),
    PageState("visit programme, new row", "/visits/{visit}/programme/new/"),
    PageState("visit programme, errors", "/visits/{visit}/programme/new/", submit_visit_part),
    PageState("visit delegation, new row", "/visits/{visit}/people/new/"),
    PageState("visit travel, new row", "/visits/{visit}/travel/new/"),
    PageState("visit gifts, new row", "/visits/{visit}/gifts/new/"),
    PageState("visit programme, row edit", "/visits/{visit}/programme/{engagement}/edit/"),
    PageState("visit programme, row remove", "/visits/{visit}/programme/{engagement}/delete/"),
    PageState("visit delegation, row edit", "/visits/{visit}/people/{member}/edit/"),
    PageState("visit delegation, new person dialog", "/visits/{visit}/people/new/", open_quick_add),
    PageState("visit delegation, row remove", "/visits/{visit}/people/{member}/delete/"),
    PageState("visit brief", "/visits/{visit}/brief/"),
    PageState("visits import", "/visits/import/"),
    PageState("action items", "/actions/"),
    PageState("action items, status change open", "/actions/", open_status_change),
    PageState("action item", "/actions/{actionitem}/"),
    PageState("action item form", "/actions/new/"),
    PageState("action item form, errors", "/actions/new/", submit_empty),
    PageState("action item edit", "/actions/{actionitem}/edit/"),
    PageState("action items import", "/actions/import/"),
    PageState("my jobs", "/jobs/"),
    PageState("personal settings", "/me/settings/"),
    PageState("change my password", "/accounts/password_change/"),
    PageState("page not found", "/no-such-page/", status=404),
    # Last: it switches the session to English (longer labels: "outgoing" in a day cell
    # of the month grid pushed a phone's page 4px sideways).
    PageState("calendar in English, May 2025", "/calendar/?month=2025-05", prepare=in_english),
    # The partnership filter's typed picker (issue 16), in English after the switch above.
    PageState(
        "agreements in English, a partnership typed naming several",
        "/agreements/?partnership=ha+noi",
    ),
    PageState("visits in English", "/visits/"),
    PageState("action items in English", "/actions/"),
]


def selected_states() -> list[PageState]:
    """Every state, or those named in LAYOUT_PAGES (separated by semicolons)."""
    wanted = [name for name in os.environ.get("LAYOUT_PAGES", "").split(";") if name]
    if not wanted:
        return PAGE_STATES
    return [state for state in PAGE_STATES if state.name in wanted]


def record_ids() -> dict[str, int]:
    """The demo records the paths name: the richest of each kind, so that the pages
    show their lists and repeating rows."""
    visit = Visit.objects.order_by("-pk").first()
    agreement = Agreement.objects.exclude(signatories=None).order_by("pk").first()
    person = Person.objects.exclude(positions=None).order_by("pk").first()
    found = {
        "partnership": Partnership.objects.order_by("pk").first(),
        "city": City.objects.filter(is_home=False).order_by("pk").first(),
        "person": person,
        "organisation": Organisation.objects.order_by("pk").first(),
        "agreement": agreement,
        "visit": visit,
        "actionitem": ActionItem.objects.order_by("pk").first(),
        "engagement": Engagement.objects.filter(visit=visit).order_by("pk").first(),
        "member": VisitParticipant.objects.filter(visit=visit).order_by("pk").first(),
        "importlog": ImportLog.objects.order_by("pk").first() or imported_log(),
        "busyvisit": Visit.objects.filter(title=BUSY_VISIT).first() or busy_day(),
    }
    missing = [name for name, record in found.items() if record is None]
    assert not missing, f"the demo data have no {missing}"
    return {name: record.pk for name, record in found.items() if record is not None}


def path_of(state: PageState, ids: dict[str, int]) -> str:
    return state.path.format(**ids)


BUSY_VISIT = "Đoàn công tác bận rộn (layout)"


def busy_day() -> Visit:
    """A visit on 20 May 2025 with six timed programme items: more than a day cell of
    the month grid shows ("+N more") and a day of the agenda."""
    from tests.factories import EngagementFactory, VisitFactory

    day = dt.date(2025, 5, 20)
    visit = VisitFactory(
        partnership=Partnership.objects.order_by("pk").first(),
        title=BUSY_VISIT,
        start_date=day,
        end_date=day,
    )
    for hour in range(8, 14):
        EngagementFactory(
            visit=visit, title=f"Làm việc lúc {hour} giờ", date=day, time=dt.time(hour)
        )
    return visit


def imported_log() -> ImportLog | None:
    """The log of an import of one new agreement between demo cities (revertable)."""
    home = City.objects.filter(is_home=True).order_by("pk").first()
    partner = City.objects.filter(is_home=False).order_by("pk").first()
    if home is None or partner is None:
        return None
    row = agreement_row(
        reference="HN-LAYOUT-2099",
        home_city=home.name,
        home_country=str(home.country),
        partner_city=partner.name,
        partner_country=str(partner.country),
        signatories="Nguyễn Văn A (Chủ tịch)",
    )
    outcome = run_import(
        sheet="agreements", file_name="layout.csv", data=csv_bytes([row]), dry_run=False
    )
    assert outcome.ok, (outcome.errors, outcome.error_rows)
    return outcome.log
