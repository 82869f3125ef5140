"""Importing and exporting delegation visits and action items (same rules as agreements)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from common.partialdate import Precision
from delegations.models import ActionItem, Visit
from delegations.resources import ActionItemResource, VisitResource
from partnerships.models import FieldOfCooperation
from sheets.importing import run_import
from sheets.models import ImportLog
from tests.factories import (
    AgreementFactory,
    CityFactory,
    OrganisationFactory,
    PartnershipFactory,
    VisitFactory,
    editor,
    viewer,
)
from tests.sheets import csv_bytes, ods_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; one test switches to Vietnamese on purpose."""
    with translation.override("en"):
        yield


@pytest.fixture
def partnership(db):
    hanoi = CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    return PartnershipFactory(home_city=hanoi, partner_city=CityFactory(name="Minsk", country="BY"))


def visit_row(**values):
    row = {
        "home_city": "Hà Nội",
        "home_country": "VN",
        "partner_city": "Minsk",
        "partner_country": "BY",
        "direction": "outgoing",
        "title": "Đoàn Hà Nội thăm Minsk",
        "start_date": "11/05/2025",
        "end_date": "13/05/2025",
        "date_note": "",
        "place": "Minsk",
        "status": "completed",
        "purpose": "",
        "outcomes": "",
        "notes": "",
        "agreements_signed": "",
    }
    row.update(values)
    return row


def action_row(**values):
    row = {
        "home_city": "Hà Nội",
        "home_country": "VN",
        "partner_city": "Minsk",
        "partner_country": "BY",
        "visit_title": "Đoàn Hà Nội thăm Minsk",
        "visit_start_date": "11/05/2025",
        "agreement_reference": "",
        "description": "Tổ chức Ngày văn hóa Hà Nội tại Minsk",
        "field": "Văn hóa",
        "owner_organisation": "",
        "owner_person": "",
        "due_on": "12/2025",
        "status": "agreed",
        "priority": "high",
    }
    row.update(values)
    return row


def import_visits(rows, *, builder=csv_bytes, name="v.csv", dry_run=False, user=None):
    return run_import(
        sheet="visits",
        file_name=name,
        data=builder(rows, VisitResource.COLUMNS),
        user=user,
        dry_run=dry_run,
    )


def import_actions(rows, *, builder=csv_bytes, name="a.csv", dry_run=False, user=None):
    return run_import(
        sheet="action_items",
        file_name=name,
        data=builder(rows, ActionItemResource.COLUMNS),
        user=user,
        dry_run=dry_run,
    )


# -- visits -----------------------------------------------------------------------------


def test_a_visit_row_creates_a_visit_of_the_partnership(partnership):
    outcome = import_visits([visit_row()])

    assert outcome.ok, outcome.rows
    visit = Visit.objects.get()
    assert visit.partnership == partnership
    assert (visit.start_date, visit.end_date) == (dt.date(2025, 5, 11), dt.date(2025, 5, 13))
    assert visit.direction == Visit.Direction.OUTGOING


def test_visit_direction_and_status_accept_vietnamese_words(partnership):
    outcome = import_visits([visit_row(direction="Đoàn vào", status="đã hủy")])

    assert outcome.ok, outcome.rows
    visit = Visit.objects.get()
    assert (visit.direction, visit.status) == ("incoming", "cancelled")


def test_a_visit_known_only_to_the_month_keeps_its_precision(partnership):
    import_visits([visit_row(start_date="05/2025", end_date="")])

    visit = Visit.objects.get()
    assert (visit.start_date, visit.start_date_precision) == (dt.date(2025, 5, 1), Precision.MONTH)


def test_a_visit_is_found_again_by_partnership_title_and_start(partnership):
    import_visits([visit_row(outcomes="")])

    outcome = import_visits(
        [visit_row(title="ĐOÀN HÀ NỘI THĂM MINSK", outcomes="Ký kết chương trình")]
    )

    assert outcome.updated == 1
    assert Visit.objects.get().outcomes == "Ký kết chương trình"


def test_reimporting_visits_changes_nothing_and_adds_no_history(partnership):
    rows = [
        visit_row(),
        visit_row(
            title="Hội đàm trực tuyến", direction="online", start_date="17/11/2024", end_date=""
        ),
    ]
    import_visits(rows)
    history = Visit.history.count()

    outcome = import_visits(rows)

    assert outcome.unchanged == 2
    assert Visit.history.count() == history


