"""The export commands of the three sheets, and export → import back to no change (issue 12).

``export_agreements``, ``export_visits``, ``export_action_items`` write every record in the
technical or the office style; ``import_agreements``, ``import_visits``,
``import_action_items`` read either back. The office style writes countries by name in its
language (point 12), which the import reads back in Vietnamese and in English.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from agreements.models import Agreement
from common.partialdate import Precision
from delegations.models import ActionItem, Visit
from sheets.models import ImportLog
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    CityFactory,
    FieldOfCooperationFactory,
    PartnershipFactory,
    PersonFactory,
    SignatoryFactory,
    VisitFactory,
)

if TYPE_CHECKING:
    from pathlib import Path

    from django.db.models import Model

pytestmark = pytest.mark.django_db

SHEETS = {
    "agreements": ("export_agreements", "import_agreements", Agreement),
    "visits": ("export_visits", "import_visits", Visit),
    "action_items": ("export_action_items", "import_action_items", ActionItem),
}


@pytest.fixture
def records() -> None:
    hanoi = CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    minsk = PartnershipFactory(
        home_city=hanoi, partner_city=CityFactory(name="Minsk", name_en="Minsk", country="BY")
    )
    programme = AgreementFactory(
        reference="HN-MSK-CT-2024-2026",
        partnership=minsk,
        kind="programme",
        status="in_force",
        signed_on=dt.date(2023, 12, 7),
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2026, 12, 31),
    )
    programme.fields.set([FieldOfCooperationFactory(name="Văn hóa")])
    SignatoryFactory(
        agreement=programme,
        person=PersonFactory(full_name="Trần Sỹ Thanh"),
        position_title="Chủ tịch UBND thành phố Hà Nội",
    )
    AgreementFactory(
        reference="HN-MSK-2004",
        partnership=minsk,
        kind="friendship",
        signed_on=dt.date(2004, 1, 1),
        signed_on_precision=Precision.YEAR,
        valid_from=None,
        valid_until=None,
    )
    visit = VisitFactory(partnership=minsk, start_date=dt.date(2025, 5, 11))
    VisitFactory(
        partnership=minsk,
        start_date=dt.date(2024, 1, 1),
        start_date_precision=Precision.YEAR,
        end_date=None,
    )
    ActionItemFactory(visit=visit, due_on=dt.date(2025, 12, 31))
    ActionItemFactory(visit=visit)


def _state(model: type[Model]) -> list[dict[str, Any]]:
    """Every stored field and list of every record (ids included: nothing is recreated)."""
    return [model_to_dict(obj) for obj in model._default_manager.order_by("pk")]


def _round_trip(sheet: str, tmp_path: Path, *args: str, suffix: str = "xlsx") -> Path:
    export, import_, model = SHEETS[sheet]
    before = _state(model)
    target = tmp_path / f"{sheet}.{suffix}"

    call_command(export, "-o", str(target), *args, stderr=StringIO())
    out = StringIO()
    call_command(import_, str(target), "--lang", "en", stdout=out)

    log = ImportLog.objects.latest("pk")
    assert log.sheet == sheet
    assert (log.rows_new, log.rows_updated, log.rows_with_errors) == (0, 0, 0), out.getvalue()
    assert log.rows_unchanged == model._default_manager.count()
    assert _state(model) == before
    return target


@pytest.mark.parametrize("sheet", SHEETS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_a_technical_export_imports_back_unchanged(
    records: None, tmp_path: Path, sheet: str, fmt: str
) -> None:
    _round_trip(sheet, tmp_path, "--format", fmt, suffix=fmt)


@pytest.mark.parametrize("sheet", SHEETS)
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "csv"])
def test_an_office_export_imports_back_unchanged(
    records: None, tmp_path: Path, sheet: str, lang: str, fmt: str
) -> None:
    _round_trip(sheet, tmp_path, "--style", "office", "--lang", lang, suffix=fmt)


@pytest.mark.parametrize(
    ("lang", "home", "partner"), [("vi", "Việt Nam", "Belarus"), ("en", "Vietnam", "Belarus")]
)
@pytest.mark.parametrize("sheet", ["agreements", "visits"])
def test_an_office_export_names_countries_in_its_language(
    records: None, tmp_path: Path, sheet: str, lang: str, home: str, partner: str
) -> None:
    target = _round_trip(sheet, tmp_path, "--style", "office", "--lang", lang)

    rows = list(openpyxl.load_workbook(target).worksheets[0].values)
    written = {value for row in rows[1:] for value in row}
    assert {home, partner} <= written  # Belarus is "Belarus" in Vietnamese too
    assert not {"VN", "BY"} & written


def test_a_technical_export_keeps_the_country_codes(records: None, tmp_path: Path) -> None:
    target = _round_trip("visits", tmp_path)

    rows = list(openpyxl.load_workbook(target).worksheets[0].values)
    assert {"VN", "BY"} <= {value for row in rows[1:] for value in row}


def test_the_import_commands_default_to_their_sheet(records: None, tmp_path: Path) -> None:
    target = tmp_path / "items.csv"
    call_command("export_action_items", "-o", str(target), stderr=StringIO())

    out = StringIO()
    call_command("import_action_items", str(target), "--dry-run", "--lang", "en", stdout=out)
    assert "2 unchanged" in out.getvalue()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_visits", str(target), "--dry-run", "--lang", "en", stderr=StringIO())
