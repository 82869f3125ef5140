"""The export for people (issue 12, point 12): CLI and web, xlsx and ods, back to no change."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement
from common.partialdate import Precision
from delegations.models import Visit
from sheets.importing import run_import
from tests.factories import (
    AgreementFactory,
    CityFactory,
    FieldOfCooperationFactory,
    PartnershipFactory,
    PersonFactory,
    SignatoryFactory,
    VisitFactory,
    viewer,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from django.test import Client

pytestmark = pytest.mark.django_db

FIELDS = [
    "reference",
    "partnership_id",
    "kind",
    "title",
    "signed_on",
    "signed_on_precision",
    "signed_at",
    "valid_from",
    "valid_until",
    "status",
    "parent_id",
    "parent_relation",
    "notes",
]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def records() -> None:
    hanoi = CityFactory(name="Hà Nội", country="VN", is_home=True)
    minsk = PartnershipFactory(home_city=hanoi, partner_city=CityFactory(name="Minsk"))
    culture = FieldOfCooperationFactory(name="Văn hóa")
    friendship = AgreementFactory(
        reference="HN-MSK-2004",
        partnership=minsk,
        kind="friendship",
        status="in_force",
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
        status="in_force",
        parent=friendship,
        parent_relation="implements",
        signed_on=dt.date(2023, 12, 7),
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2026, 12, 31),
        notes="Ký trước sự chứng kiến.\nDòng thứ hai.",
    )
    SignatoryFactory(
        agreement=programme,
        person=PersonFactory(full_name="Trần Sỹ Thanh"),
        position_title="Chủ tịch UBND thành phố Hà Nội",
        role="witness",
    )
    AgreementFactory(
        reference="HN-MSK-MOU-2023",
        partnership=minsk,
        kind="mou",
        status="expired",
        signed_on=dt.date(2023, 12, 1),
        signed_on_precision=Precision.MONTH,
        valid_from=dt.date(2023, 12, 5),
        valid_until=None,
    )


def _values() -> list[dict[str, Any]]:
    return list(Agreement.objects.order_by("reference").values(*FIELDS))


def _links() -> list[tuple[str, list[str], list[tuple[str, str, str]]]]:
    return [
        (
            a.reference,
            sorted(f.name for f in a.fields.all()),
            sorted((s.person.full_name, s.position_title, s.role) for s in a.signatories.all()),
        )
        for a in Agreement.objects.order_by("reference")
    ]


def _reimports_unchanged(content: bytes, fmt: str) -> None:
    """Importing over the stored records changes nothing; into an empty table, the same."""
    before, links = _values(), _links()
    outcome = run_import(sheet="agreements", file_name=f"o.{fmt}", data=content, dry_run=False)
    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert (outcome.new, outcome.updated, outcome.unchanged) == (0, 0, 3)
    assert not outcome.ambiguous_dates
    Agreement.objects.filter(parent__isnull=False).delete()
    Agreement.objects.all().delete()
    again = run_import(sheet="agreements", file_name=f"o.{fmt}", data=content, dry_run=False)
    assert again.ok, (again.errors, again.error_rows)
    assert again.new == 3
    after = _values()
    for row in after:
        row.pop("parent_id")
    for row in before:
        row.pop("parent_id")
    assert after == before
    assert _links() == links


def test_the_command_writes_an_office_xlsx_in_vietnamese(records: None, tmp_path: Path) -> None:
    target = tmp_path / "thoa-thuan.xlsx"

    call_command("export_agreements", "-o", str(target), "--style", "office", "--lang", "vi")

    book = openpyxl.load_workbook(target)
    assert book.sheetnames[0] != "Sheet1"
    assert len(book.sheetnames) == 2  # the records, then the allowed values
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Số hiệu", "Thành phố của ta"]
    assert "Ngày ký" in header
    assert "kind" not in header
    rows = {r[0].value: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2)}
    programme = rows["HN-MSK-CT-2024-2026"]
    assert programme["Ngày ký"].is_date
    assert programme["Ngày ký"].value.date() == dt.date(2023, 12, 7)
    assert programme["Ngày ký"].number_format.upper().startswith("DD")
    assert programme["Loại văn bản"].value != "programme"  # the label, not the code
    assert rows["HN-MSK-2004"]["Ngày ký"].value == "2004"  # a partial date stays text
    assert rows["HN-MSK-MOU-2023"]["Ngày ký"].value == "12/2023"
    allowed = [c.value for c in book.worksheets[1]["B"]]
    assert programme["Loại văn bản"].value in allowed
    _reimports_unchanged(target.read_bytes(), "xlsx")


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_command_writes_an_office_export_in_english_that_imports_unchanged(
    records: None, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"agreements.{fmt}"

    call_command("export_agreements", "-o", str(target), "--style", "office", "--lang", "en")

    _reimports_unchanged(target.read_bytes(), fmt)


def _office(client: Client, url: str, fmt: str, lang: str = "vi") -> bytes:
    client.force_login(viewer())
    with translation.override(lang):
        response = client.get(
            reverse(url), {"format": fmt, "style": "office"}, headers={"accept-language": lang}
        )
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_web_office_export_imports_back_unchanged(
    client: Client, records: None, fmt: str
) -> None:
    content = _office(client, "agreements:export", fmt)

    if fmt == "ods":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            xml = archive.read("content.xml").decode()
        assert 'office:date-value="2023-12-07"' in xml
        assert xml.count("<table:table ") == 2
    _reimports_unchanged(content, fmt)


def test_the_list_pages_offer_the_export_for_people(client: Client, records: None) -> None:
    client.force_login(viewer())

    page = client.get(reverse("agreements:agreement_list")).content.decode()

    assert "style=office" in page


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_visit_office_export_imports_back_unchanged(client: Client, fmt: str) -> None:
    hanoi = CityFactory(name="Hà Nội", country="VN", is_home=True)
    partnership = PartnershipFactory(home_city=hanoi, partner_city=CityFactory(name="Minsk"))
    VisitFactory(
        partnership=partnership,
        start_date=dt.date(2025, 1, 1),
        start_date_precision=Precision.YEAR,
        end_date=None,
    )
    VisitFactory(partnership=partnership, start_date=dt.date(2025, 5, 11))
    fields = ["title", "start_date", "start_date_precision", "end_date", "direction", "status"]
    before = list(Visit.objects.order_by("pk").values(*fields))

    content = _office(client, "delegations:visit_export", fmt)
    outcome = run_import(sheet="visits", file_name=f"v.{fmt}", data=content, dry_run=False)

    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert (outcome.new, outcome.updated, outcome.unchanged) == (0, 0, 2)
    assert list(Visit.objects.order_by("pk").values(*fields)) == before