def test_a_visit_ending_before_it_starts_is_an_error(partnership):
    outcome = import_visits([visit_row(end_date="10/05/2025")])

    assert [(r.number, r.errors[0][0]) for r in outcome.error_rows] == [(2, "end_date")]
    assert not Visit.objects.exists()


def test_a_visit_ending_years_later_is_an_error_and_nothing_is_saved(partnership):
    outcome = import_visits([visit_row(), visit_row(title="Đoàn thứ hai", end_date="13/05/2205")])

    message = "The visit would last 65746 days: a visit lasts at most a year. Check the end date."
    assert [(r.number, r.errors) for r in outcome.error_rows] == [(3, [("end_date", message)])]
    assert not Visit.objects.exists()


def test_the_same_visit_twice_in_a_sheet_is_an_error(partnership):
    outcome = import_visits([visit_row(), visit_row(notes="again")])

    assert [r.number for r in outcome.error_rows] == [3]


def test_agreements_signed_during_a_visit_are_linked(partnership):
    AgreementFactory(reference="HN-MSK-CT-2024-2026", partnership=partnership)

    import_visits([visit_row(agreements_signed="HN-MSK-CT-2024-2026")])

    assert [a.reference for a in Visit.objects.get().agreements_signed.all()] == [
        "HN-MSK-CT-2024-2026"
    ]


def test_an_agreement_reference_with_a_semicolon_and_brackets_round_trips(partnership):
    AgreementFactory(reference="HN; (MSK) [2024]", partnership=partnership)
    import_visits([visit_row(agreements_signed="HN\\; \\(MSK\\) \\[2024\\]")])
    row = VisitResource().export_row(Visit.objects.get())

    outcome = import_visits([visit_row(agreements_signed=row["agreements_signed"])])

    assert outcome.ok, outcome.errors
    assert [a.reference for a in Visit.objects.get().agreements_signed.all()] == [
        "HN; (MSK) [2024]"
    ]


def test_an_unknown_agreement_signed_is_an_error(partnership):
    outcome = import_visits([visit_row(agreements_signed="NOPE")])

    assert outcome.error_rows[0].errors[0][0] == "agreements_signed"


def test_imported_visits_carry_the_importing_user_in_their_history(partnership):
    user = editor()

    import_visits([visit_row()], user=user)

    assert Visit.history.get().history_user == user
    assert ImportLog.objects.get().sheet == "visits"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_visits_export_then_import_unchanged(client, partnership, fmt):
    VisitFactory(
        partnership=partnership,
        title="=cmd",
        start_date=dt.date(2025, 1, 1),
        start_date_precision=Precision.YEAR,
        end_date=None,
    )
    VisitFactory(partnership=partnership)
    client.force_login(viewer())

    content = client.get(reverse("delegations:visit_export"), {"format": fmt}).content
    outcome = run_import(sheet="visits", file_name=f"v.{fmt}", data=content, dry_run=True)

    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert outcome.unchanged == 2


HOSTILE_VISIT = {
    "title": "'Đoàn (Minsk); [2025] \\ thăm",
    "place": "'=Hà Nội",
    "purpose": "@Mục đích; (một) [hai]\nDòng hai",
    "outcomes": "-Kết quả",
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_hostile_visit_values_come_back_field_by_field(client, partnership, fmt):
    notes = "" if fmt == "xlsx" else ("Ghi chú chuyến thăm. " * 2200)[:43_499].strip()
    VisitFactory(partnership=partnership, notes=notes, **HOSTILE_VISIT)
    fields = [*HOSTILE_VISIT, "notes", "start_date", "end_date", "direction", "status"]
    before = list(Visit.objects.values(*fields))
    client.force_login(viewer())
    content = client.get(reverse("delegations:visit_export"), {"format": fmt}).content
    Visit.objects.all().delete()

    outcome = run_import(sheet="visits", file_name=f"v.{fmt}", data=content, dry_run=False)

    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert list(Visit.objects.values(*fields)) == before


def test_a_visit_note_over_an_xlsx_cell_refuses_the_xlsx_export(client, partnership):
    VisitFactory(partnership=partnership, title="Đoàn dài", notes="x" * 40_000)
    client.force_login(viewer())

    response = client.get(reverse("delegations:visit_export"), {"format": "xlsx"})

    assert response.status_code == 422
    assert "Đoàn dài" in response.content.decode()


def test_the_visit_export_neutralises_formulas(client, partnership):
    VisitFactory(partnership=partnership, title="=cmd")
    client.force_login(viewer())

    content = client.get(reverse("delegations:visit_export"), {"format": "csv"}).content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))

    assert rows[0]["title"] == "'=cmd"


