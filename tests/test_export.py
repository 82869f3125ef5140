"""Exporting agreements with the import columns: round trip, formula escaping, filters, template."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement
from agreements.resources import AgreementResource
from common.partialdate import Precision
from sheets.importing import run_import
from sheets.models import ImportLog
from tests.factories import (
    AgreementFactory,
    CityFactory,
    FieldOfCooperationFactory,
    PartnershipFactory,
    PersonFactory,
    SignatoryFactory,
    editor,
    viewer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; one test switches to Vietnamese on purpose."""
    with translation.override("en"):
        yield


DANGEROUS = {
    "title": '=HYPERLINK("http://evil.example","click")',
    "signed_at": "+84 24 3825 3536",
    "notes": "-2+3",
}


def export(client, fmt="csv", **params):
    response = client.get(reverse("agreements:export"), {"format": fmt, **params})
    assert response.status_code == 200
    return response


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def records(db):
    """Three agreements like the demo's (the demo itself is slow to load for every test)."""
    hanoi = CityFactory(name="Hà Nội", country="VN", is_home=True)
    minsk = PartnershipFactory(home_city=hanoi, partner_city=CityFactory(name="Minsk"))
    vientiane = PartnershipFactory(
        home_city=hanoi, partner_city=CityFactory(name="Viêng Chăn", country="LA")
    )
    culture = FieldOfCooperationFactory(name="Văn hóa")
    education = FieldOfCooperationFactory(name="Giáo dục")
    friendship = AgreementFactory(
        reference="HN-MSK-2004",
        partnership=minsk,
        kind="friendship",
        signed_on=dt.date(2004, 1, 1),
        signed_on_precision=Precision.YEAR,
        valid_from=None,
        valid_until=None,
    )
    friendship.fields.set([culture])
    programme = AgreementFactory(
        reference="HN-MSK-CT-2024-2026",
        partnership=minsk,
        kind="programme",
        parent=friendship,
        parent_relation="implements",
        notes="Ký trước sự chứng kiến của hai Thủ tướng.\nDòng thứ hai.",
    )
    programme.fields.set([culture, education])
    SignatoryFactory(
        agreement=programme,
        person=PersonFactory(full_name="Trần Sỹ Thanh"),
        position_title="Chủ tịch UBND thành phố Hà Nội",
        role="witness",
    )
    SignatoryFactory(agreement=programme, person=PersonFactory(full_name="Roman Golovchenko"))
    AgreementFactory(
        reference="HN-VC-MOU-2017-2020",
        partnership=vientiane,
        kind="mou",
        status="expired",
        title="Biên bản ghi nhớ hợp tác giữa Thủ đô Hà Nội và Thủ đô Viêng Chăn",
        signed_on=None,
        valid_from=dt.date(2017, 1, 1),
        valid_until=dt.date(2020, 12, 31),
    )


@pytest.fixture
def signed_in(client):
    client.force_login(viewer())
    return client


def test_the_export_has_exactly_the_import_columns(signed_in, records):
    header = csv_rows(export(signed_in).content)[0]

    assert tuple(header) == AgreementResource.COLUMNS


def test_the_export_writes_partial_dates_as_known(signed_in, records):
    rows = {
        r[0]: dict(zip(AgreementResource.COLUMNS, r, strict=True))
        for r in csv_rows(export(signed_in).content)[1:]
    }

    assert rows["HN-MSK-2004"]["signed_on"] == "2004"
    assert rows["HN-MSK-CT-2024-2026"]["signed_on"] == "07/12/2023"
    assert rows["HN-MSK-CT-2024-2026"]["parent_reference"] == "HN-MSK-2004"
    assert "[witness]" in rows["HN-MSK-CT-2024-2026"]["signatories"]


def test_a_month_precision_date_is_exported_as_month_and_year(signed_in):
    AgreementFactory(
        reference="M", signed_on=dt.date(2023, 12, 1), signed_on_precision=Precision.MONTH
    )

    [_header, row] = csv_rows(export(signed_in).content)

    assert row[AgreementResource.COLUMNS.index("signed_on")] == "12/2023"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_export_then_import_changes_nothing(signed_in, records, fmt):
    content = export(signed_in, fmt).content
    history = Agreement.history.count()

    outcome = run_import(sheet="agreements", file_name=f"all.{fmt}", data=content, dry_run=False)

    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert (outcome.new, outcome.updated) == (0, 0)
    assert outcome.unchanged == Agreement.objects.count()
    assert Agreement.history.count() == history


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_text_that_looks_like_a_formula_round_trips_unchanged(signed_in, fmt):
    AgreementFactory(reference="F-1", **DANGEROUS)
    content = export(signed_in, fmt).content

    outcome = run_import(sheet="agreements", file_name=f"f.{fmt}", data=content, dry_run=True)

    assert outcome.ok, outcome.error_rows
    assert outcome.unchanged == 1


