"""The office's real spreadsheets (issue 12, points 2–5, 7, 11), at the CLI and on the web.

The fixtures (tests/fixtures/sheets/README.md) were made by LibreOffice from a CSV typed
as staff type it: a title row, a blank row, the header on row 3 with the office's own
columns, and no home city, country, signatories or fields.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement
from agreements.resources import derived_reference
from common.partialdate import PartialDate
from sheets.importing import ImportOptions, run_import
from sheets.models import SavedMapping
from tests.factories import CityFactory, PersonFactory, editor
from tests.sheets import agreement_row, csv_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "sheets"
DAY_FIRST = ("office_title_row_dayfirst.xlsx", "office_title_row_dayfirst.ods")
DAY_FIRST_ALL = (*DAY_FIRST, "office_title_row_dayfirst.xls")
MONTH_FIRST = "office_title_row_monthfirst.xlsx"

RIGHT_DATES = {
    "HN-MSK-2004": (dt.date(2004, 6, 12), dt.date(2004, 6, 12), None),
    "HN-MSK-CT-2024": (dt.date(2023, 12, 7), dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
    "HN-VC-MOU-2017": (dt.date(2017, 9, 25), dt.date(2017, 9, 25), dt.date(2020, 9, 24)),
}


@pytest.fixture
def places(db):
    hanoi = CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    minsk = CityFactory(name="Minsk", name_en="Minsk", country="BY")
    vientiane = CityFactory(name="Viêng Chăn", name_en="Vientiane", country="LA")
    return {"hanoi": hanoi, "minsk": minsk, "vientiane": vientiane}


def stored_dates():
    return {
        a.reference: (a.signed_on, a.valid_from, a.valid_until) for a in Agreement.objects.all()
    }


def fixture(name):
    return (FIXTURES / name).read_bytes()


def cli(*args):
    call_command("import_agreements", *map(str, args), "--lang", "en")


# -- header row (point 2) -----------------------------------------------------------------


def test_the_header_is_found_below_a_title_row(places):
    outcome = run_import(
        sheet="agreements", file_name=DAY_FIRST[0], data=fixture(DAY_FIRST[0]), dry_run=True
    )

    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert outcome.header_row == 3
    assert outcome.new == 3
    assert outcome.ignored_columns == ["STT"]


def test_the_command_names_the_header_row(places, capsys):
    cli(FIXTURES / DAY_FIRST[0], "--dry-run")

    out = capsys.readouterr().out
    assert "Header on row 3." in out
    assert "“Số hiệu” → reference" in out
    assert "Ignored columns: “STT”." in out
    assert not Agreement.objects.exists()


def test_header_row_option_overrides_the_search(places, capsys):
    with pytest.raises(CommandError):
        cli(FIXTURES / DAY_FIRST[0], "--dry-run", "--header-row", "1")

    assert "row 1" in capsys.readouterr().err
    cli(FIXTURES / DAY_FIRST[0], "--dry-run", "--header-row", "3")


def test_a_sheet_without_any_known_header_says_what_it_looked_for(places):
    data = b"a,b,c\n1,2,3\n"
    with translation.override("en"):
        outcome = run_import(sheet="agreements", file_name="x.csv", data=data, dry_run=True)

    assert not outcome.ok
    assert "first 20 rows" in outcome.errors[0]


# -- day-first files from LibreOffice import with the right dates (points 4, 7) ------------


@pytest.mark.parametrize("name", DAY_FIRST_ALL)
def test_day_first_files_import_from_the_command_line_with_the_right_dates(places, name):
    cli(FIXTURES / name)

    assert stored_dates() == RIGHT_DATES
    assert {a.partnership.home_city for a in Agreement.objects.all()} == {places["hanoi"]}


@pytest.mark.parametrize("name", DAY_FIRST)
def test_day_first_files_import_on_the_web_with_the_right_dates(client, places, name):
    client.force_login(editor())
    upload = SimpleUploadedFile(name, fixture(name))

    preview = client.post(reverse("agreements:import"), {"file": upload, "action": "preview"})
    assert preview.status_code == 200
    assert preview.context["outcome"].header_row == 3
    assert 'class="import-header-row"' in preview.content.decode()
    client.post(
        reverse("agreements:import"), {"token": preview.context["token"], "action": "confirm"}
    )

    assert stored_dates() == RIGHT_DATES


# -- month-first cells are never silently wrong (point 7) ----------------------------------


def test_the_month_first_file_is_refused_listing_both_readings(places):
    outcome = run_import(
        sheet="agreements", file_name=MONTH_FIRST, data=fixture(MONTH_FIRST), dry_run=True
    )

    assert not outcome.ok
    listed = {(a.row, a.column, a.as_stored, a.swapped) for a in outcome.ambiguous_dates}
    assert (4, "Ngày ký", "06/12/2004", "12/06/2004") in listed
    assert (5, "Ngày ký", "12/07/2023", "07/12/2023") in listed
    assert not Agreement.objects.exists()


def test_the_month_first_file_at_the_command_line_fails_then_imports_once_told(places, capsys):
    with pytest.raises(CommandError) as failure:
        cli(FIXTURES / MONTH_FIRST)

    assert failure.value.returncode == 1
    err = capsys.readouterr().err
    assert "row 4, Ngày ký: 06/12/2004 as stored, 12/06/2004 day and month swapped" in err
    assert not Agreement.objects.exists()

    cli(FIXTURES / MONTH_FIRST, "--date-cells", "day-month-swapped")

    assert stored_dates() == RIGHT_DATES


def test_the_month_first_file_on_the_web_asks_then_imports_the_right_dates(client, places):
    client.force_login(editor())
    upload = SimpleUploadedFile(MONTH_FIRST, fixture(MONTH_FIRST))

    preview = client.post(reverse("agreements:import"), {"file": upload, "action": "preview"})
    assert "token" not in preview.context
    assert "06/12/2004" in preview.content.decode()
    again = client.post(
        reverse("agreements:import"),
        {
            "token": preview.context["reread_token"],
            "action": "reread",
            "date_cells": "day-month-swapped",
            "header_0": "STT",
            "map_0": "",
        },
    )
    assert again.context["outcome"].ok
    client.post(
        reverse("agreements:import"), {"token": again.context["token"], "action": "confirm"}
    )

    assert stored_dates() == RIGHT_DATES


# The month-first fixture has two ambiguous columns: Ngày ký (rows 4, 5), Hiệu lực từ (row 4).
SIGNED_SWAPPED_VALID_FROM_AS_STORED = {
    **RIGHT_DATES,
    "HN-MSK-2004": (dt.date(2004, 6, 12), dt.date(2004, 12, 6), None),
}


def test_at_the_command_line_each_columns_date_cells_are_read_as_told(places, capsys):
    with pytest.raises(CommandError):
        cli(FIXTURES / MONTH_FIRST, "--date-cells", "signed_on=day-month-swapped")

    err = capsys.readouterr().err
    assert "row 4, Hiệu lực từ: 06/12/2004 as stored" in err
    assert "Ngày ký:" not in err  # that column's reading was given
    assert "--date-cells valid_from=as-stored" in err
    assert not Agreement.objects.exists()

    cli(
        FIXTURES / MONTH_FIRST,
        "--date-cells",
        "Ngày ký=day-month-swapped",  # a column by its header as written
        "--date-cells",
        "valid_from=as-stored",
    )

    assert stored_dates() == SIGNED_SWAPPED_VALID_FROM_AS_STORED


def test_a_column_named_with_a_reading_overrides_the_reading_for_every_column(places):
    cli(
        FIXTURES / MONTH_FIRST,
        "--date-cells",
        "day-month-swapped",
        "--date-cells",
        "valid_from=as-stored",
    )

    assert stored_dates() == SIGNED_SWAPPED_VALID_FROM_AS_STORED


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("reference=as-stored", "“reference” is not a date column of this sheet"),
        ("signed_on=sideways", "write --date-cells [COLUMN=]as-stored"),
    ],
)
def test_a_date_reading_for_no_date_column_or_of_no_kind_is_refused(places, written, said, capsys):
    with pytest.raises(CommandError) as failure:
        cli(FIXTURES / MONTH_FIRST, "--date-cells", written)

    assert said in str(failure.value) + capsys.readouterr().err
    assert not Agreement.objects.exists()


def test_on_the_web_the_preview_asks_one_reading_per_ambiguous_column(client, places):
    client.force_login(editor())
    upload = SimpleUploadedFile(MONTH_FIRST, fixture(MONTH_FIRST))
    url = reverse("agreements:import")

    with translation.override("en"):
        preview = client.post(url, {"file": upload, "action": "preview"})
    reading = preview.context["reading"]
    assert reading.ambiguous_columns == [("signed_on", "Ngày ký"), ("valid_from", "Hiệu lực từ")]
    # The page is in the user's language (Vietnamese by default), whatever the test activates.
    assert [str(f.label) for f in reading.date_fields()] == [
        "Các ô ngày tháng của cột “Ngày ký”",
        "Các ô ngày tháng của cột “Hiệu lực từ”",
    ]
    assert 'name="datecells_1"' in preview.content.decode()
    token = preview.context["reread_token"]
    common = {"token": token, "action": "reread", "header_0": "STT", "map_0": ""}

    signed_only = client.post(
        url,
        {
            **common,
            "datekey_0": "signed_on:Ngày ký",
            "datecells_0": "day-month-swapped",
            "datekey_1": "valid_from:Hiệu lực từ",
            "datecells_1": "",
        },
    )
    assert not signed_only.context["outcome"].ok
    assert signed_only.context["reading"].ambiguous_columns == [("valid_from", "Hiệu lực từ")]
    both = client.post(
        url, {**common, "datekey_0": "valid_from:Hiệu lực từ", "datecells_0": "as-stored"}
    )
    assert both.context["outcome"].ok
    client.post(url, {"token": both.context["token"], "action": "confirm"})

    assert stored_dates() == SIGNED_SWAPPED_VALID_FROM_AS_STORED


def test_a_date_typed_as_text_is_always_day_first(places):
    outcome = run_import(
        sheet="agreements",
        file_name="a.csv",
        data=csv_bytes([agreement_row(signed_on="07/12/2023")]),
        dry_run=False,
    )

    assert outcome.ok
    assert Agreement.objects.get().signed_on == dt.date(2023, 12, 7)


# -- columns by any name (point 3) ---------------------------------------------------------


def _office_csv(header_of_reference="Số hiệu"):
    return (
        f"{header_of_reference},Thành phố đối tác,Loại văn bản,Tên văn bản,Ngày ký\n"
        "HN-MSK-9,Minsk,Biên bản ghi nhớ,Biên bản ghi nhớ về văn hóa,07/12/2023\n"
    ).encode()


@pytest.mark.parametrize("header", ["SỐ HIỆU", "so_hieu", "Số  hiệu", "so-hieu", "Số văn bản"])
def test_headers_match_whatever_their_case_accents_and_separators(places, header):
    outcome = run_import(
        sheet="agreements", file_name="a.csv", data=_office_csv(header), dry_run=True
    )

    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert ("reference" in dict(outcome.columns).values()) or outcome.columns


def test_the_command_maps_a_column_by_its_header(places):
    path_csv = _office_csv("Mã số")
    outcome = run_import(sheet="agreements", file_name="a.csv", data=path_csv, dry_run=True)
    assert "Mã số" in outcome.ignored_columns

    outcome = run_import(
        sheet="agreements",
        file_name="a.csv",
        data=path_csv,
        dry_run=False,
        options=ImportOptions(mapping={"reference": "Mã số"}),
    )

    assert outcome.ok
    assert Agreement.objects.get().reference == "HN-MSK-9"


def test_the_cli_map_option(places, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(_office_csv("Mã số"))

    cli(path, "--map", 'reference="Mã số"')

    assert Agreement.objects.get().reference == "HN-MSK-9"


def test_a_mapping_saved_on_the_web_is_used_by_name_at_the_command_line(client, places, tmp_path):
    client.force_login(editor())
    upload = SimpleUploadedFile("a.csv", _office_csv("Mã số"))
    preview = client.post(reverse("agreements:import"), {"file": upload, "action": "preview"})
    assert preview.context["reading"].unknown == ["Mã số"]

    again = client.post(
        reverse("agreements:import"),
        {
            "token": preview.context["reread_token"],
            "action": "reread",
            "header_0": "Mã số",
            "map_0": "reference",
            "save_mapping_as": "Sổ văn bản 2024",
        },
    )
    assert again.context["outcome"].ok
    assert SavedMapping.objects.get().columns == {"reference": "Mã số"}

    path = tmp_path / "b.csv"
    path.write_bytes(_office_csv("Mã số"))
    cli(path, "--mapping", "Sổ văn bản 2024")
    assert Agreement.objects.get().reference == "HN-MSK-9"


# -- only what identifies a record is required (point 4) -----------------------------------


def test_without_a_reference_column_a_stable_reference_is_derived(places):
    data = (
        "Thành phố đối tác,Loại văn bản,Tên văn bản,Ngày ký\n"
        "Minsk,Biên bản ghi nhớ,Biên bản ghi nhớ về văn hóa,07/12/2023\n"
    ).encode()

    first = run_import(sheet="agreements", file_name="a.csv", data=data, dry_run=False)
    again = run_import(sheet="agreements", file_name="a.csv", data=data, dry_run=False)

    assert (first.new, again.unchanged) == (1, 1)
    expected = derived_reference(
        "Minsk", PartialDate(dt.date(2023, 12, 7)), "Biên bản ghi nhớ về văn hóa"
    )
    assert Agreement.objects.get().reference == expected
    assert expected.startswith("MINSK-20231207-")


def test_neither_reference_nor_signing_date_is_refused_naming_both(places):
    data = "Thành phố đối tác,Tên văn bản\nMinsk,Biên bản\n".encode()

    with translation.override("en"):
        outcome = run_import(sheet="agreements", file_name="a.csv", data=data, dry_run=True)

    assert "reference / signed_on" in outcome.errors[0]


def test_the_home_city_comes_from_the_option_when_there_are_several(places, tmp_path):
    CityFactory(name="TP Hồ Chí Minh", country="VN", is_home=True)
    path = tmp_path / "a.csv"
    path.write_bytes(_office_csv())

    with pytest.raises(CommandError):
        cli(path)
    cli(path, "--home-city", "TP Hồ Chí Minh")

    assert Agreement.objects.get().partnership.home_city.name == "TP Hồ Chí Minh"


# -- blank never erases (point 5) ---------------------------------------------------------


@pytest.fixture
def stored(places):
    PersonFactory(full_name="Vladimir Kukharev")
    run_import(
        sheet="agreements",
        file_name="a.csv",
        data=csv_bytes(
            [
                agreement_row(
                    signatories="Vladimir Kukharev (Chủ tịch Minsk) [witness]",
                    notes="Ký tại Hà Nội",
                    fields="Văn hóa",
                )
            ]
        ),
        dry_run=False,
    )
    return Agreement.objects.get()


def test_a_partial_reimport_keeps_the_stored_witnesses_and_notes(stored, tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes(
        csv_bytes([agreement_row(signatories="", notes="", fields="", status="expired")])
    )

    cli(path)

    agreement = Agreement.objects.get()
    assert agreement.status == "expired"
    assert agreement.notes == "Ký tại Hà Nội"
    assert [s.person.full_name for s in agreement.signatories.all()] == ["Vladimir Kukharev"]
    assert [f.name for f in agreement.fields.all()] == ["Văn hóa"]


def test_blank_clear_makes_blanks_clear(stored, tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes(csv_bytes([agreement_row(signatories="", notes="", fields="")]))

    cli(path, "--blank", "clear")

    agreement = Agreement.objects.get()
    assert agreement.notes == ""
    assert not agreement.signatories.exists()


def test_the_web_checkbox_makes_blanks_clear(client, stored):
    client.force_login(editor())
    upload = SimpleUploadedFile("b.csv", csv_bytes([agreement_row(notes="")]))
    preview = client.post(
        reverse("agreements:import"),
        {"file": upload, "action": "preview", "blank_clears": "on"},
    )
    client.post(
        reverse("agreements:import"), {"token": preview.context["token"], "action": "confirm"}
    )

    assert Agreement.objects.get().notes == ""


def test_an_absent_column_leaves_the_stored_value(stored):
    data = (
        "Số hiệu,Thành phố đối tác,Tên văn bản\n"
        "HN-MSK-2030,Minsk,Biên bản ghi nhớ về hợp tác văn hóa\n"
    ).encode()

    outcome = run_import(sheet="agreements", file_name="a.csv", data=data, dry_run=False)

    assert outcome.unchanged == 1, outcome.rows
    assert Agreement.objects.get().notes == "Ký tại Hà Nội"
    assert "notes" in outcome.absent_columns


def test_the_preview_names_what_an_update_removes(stored, capsys, tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes(csv_bytes([agreement_row(signatories="Trần Sỹ Thanh (Chủ tịch)")]))

    cli(path, "--dry-run")

    out = capsys.readouterr().out
    assert (
        "This update removes the signatories: Vladimir Kukharev (Chủ tịch Minsk) [witness]." in out
    )


def test_an_export_reimports_unchanged(stored, tmp_path):
    path = tmp_path / "export.csv"
    call_command("export_agreements", "-o", str(path))

    outcome = run_import(
        sheet="agreements", file_name="export.csv", data=path.read_bytes(), dry_run=True
    )

    assert (outcome.unchanged, outcome.updated) == (1, 0), outcome.rows


def test_a_header_naming_too_few_columns_is_still_found_and_what_it_lacks_named(places):
    data = ("Tên văn bản,Thành phố đối tác,X\n" + "Một,Minsk,1\n" * 5).encode()

    with translation.override("en"):
        outcome = run_import(sheet="agreements", file_name="b.csv", data=data, dry_run=True)

    assert outcome.errors == ["The header row (row 1) lacks the columns: reference / signed_on."]


# -- values as staff write them (point 6) --------------------------------------------------


def _kind_csv(kind, reference="HN-MSK-9"):
    return (
        "Số hiệu,Thành phố đối tác,Loại văn bản,Tên văn bản,Ngày ký\n"
        f"{reference},Minsk,{kind},Văn bản,07/12/2023\n"
    ).encode()


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("MOU", "mou"),
        ("letter-of-intent", "letter_of_intent"),
        ("Letter of Intent", "letter_of_intent"),
        ("annual plan", "annual_plan"),
        ("Thỏa thuận hợp tác", "cooperation"),
        ("THOA THUAN HUU NGHI", "friendship"),
    ],
)
def test_kinds_are_read_as_staff_write_them(places, written, kind):
    outcome = run_import(
        sheet="agreements", file_name="a.csv", data=_kind_csv(written), dry_run=False
    )

    assert outcome.ok, outcome.rows
    assert Agreement.objects.get().kind == kind


def test_a_document_name_is_classified_by_its_head_noun_and_the_preview_says_so(places):
    with translation.override("en"):
        outcome = run_import(
            sheet="agreements",
            file_name="a.csv",
            data=_kind_csv("Thỏa thuận hợp tác về giáo dục và đào tạo"),
            dry_run=True,
        )

    assert outcome.ok, outcome.rows
    [row] = outcome.rows
    assert (
        "“Thỏa thuận hợp tác về giáo dục và đào tạo” read as cooperation agreement "
        "(by its first words)."
    ) in row.notes


def test_a_cooperation_agreement_is_not_a_friendship_agreement(places):
    run_import(
        sheet="agreements", file_name="a.csv", data=_kind_csv("Thỏa thuận hợp tác"), dry_run=False
    )
    run_import(
        sheet="agreements",
        file_name="b.csv",
        data=_kind_csv("Thỏa thuận hữu nghị", reference="HN-MSK-10"),
        dry_run=False,
    )

    assert dict(Agreement.objects.values_list("reference", "kind")) == {
        "HN-MSK-9": "cooperation",
        "HN-MSK-10": "friendship",
    }


def test_an_unknown_value_is_refused_with_the_accepted_values_in_the_users_language(places):
    with translation.override("vi"):
        outcome = run_import(
            sheet="agreements", file_name="a.csv", data=_kind_csv("Công hàm"), dry_run=True
        )
    [row] = outcome.error_rows
    message = row.errors[0][1]

    assert "mou (" in message
    assert outcome.unknown_values == [("kind", "Công hàm")]


def test_the_cli_maps_an_unknown_value(places, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(_kind_csv("Công hàm"))

    with pytest.raises(CommandError):
        cli(path)
    cli(path, "--value", 'kind:"Công hàm"=letter_of_intent')

    assert Agreement.objects.get().kind == "letter_of_intent"


def test_the_web_maps_an_unknown_value_once_and_remembers_it_with_the_mapping(
    client, places, tmp_path
):
    client.force_login(editor())
    upload = SimpleUploadedFile("a.csv", _kind_csv("Công hàm"))
    preview = client.post(reverse("agreements:import"), {"file": upload, "action": "preview"})
    assert preview.context["reading"].unknown_values == [("kind", "Công hàm")]

    again = client.post(
        reverse("agreements:import"),
        {
            "token": preview.context["reread_token"],
            "action": "reread",
            "valuekey_0": "kind:Công hàm",
            "value_0": "letter_of_intent",
            "save_mapping_as": "Công văn",
        },
    )
    assert again.context["outcome"].ok
    assert SavedMapping.objects.get().values == {"kind": {"Công hàm": "letter_of_intent"}}

    path = tmp_path / "b.csv"
    path.write_bytes(_kind_csv("Công hàm"))
    cli(path, "--mapping", "Công văn")
    assert Agreement.objects.get().kind == "letter_of_intent"


# -- signatories (point 9) ----------------------------------------------------------------


def test_a_position_after_a_dash_is_read_and_the_preview_says_so(places):
    data = csv_bytes([agreement_row(signatories="Nguyễn Văn B - Chủ tịch")])
    with translation.override("en"):
        outcome = run_import(sheet="agreements", file_name="a.csv", data=data, dry_run=False)

    assert outcome.ok, outcome.rows
    assert "“Nguyễn Văn B - Chủ tịch” read as “Nguyễn Văn B (Chủ tịch)”." in outcome.rows[0].notes
    [signatory] = Agreement.objects.get().signatories.all()
    assert (signatory.person.full_name, signatory.position_title) == ("Nguyễn Văn B", "Chủ tịch")


@pytest.mark.parametrize(
    "written",
    ["Nguyễn Văn B - Chủ tịch - UBND", "Nguyễn Văn B (Chủ tịch", "Nguyễn Văn B, Chủ tịch, UBND"],
)
def test_a_signatory_not_written_name_position_is_refused_with_the_expected_form(
    places, written, tmp_path, capsys
):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([agreement_row(signatories=written)]))

    with pytest.raises(CommandError):
        cli(path)

    err = capsys.readouterr().err
    assert "is not “Name (position held then)”" in err
    assert "Nguyễn Văn B (Chủ tịch UBND thành phố)" in err
    assert not Agreement.objects.exists()


def test_the_web_preview_refuses_a_signatory_with_the_expected_form(client, places):
    client.force_login(editor())
    upload = SimpleUploadedFile(
        "a.csv", csv_bytes([agreement_row(signatories="Nguyễn Văn B - Chủ tịch - UBND")])
    )

    preview = client.post(reverse("agreements:import"), {"file": upload, "action": "preview"})

    [row] = preview.context["outcome"].error_rows
    assert row.errors[0][0] == "signatories"
    assert "token" not in preview.context


def test_a_bare_name_is_refused_at_the_command_line_with_the_row_and_the_expected_form(
    places, tmp_path, capsys
):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([agreement_row(signatories="Nguyễn Văn B")]))

    with pytest.raises(CommandError):
        cli(path)

    err = capsys.readouterr().err
    assert "Row 2" in err
    assert "signatories" in err
    assert "“Nguyễn Văn B” is not “Name (position held then)”" in err
    assert "“Nguyễn Văn B (—)” when the position is not known" in err
    assert not Agreement.objects.exists()


def test_the_web_preview_refuses_a_bare_name_in_the_users_language(client, places):
    client.force_login(editor())
    upload = SimpleUploadedFile("a.csv", csv_bytes([agreement_row(signatories="Nguyễn Văn B")]))

    with translation.override("en"):
        preview = client.post(reverse("agreements:import"), {"file": upload, "action": "preview"})

    [row] = preview.context["outcome"].error_rows
    column, message = row.errors[0]
    assert column == "signatories"
    assert "Nguyễn Văn B (Chủ tịch UBND thành phố)" in message
    assert "token" not in preview.context


def test_empty_brackets_are_no_position_and_are_refused(places):
    data = csv_bytes([agreement_row(signatories="Nguyễn Văn B ()")])
    outcome = run_import(sheet="agreements", file_name="a.csv", data=data, dry_run=True)

    [row] = outcome.error_rows
    assert row.errors[0][0] == "signatories"


@pytest.mark.parametrize("marker", ["—", "–", "-"])
def test_a_dash_in_brackets_reads_as_a_position_not_known(places, marker):
    data = csv_bytes([agreement_row(signatories=f"Nguyễn Văn B ({marker}) [witness]")])
    outcome = run_import(sheet="agreements", file_name="a.csv", data=data, dry_run=False)

    assert outcome.ok, outcome.rows
    [signatory] = Agreement.objects.get().signatories.all()
    assert (signatory.person.full_name, signatory.position_title) == ("Nguyễn Văn B", "")
    assert signatory.role == "witness"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_signatory_without_a_position_round_trips_through_export_and_import(
    places, tmp_path, fmt
):
    from tests.factories import AgreementFactory, PartnershipFactory, SignatoryFactory

    partnership = PartnershipFactory(home_city=places["hanoi"], partner_city=places["minsk"])
    agreement = AgreementFactory(partnership=partnership, reference="HN-MSK-NOPOS")
    SignatoryFactory(agreement=agreement, position_title="")
    path = tmp_path / f"a.{fmt}"
    call_command("export_agreements", "--format", fmt, "-o", str(path))

    outcome = run_import(
        sheet="agreements", file_name=path.name, data=path.read_bytes(), dry_run=False
    )

    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert outcome.unchanged == 1
    [signatory] = Agreement.objects.get().signatories.all()
    assert signatory.position_title == ""


# -- one city however it is spelt (point 8) ------------------------------------------------


def _city_csv(*cities):
    rows = "".join(
        f"HN-X-{n},{city},Biên bản ghi nhớ,Văn bản {n},07/12/2023\n"
        for n, city in enumerate(cities, 1)
    )
    return ("Số hiệu,Thành phố đối tác,Loại văn bản,Tên văn bản,Ngày ký\n" + rows).encode()


def test_transliterations_and_scripts_lead_to_one_city_from_the_gazetteer(places):
    from partnerships.models import City

    outcome = run_import(
        sheet="agreements",
        file_name="a.csv",
        data=_city_csv("Xơ-un", "Seoul", "Séoul", "서울"),
        dry_run=False,
    )
    assert outcome.ok, outcome.rows
    again = run_import(
        sheet="agreements", file_name="b.csv", data=_city_csv("xo un"), dry_run=False
    )

    assert again.ok, again.rows
    seoul = City.objects.get(country="KR")
    assert (seoul.name, seoul.name_en, seoul.name_local) == ("Seoul", "Seoul", "서울")
    assert seoul.timezone == "Asia/Seoul"
    assert seoul.latitude is not None
    assert {a.partnership.partner_city for a in Agreement.objects.all()} == {seoul}


def test_a_stored_city_is_found_whatever_its_accents_hyphens_and_spaces(places):
    outcome = run_import(
        sheet="agreements", file_name="a.csv", data=_city_csv("Vieng-chan", "MINSK"), dry_run=False
    )

    assert outcome.ok, outcome.rows
    assert {a.partnership.partner_city for a in Agreement.objects.all()} == {
        places["vientiane"],
        places["minsk"],
    }


def test_a_city_found_nowhere_is_refused_with_suggestions_until_confirmed(places, tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_bytes(
        (
            "Số hiệu,Thành phố đối tác,Quốc gia đối tác,Loại văn bản,Tên văn bản,Ngày ký\n"
            "HN-Q-1,Minskk,BY,Biên bản ghi nhớ,Văn bản,07/12/2023\n"
        ).encode()
    )

    with pytest.raises(CommandError):
        cli(path)
    err = capsys.readouterr().err
    assert "“Minskk” is not a known city. Did you mean: Minsk" in err
    assert not Agreement.objects.exists()

    cli(path, "--create-cities")

    assert Agreement.objects.get().partnership.partner_city.name == "Minskk"


def test_the_web_creates_a_city_found_nowhere_only_when_ticked(client, places):
    client.force_login(editor())
    data = (
        "Số hiệu,Thành phố đối tác,Quốc gia đối tác,Loại văn bản,Tên văn bản,Ngày ký\n"
        "HN-Q-1,Làng Quê Xa Lạ,BY,Biên bản ghi nhớ,Văn bản,07/12/2023\n"
    ).encode()
    preview = client.post(
        reverse("agreements:import"),
        {"file": SimpleUploadedFile("a.csv", data), "action": "preview"},
    )
    assert [name for name, _s in preview.context["outcome"].unknown_cities] == ["Làng Quê Xa Lạ"]

    again = client.post(
        reverse("agreements:import"),
        {
            "token": preview.context["reread_token"],
            "action": "reread",
            "citykey_0": "Làng Quê Xa Lạ",
            "newcity_0": "on",
        },
    )
    assert again.context["outcome"].ok, again.context["outcome"].rows
    client.post(
        reverse("agreements:import"), {"token": again.context["token"], "action": "confirm"}
    )

    assert Agreement.objects.get().partnership.partner_city.name == "Làng Quê Xa Lạ"


# -- the web's choices on upload ------------------------------------------------------------


def test_the_upload_form_takes_the_header_row_and_the_home_city(client, places):
    CityFactory(name="TP Hồ Chí Minh", country="VN", is_home=True)
    client.force_login(editor())
    upload = SimpleUploadedFile(DAY_FIRST[0], fixture(DAY_FIRST[0]))

    preview = client.post(
        reverse("agreements:import"),
        {"file": upload, "action": "preview", "header_row": "3", "home_city": "TP Hồ Chí Minh"},
    )
    assert preview.context["outcome"].ok, preview.context["outcome"].rows
    client.post(
        reverse("agreements:import"), {"token": preview.context["token"], "action": "confirm"}
    )

    assert {a.partnership.home_city.name for a in Agreement.objects.all()} == {"TP Hồ Chí Minh"}
    assert stored_dates() == RIGHT_DATES


def test_the_dry_run_speaks_one_language(places, capsys):
    cli(FIXTURES / MONTH_FIRST, "--dry-run", "--date-cells", "day-month-swapped")

    out = capsys.readouterr().out
    assert "Would import office_title_row_monthfirst.xlsx: 3 new" in out
    assert "mới" not in out