# -- action items -----------------------------------------------------------------------


@pytest.fixture
def visit(partnership):
    return VisitFactory(
        partnership=partnership, title="Đoàn Hà Nội thăm Minsk", start_date=dt.date(2025, 5, 11)
    )


def test_an_action_item_row_is_attached_to_its_visit(visit):
    outcome = import_actions([action_row()])

    assert outcome.ok, outcome.rows
    item = ActionItem.objects.get()
    assert (item.visit, item.partnership) == (visit, visit.partnership)
    assert (item.due_on, item.due_on_precision) == (dt.date(2025, 12, 1), Precision.MONTH)
    assert item.priority == ActionItem.Priority.HIGH
    assert item.field == FieldOfCooperation.objects.get(name="Văn hóa")


def test_an_action_item_may_come_from_an_agreement(partnership):
    agreement = AgreementFactory(reference="HN-MSK-CT", partnership=partnership)

    outcome = import_actions(
        [action_row(visit_title="", visit_start_date="", agreement_reference="HN-MSK-CT")]
    )

    assert outcome.ok, outcome.rows
    assert ActionItem.objects.get().agreement == agreement


def test_an_action_item_without_visit_or_agreement_is_an_error(partnership):
    outcome = import_actions([action_row(visit_title="", visit_start_date="")])

    assert outcome.error_rows[0].errors[0][0] == "visit_title"


def test_an_action_item_naming_an_unknown_visit_is_an_error(visit):
    outcome = import_actions([action_row(visit_start_date="12/05/2025")])

    assert outcome.error_rows[0].errors[0][0] == "visit_title"
    assert not ActionItem.objects.exists()


def test_an_unknown_owner_organisation_is_an_error_not_a_new_organisation(visit):
    outcome = import_actions([action_row(owner_organisation="Sở Không Tồn Tại")])

    assert outcome.error_rows[0].errors[0][0] == "owner_organisation"


def test_owner_organisation_is_found_by_abbreviation(visit):
    org = OrganisationFactory(name="Sở Ngoại vụ Hà Nội", abbreviation="SNV")

    import_actions([action_row(owner_organisation="snv")])

    assert ActionItem.objects.get().owner_organisation == org


def test_reimporting_action_items_reports_unchanged_then_updated(visit):
    import_actions([action_row()])

    again = import_actions([action_row()])
    changed = import_actions([action_row(status="Đang thực hiện")])

    assert again.unchanged == 1
    assert changed.updated == 1
    assert ("status", "agreed", "in_progress") in changed.rows[0].changes
    assert ActionItem.objects.get().status == "in_progress"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_action_items_export_then_import_unchanged(client, visit, fmt):
    import_actions(
        [
            action_row(),
            action_row(description="-Trao đổi đoàn\nhai dòng", priority="thấp", due_on="2026"),
        ]
    )
    client.force_login(viewer())

    content = client.get(reverse("delegations:actionitem_export"), {"format": fmt}).content
    outcome = run_import(sheet="action_items", file_name=f"a.{fmt}", data=content, dry_run=True)

    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert outcome.unchanged == 2


# -- pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["delegations:visit_import", "delegations:actionitem_import"])
def test_viewers_cannot_import_visits_or_action_items(client, name):
    client.force_login(viewer())

    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("delegations:visit_import_template", VisitResource.COLUMNS),
        ("delegations:actionitem_import_template", ActionItemResource.COLUMNS),
    ],
)
def test_the_templates_have_the_sheet_columns(client, partnership, name, columns):
    import openpyxl

    client.force_login(editor())
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse(name)).content))

    assert tuple(c.value for c in book.worksheets[0][1]) == columns


def test_a_visit_sheet_is_previewed_then_imported_on_confirm(client, partnership):
    client.force_login(editor())
    upload = SimpleUploadedFile("v.xlsx", xlsx_bytes([visit_row()], VisitResource.COLUMNS))

    preview = client.post(reverse("delegations:visit_import"), {"file": upload})
    assert not Visit.objects.exists()
    client.post(
        reverse("delegations:visit_import"),
        {"token": preview.context["token"], "action": "confirm"},
    )

    assert Visit.objects.count() == 1


def test_an_action_item_sheet_in_ods_is_previewed(client, visit):
    client.force_login(editor())
    upload = SimpleUploadedFile("a.ods", ods_bytes([action_row()], ActionItemResource.COLUMNS))

    response = client.post(reverse("delegations:actionitem_import"), {"file": upload})

    assert response.context["outcome"].new == 1