def test_formulas_are_neutralised_in_csv(signed_in):
    AgreementFactory(reference="@SUM(A1)", **DANGEROUS)

    [header, row] = csv_rows(export(signed_in, "csv").content)
    values = dict(zip(header, row, strict=True))

    assert values["reference"] == "'@SUM(A1)"
    assert values["title"] == "'" + DANGEROUS["title"]
    assert values["signed_at"] == "'+84 24 3825 3536"
    assert values["notes"] == "'-2+3"


def test_tabs_and_carriage_returns_at_the_start_are_neutralised(signed_in):
    AgreementFactory(reference="T", notes="\tcmd", signed_at="\r=1")

    [header, row] = csv_rows(export(signed_in, "csv").content)
    values = dict(zip(header, row, strict=True))

    assert values["notes"] == "'\tcmd"
    assert values["signed_at"].startswith("'")


def test_formulas_are_neutralised_in_xlsx(signed_in):
    AgreementFactory(reference="X", **DANGEROUS)

    book = openpyxl.load_workbook(io.BytesIO(export(signed_in, "xlsx").content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))

    for column, value in DANGEROUS.items():
        assert cells[column].data_type == "s"
        assert cells[column].value == "'" + value


def test_formulas_are_neutralised_in_ods(signed_in):
    AgreementFactory(reference="O", **DANGEROUS)

    content = export(signed_in, "ods").content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("content.xml").decode()

    assert "table:formula" not in xml
    assert "'=HYPERLINK" in xml
    assert "'+84 24" in xml


def test_the_export_follows_the_list_filters(signed_in, records):
    rows = csv_rows(export(signed_in, status="expired").content)[1:]

    assert [r[0] for r in rows] == ["HN-VC-MOU-2017-2020"]


def test_the_export_filters_by_kind_query_and_partnership(signed_in, records):
    minsk = Agreement.objects.get(reference="HN-MSK-2004").partnership

    by_kind = csv_rows(export(signed_in, kind="programme").content)[1:]
    by_query = csv_rows(export(signed_in, q="Viêng").content)[1:]
    by_partnership = csv_rows(export(signed_in, partnership=minsk.pk).content)[1:]

    assert [r[0] for r in by_kind] == ["HN-MSK-CT-2024-2026"]
    assert [r[0] for r in by_query] == ["HN-VC-MOU-2017-2020"]
    assert sorted(r[0] for r in by_partnership) == ["HN-MSK-2004", "HN-MSK-CT-2024-2026"]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ],
)
def test_the_export_is_a_download_in_the_chosen_format(signed_in, fmt, content_type):
    response = export(signed_in, fmt)

    assert response["Content-Type"].startswith(content_type)
    assert f'.{fmt}"' in response["Content-Disposition"]


def test_anonymous_visitors_cannot_export(client):
    response = client.get(reverse("agreements:export"))

    assert response.status_code == 302


def test_the_export_takes_the_same_number_of_queries_for_few_or_many_agreements(
    signed_in, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    partnership = PartnershipFactory()

    def count(n):
        Agreement.objects.all().delete()
        AgreementFactory.create_batch(n, partnership=partnership)
        with CaptureQueriesContext(connection) as queries:
            export(signed_in)
        return len(queries)

    assert count(2) == count(20)


def test_the_demo_records_round_trip_unchanged(signed_in, demo):
    content = export(signed_in, "xlsx").content

    outcome = run_import(sheet="agreements", file_name="demo.xlsx", data=content, dry_run=True)

    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert outcome.unchanged == Agreement.objects.count() > 0


# -- template ---------------------------------------------------------------------------


def test_the_template_has_the_header_an_example_and_the_allowed_values(client, records):
    client.force_login(editor())

    response = client.get(reverse("agreements:import_template"))

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, allowed = book.worksheets[0], book.worksheets[1]
    assert tuple(c.value for c in sheet[1]) == AgreementResource.COLUMNS
    assert sheet.max_row == 2
    values = {(r[0], r[1]) for r in allowed.iter_rows(min_row=2, values_only=True)}
    assert ("kind", "mou") in values
    assert ("status", "in_force") in values
    assert ("country", "BY") in values
    assert ("home_city", "Hà Nội") in values


def test_the_template_example_row_imports_cleanly(client, records):
    client.force_login(editor())
    content = client.get(reverse("agreements:import_template")).content

    outcome = run_import(sheet="agreements", file_name="template.xlsx", data=content, dry_run=True)

    assert outcome.ok, outcome.error_rows


def test_viewers_cannot_download_the_import_template(client):
    client.force_login(viewer())

    assert client.get(reverse("agreements:import_template")).status_code == 403


# -- command line -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_the_export_command_writes_a_file_that_imports_unchanged(records, tmp_path, fmt):
    path = tmp_path / f"agreements.{fmt}"

    call_command("export_agreements", "-o", str(path), "--format", fmt)
    call_command("import_agreements", str(path))

    log = ImportLog.objects.get()
    assert (log.rows_unchanged, log.rows_new, log.rows_updated) == (Agreement.objects.count(), 0, 0)
