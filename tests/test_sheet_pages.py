"""One set of import and export views over the sheet registry (issue 12, point 1).

The pages are found by the sheet's kind (``/imports/visits/``); the URLs they had before
(``agreements:import``, ``delegations:visit_export``…) lead to the same views.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from django.urls import resolve, reverse

from sheets.registry import registered_sheets
from sheets.views import PAGES, sheet_export, sheet_import, sheet_template
from tests.factories import AgreementFactory, VisitFactory, editor, viewer

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db

OLD_NAMES = {
    "agreements": ("agreements:import", "agreements:import_template", "agreements:export"),
    "visits": (
        "delegations:visit_import",
        "delegations:visit_import_template",
        "delegations:visit_export",
    ),
    "action_items": (
        "delegations:actionitem_import",
        "delegations:actionitem_import_template",
        "delegations:actionitem_export",
    ),
}


def test_every_registered_sheet_has_its_pages() -> None:
    assert set(PAGES) == set(registered_sheets())


@pytest.mark.parametrize("sheet", sorted(OLD_NAMES))
def test_the_old_urls_lead_to_the_views_of_their_sheet(sheet: str) -> None:
    for name, view in zip(
        OLD_NAMES[sheet], (sheet_import, sheet_template, sheet_export), strict=True
    ):
        match = resolve(reverse(name))
        assert (match.func, match.kwargs) == (view, {"sheet": sheet})


def test_the_old_urls_keep_their_paths() -> None:
    assert reverse("agreements:import") == "/agreements/import/"
    assert reverse("delegations:visit_export") == "/visits/export/"
    assert reverse("delegations:actionitem_import_template") == "/actions/import/template.xlsx"


def test_the_import_page_by_kind_is_the_sheets_page(client: Client, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    client.force_login(editor())

    page = client.get(reverse("sheets:import", kwargs={"sheet": "visits"}))

    assert page.status_code == 200
    assert "<h1>Import delegation visits</h1>" in page.content.decode()
    assert f'action="{reverse("delegations:visit_import")}"' in page.content.decode()


def test_an_unknown_kind_is_not_found(client: Client) -> None:
    client.force_login(editor())

    assert client.get(reverse("sheets:import", kwargs={"sheet": "people"})).status_code == 404
    assert client.get(reverse("sheets:export", kwargs={"sheet": "people"})).status_code == 404


def test_the_template_by_kind_has_the_sheets_columns(client: Client) -> None:
    client.force_login(editor())

    response = client.get(reverse("sheets:import_template", kwargs={"sheet": "action_items"}))

    assert response.status_code == 200
    assert 'filename="action-items-template.xlsx"' in response["Content-Disposition"]


def test_the_export_by_kind_follows_the_list_filters(client: Client) -> None:
    kept = VisitFactory(title="Đoàn Minsk", start_date=dt.date(2025, 5, 11))
    VisitFactory(title="Đoàn Bắc Kinh", start_date=dt.date(2024, 3, 1))
    AgreementFactory()
    client.force_login(viewer())

    response = client.get(
        reverse("sheets:export", kwargs={"sheet": "visits"}), {"q": "Minsk", "format": "xlsx"}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="visits-')
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    titles = [row[rows[0].index("title")] for row in rows[1:]]
    assert titles == [kept.title]
