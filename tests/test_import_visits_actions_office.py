"""Visits and action items read like agreements (issue 12, point 13): header found under a
title, columns by their Vietnamese names, only what identifies a record required, a blank
cell keeps the stored value, date cells read month-first refused until the reading is
chosen, cities matched however spelt. CLI and web."""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from delegations.models import ActionItem, Visit
from sheets.importing import ImportOptions, run_import
from tests.factories import CityFactory, PartnershipFactory, VisitFactory, editor

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from django.test import Client

    from partnerships.models import Partnership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def partnership() -> Partnership:
    hanoi = CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    return PartnershipFactory(home_city=hanoi, partner_city=CityFactory(name="Minsk", country="BY"))


def office_xlsx(header: list[str], rows: list[list[Any]], *, month_first: bool = False) -> bytes:
    """A sheet as the office keeps it: a title, a blank row, then the header on row 3."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH MỤC ĐOÀN RA, ĐOÀN VÀO"])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if month_first:
        for cells in sheet.iter_rows(min_row=4):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "MM/DD/YYYY"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MAY_11 = dt.date(2025, 5, 11)
VISIT_HEADER = ["STT", "Thành phố đối tác", "Hình thức", "Tên đoàn", "Ngày bắt đầu", "Ghi chú"]


def visits(data: bytes, **options: Any) -> Any:
    return run_import(
        sheet="visits",
        file_name="doan.xlsx",
        data=data,
        dry_run=False,
        options=ImportOptions(**options),
    )


def test_a_visit_sheet_with_a_title_row_and_only_its_own_columns_imports(
    partnership: Partnership,
) -> None:
    data = office_xlsx(
        VISIT_HEADER, [[1, "Minsk", "Đoàn ra", "Đoàn Hà Nội thăm Minsk", "11/05/2025", "Ghi"]]
    )

    outcome = visits(data)

    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert outcome.header_row == 3
    assert "STT" in outcome.ignored_columns
    visit = Visit.objects.get()
    assert (visit.partnership, visit.start_date, visit.notes) == (
        partnership,
        dt.date(2025, 5, 11),
        "Ghi",
    )


def test_a_blank_visit_cell_keeps_the_stored_value_unless_told_to_clear(
    partnership: Partnership,
) -> None:
    row = [1, "Minsk", "Đoàn ra", "Đoàn Hà Nội thăm Minsk", "11/05/2025"]
    visits(office_xlsx(VISIT_HEADER, [[*row, "Ghi chú cũ"]]))

    kept = visits(office_xlsx(VISIT_HEADER, [[*row, ""]]))
    assert kept.ok
    assert kept.unchanged == 1
    assert Visit.objects.get().notes == "Ghi chú cũ"

    cleared = visits(office_xlsx(VISIT_HEADER, [[*row, ""]]), blank="clear")
    assert cleared.updated == 1
    assert Visit.objects.get().notes == ""


def test_month_first_date_cells_in_a_visit_sheet_are_refused_until_read(
    partnership: Partnership,
) -> None:
    # 11 May 2025 typed as 11/05/2025 and turned by an English locale into 5 November.
    data = office_xlsx(
        VISIT_HEADER,
        [[1, "Minsk", "Đoàn ra", "Đoàn Hà Nội thăm Minsk", dt.date(2025, 11, 5), ""]],
        month_first=True,
    )

    refused = visits(data)
    assert not refused.ok
    assert refused.ambiguous_dates[0].row == 4
    assert not Visit.objects.exists()

    read = visits(data, date_cells="day-month-swapped")
    assert read.ok, (read.errors, read.error_rows)
    assert Visit.objects.get().start_date == dt.date(2025, 5, 11)


def test_an_action_item_sheet_keeps_what_its_blank_cells_do_not_say(
    partnership: Partnership,
) -> None:
    VisitFactory(partnership=partnership, title="Đoàn Hà Nội thăm Minsk", start_date=MAY_11)
    header = ["Thành phố đối tác", "Tên đoàn", "Ngày đoàn", "Nội dung", "Hạn", "Mức ưu tiên"]
    visit = ["Minsk", "Đoàn Hà Nội thăm Minsk", "11/05/2025", "Tổ chức Ngày văn hóa"]
    first = run_import(
        sheet="action_items",
        file_name="a.xlsx",
        data=office_xlsx(header, [[*visit, "12/2025", "high"]]),
        dry_run=False,
    )
    assert first.ok, (first.errors, first.error_rows)
    assert first.header_row == 3
    high = ActionItem.objects.get().priority

    again = run_import(
        sheet="action_items",
        file_name="a.xlsx",
        data=office_xlsx(header, [[*visit, "", ""]]),
        dry_run=False,
    )

    assert again.ok, (again.errors, again.error_rows)
    item = ActionItem.objects.get()
    assert (item.due_on, item.priority) == (dt.date(2025, 12, 1), high)
    assert again.unchanged == 1


def test_the_command_imports_a_visit_sheet(partnership: Partnership, tmp_path: Path) -> None:
    path = tmp_path / "doan.xlsx"
    path.write_bytes(
        office_xlsx(
            VISIT_HEADER,
            [[1, "Minsk", "Đoàn ra", "Đoàn Hà Nội thăm Minsk", dt.date(2025, 11, 5), ""]],
            month_first=True,
        )
    )

    with pytest.raises(CommandError):
        call_command("import_agreements", str(path), "--sheet", "visits")
    assert not Visit.objects.exists()

    call_command(
        "import_agreements", str(path), "--sheet", "visits", "--date-cells", "day-month-swapped"
    )
    assert Visit.objects.get().start_date == dt.date(2025, 5, 11)


def test_the_web_preview_of_a_visit_sheet_finds_the_header(
    client: Client, partnership: Partnership
) -> None:
    client.force_login(editor())
    data = office_xlsx(
        VISIT_HEADER, [[1, "Minsk", "Đoàn ra", "Đoàn Hà Nội thăm Minsk", "11/05/2025", ""]]
    )

    response = client.post(
        reverse("delegations:visit_import"),
        {"file": SimpleUploadedFile("doan.xlsx", data), "action": "preview"},
    )

    assert response.status_code == 200
    assert response.context["outcome"].header_row == 3
    assert response.context["outcome"].ok
    assert not Visit.objects.exists()
