"""Exports never lose or change data (issue 17, findings 6 and 7): hostile but legal
values are exported in every format, re-imported, and the records compared field by
field; a value longer than an .xlsx cell refuses that format, naming the records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement, FieldOfCooperation, Signatory
from agreements.resources import format_signatory, parse_signatories
from common.sheetkit.cells import split_list
from partnerships.models import Person
from sheets.importing import ImportOutcome, run_import
from tests.factories import (
    AgreementFactory,
    CityFactory,
    FieldOfCooperationFactory,
    PartnershipFactory,
    PersonFactory,
    SignatoryFactory,
    viewer,
)

pytestmark = pytest.mark.django_db

LONG_NOTES = ("Ghi chú về chương trình hợp tác giữa hai thành phố. " * 900)[:43_499]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _hostile_records() -> None:
    hanoi = CityFactory(name="Hà Nội", country="VN", is_home=True)
    minsk = PartnershipFactory(home_city=hanoi, partner_city=CityFactory(name="Minsk"))
    sport = FieldOfCooperationFactory(name="Văn hóa; thể thao (A) [B]")
    culture = FieldOfCooperationFactory(name="'Giáo dục \\ đào tạo")
    first = AgreementFactory(
        reference="'HN-MSK-2004",
        partnership=minsk,
        kind="friendship",
        title="Thỏa thuận (sửa đổi); bản [2]",
        signed_at="'Hà Nội",
        notes="'Dòng đầu\n=Dòng hai; (ba) [bốn]",
        signed_on=dt.date(2004, 1, 1),
    )
    first.fields.set([sport, culture])
    SignatoryFactory(
        agreement=first, person=PersonFactory(full_name="Lê Văn Bình (Bình Lê)"), position_title=""
    )
    SignatoryFactory(
        agreement=first,
        person=PersonFactory(full_name="Nguyễn [Văn] A; B"),
        position_title="Chủ tịch (Hà Nội); khóa XV",
        role="witness",
    )
    SignatoryFactory(
        agreement=first,
        person=PersonFactory(full_name="'O\\Brien"),
        position_title="'=1+1 @Minsk",
    )
    AgreementFactory(
        reference="@HN-MSK-2024",
        partnership=minsk,
        kind="programme",
        title="-Chương trình (2024–2026)",
        parent=first,
        parent_relation="implements",
    )


def _long_record() -> None:
    AgreementFactory(reference="HN-LONG", title="Biên bản dài", notes=LONG_NOTES)


def _snapshot() -> dict[str, dict[str, Any]]:
    """Every agreement, field by field, with its fields and signatories."""
    records = {}
    for a in Agreement.objects.select_related("partnership", "parent").order_by("reference"):
        records[a.reference] = {
            "title": a.title,
            "kind": a.kind,
            "status": a.status,
            "signed_on": a.signed_on,
            "signed_on_precision": a.signed_on_precision,
            "signed_at": a.signed_at,
            "valid_from": a.valid_from,
            "valid_until": a.valid_until,
            "notes": a.notes,
            "partnership": a.partnership_id,
            "parent": a.parent.reference if a.parent else None,
            "parent_relation": a.parent_relation,
            "fields": sorted(a.fields.values_list("pk", flat=True)),
            "signatories": sorted(
                Signatory.objects.filter(agreement=a).values_list(
                    "person_id", "position_title", "role"
                )
            ),
        }
    return records


def _export(client, fmt: str) -> bytes:
    client.force_login(viewer())
    response = client.get(reverse("agreements:export"), {"format": fmt})
    assert response.status_code == 200, response.content[:500]
    return response.content


def _import(fmt: str, data: bytes) -> ImportOutcome:
    outcome = run_import(sheet="agreements", file_name=f"all.{fmt}", data=data, dry_run=False)
    assert outcome.ok, (outcome.errors, [(r.number, r.errors) for r in outcome.error_rows])
    return outcome


FORMATS = ["csv", "xlsx", "ods"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_values_re_import_unchanged(client, fmt):
    _hostile_records()
    if fmt != "xlsx":
        _long_record()
    before, people = _snapshot(), Person.objects.count()

    outcome = _import(fmt, _export(client, fmt))

    assert (outcome.new, outcome.updated) == (0, 0)
    assert outcome.unchanged == len(before)
    assert _snapshot() == before
    assert Person.objects.count() == people


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_values_exported_then_imported_afresh_are_the_same_records(client, fmt):
    _hostile_records()
    if fmt != "xlsx":
        _long_record()
    before = _snapshot()
    people, fields = Person.objects.count(), FieldOfCooperation.objects.count()
    data = _export(client, fmt)
    Signatory.objects.all().delete()
    Agreement.objects.filter(parent__isnull=False).delete()
    Agreement.objects.all().delete()

    outcome = _import(fmt, data)

    assert outcome.new == len(before)
    assert _snapshot() == before
    # "Lê Văn Bình (Bình Lê)" is found again as one person, not made a second one.
    assert Person.objects.count() == people
    assert FieldOfCooperation.objects.count() == fields


def test_notes_longer_than_an_xlsx_cell_keep_every_character_through_csv_and_ods(client):
    _long_record()
    for fmt in ("csv", "ods"):
        data = _export(client, fmt)
        Agreement.objects.all().delete()

        _import(fmt, data)

        assert Agreement.objects.get().notes == LONG_NOTES, fmt


def test_the_xlsx_export_of_a_value_over_the_cell_limit_is_refused_naming_the_record(
    client, settings
):
    settings.LANGUAGE_CODE = "en"  # the message is checked in English
    _hostile_records()
    _long_record()
    client.force_login(viewer())

    response = client.get(reverse("agreements:export"), {"format": "xlsx", "q": ""})

    assert response.status_code == 422
    page = response.content.decode()
    assert "HN-LONG – Biên bản dài" in page
    assert "32,767 characters" in page
    assert "format=csv" in page
    assert "format=ods" in page
    assert "'HN-MSK-2004" not in page


def test_the_export_command_refuses_xlsx_for_a_value_over_the_cell_limit(tmp_path):
    _long_record()

    with pytest.raises(CommandError, match="HN-LONG"):
        call_command("export_agreements", "--format", "xlsx", "-o", str(tmp_path / "a.xlsx"))

    assert not (tmp_path / "a.xlsx").exists()


@pytest.mark.parametrize(
    ("name", "title", "role"),
    [
        ("Lê Văn Bình (Bình Lê)", "", "signatory"),
        ("Nguyễn [Văn] A; B", "Chủ tịch (Hà Nội); khóa XV", "witness"),
        ("O\\Brien \\(x", "a \\; b", "signatory"),
    ],
)
def test_a_signatory_round_trips_through_the_escaping_rule(name, title, role):
    assert parse_signatories(format_signatory(name, title, role)) == [(name, title, role)]


def test_a_signatory_without_a_position_is_written_with_the_unknown_marker():
    assert format_signatory("Lê Văn Bình", "", "signatory") == "Lê Văn Bình (—)"
    assert parse_signatories("Lê Văn Bình (—)") == [("Lê Văn Bình", "", "signatory")]


def test_a_list_cell_without_escapes_reads_as_before():
    assert split_list("Văn hóa; Giáo dục") == ["Văn hóa", "Giáo dục"]
    assert parse_signatories("Trần Sỹ Thanh (Chủ tịch UBND) [witness]") == [
        ("Trần Sỹ Thanh", "Chủ tịch UBND", "witness")
    ]
