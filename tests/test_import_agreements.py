"""Importing agreements from spreadsheets: matching rules, dates, safety, history, speed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement, Signatory
from common.partialdate import Precision
from partnerships.models import City, FieldOfCooperation, Partnership, Person
from sheets.importing import ImportOptions, run_import
from sheets.models import ImportLog
from tests.factories import (
    AgreementFactory,
    CityFactory,
    CityNameFactory,
    FieldOfCooperationFactory,
    PartnershipFactory,
    PersonFactory,
    editor,
    viewer,
)
from tests.sheets import agreement_row, csv_bytes, ods_bytes, xls_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; one test switches to Vietnamese on purpose."""
    with translation.override("en"):
        yield


VIETNAMESE_HEADER = [
    "Số hiệu",
    "Thành phố của ta",
    "Quốc gia của ta",
    "Thành phố đối tác",
    "Quốc gia đối tác",
    "Loại văn bản",
    "Tên văn bản",
    "Ngày ký",
    "Nơi ký",
    "Hiệu lực từ",
    "Hiệu lực đến",
    "Tình trạng",
    "Văn bản gốc",
    "Lĩnh vực hợp tác",
    "Người ký",
    "Ghi chú",
]


@pytest.fixture
def places(db):
    hanoi = CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    minsk = CityFactory(name="Minsk", name_en="Minsk", name_local="Мінск", country="BY")
    vientiane = CityFactory(name="Viêng Chăn", name_en="Vientiane", country="LA")
    CityNameFactory(city=vientiane, name="ວຽງຈັນ", language="lo")
    FieldOfCooperationFactory(code="culture", name="Văn hóa", name_en="Culture")
    FieldOfCooperationFactory(code="education", name="Giáo dục", name_en="Education")
    PersonFactory(full_name="Trần Sỹ Thanh", name_latin="Tran Sy Thanh")
    return {"hanoi": hanoi, "minsk": minsk, "vientiane": vientiane}


def imported(
    rows, *, builder=csv_bytes, name="sheet.csv", dry_run=False, user=None, options=None, **kwargs
):
    return run_import(
        sheet="agreements",
        file_name=name,
        data=builder(rows, **kwargs),
        user=user,
        dry_run=dry_run,
        options=options,
    )


def only_error(outcome):
    assert not outcome.ok
    [row] = outcome.error_rows
    return row


# -- creating ---------------------------------------------------------------------------


def test_a_csv_row_creates_the_agreement_in_its_partnership(places):
    outcome = imported([agreement_row(fields="Văn hóa; giao duc")])

    assert outcome.ok, outcome.rows
    agreement = Agreement.objects.get(reference="HN-MSK-2030")
    assert agreement.partnership.home_city == places["hanoi"]
    assert agreement.partnership.partner_city == places["minsk"]
    assert agreement.kind == Agreement.Kind.MOU
    assert agreement.status == Agreement.Status.IN_FORCE
    assert {f.code for f in agreement.fields.all()} == {"culture", "education"}


def test_the_preview_counts_new_updated_and_unchanged_rows(places):
    AgreementFactory(
        reference="OLD-1",
        partnership=PartnershipFactory(home_city=places["hanoi"], partner_city=places["minsk"]),
    )
    outcome = imported(
        [agreement_row(reference="NEW-1"), agreement_row(reference="OLD-1")], dry_run=True
    )

    assert (outcome.new, outcome.updated, outcome.unchanged) == (1, 1, 0)
    assert [r.number for r in outcome.rows] == [2, 3]


@pytest.mark.parametrize(
    ("builder", "name"), [(xlsx_bytes, "a.xlsx"), (ods_bytes, "a.ods"), (xls_bytes, "a.xls")]
)
def test_xlsx_ods_and_xls_files_are_imported(places, builder, name):
    outcome = imported([agreement_row()], builder=builder, name=name)

    assert outcome.ok, (outcome.errors, outcome.rows)
    assert Agreement.objects.get(reference="HN-MSK-2030").signed_on == dt.date(2023, 12, 7)


def test_a_vietnamese_header_row_is_accepted(places):
    outcome = imported([agreement_row()], header=VIETNAMESE_HEADER)

    assert outcome.ok, outcome.errors
    assert Agreement.objects.filter(reference="HN-MSK-2030").exists()


def test_errors_name_the_column_as_written_in_the_vietnamese_header(places):
    outcome = imported([agreement_row(kind="hợp đồng")], header=VIETNAMESE_HEADER)

    row = only_error(outcome)
    assert row.number == 2
    assert row.errors[0][0] == "Loại văn bản"


def test_a_sheet_without_a_required_column_is_refused(places):
    outcome = run_import(
        sheet="agreements", file_name="a.csv", data=b"reference,title\nX,Y\n", dry_run=True
    )

    assert "partner_city" in outcome.errors[0]


# -- cities and countries ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "country"),
    [
        ("vieng chan", "LA"),
        ("VIÊNG CHĂN", "LA"),
        ("Vientiane", "LA"),
        ("ວຽງຈັນ", "LA"),
        ("\xa0Viêng  Chăn\xa0", "LA"),
        ("Viêng Chăn", ""),
    ],
)
def test_partner_city_is_matched_on_any_of_its_names(places, written, country):
    outcome = imported([agreement_row(partner_city=written, partner_country=country)])

    assert outcome.ok, outcome.rows
    assert Agreement.objects.get().partnership.partner_city == places["vientiane"]
    assert City.objects.count() == 3


@pytest.mark.parametrize("written", ["MINSK ", "minsk", "Мінск"])
def test_minsk_written_any_way_is_minsk(places, written):
    outcome = imported([agreement_row(partner_city=written)])

    assert outcome.ok
    assert Agreement.objects.get().partnership.partner_city == places["minsk"]


def test_an_unknown_partner_city_is_created_and_the_preview_says_so(places):
    preview = imported([agreement_row(partner_city="Kazan", partner_country="Nga")], dry_run=True)

    assert preview.ok
    assert any("Kazan" in note for note in preview.rows[0].notes)
    assert not City.objects.filter(name="Kazan").exists()

    imported([agreement_row(partner_city="Kazan", partner_country="Nga")])
    kazan = City.objects.get(name="Kazan")
    assert (str(kazan.country), kazan.is_home) == ("RU", False)  # a Country's str is its code
    assert Partnership.objects.filter(home_city=places["hanoi"], partner_city=kazan).exists()


def test_a_new_city_without_a_country_is_an_error(places):
    row = only_error(imported([agreement_row(partner_city="Kazan", partner_country="")]))

    assert row.errors[0][0] == "partner_city"


def test_rows_repeating_a_pair_read_as_the_first_until_a_city_is_added(places):
    """partnership_from is worked out once per distinct cells, replayed while no city is
    added: a repeated row gets the same notes and errors; a city added by a later row
    changes what the same cells mean (as reading every row afresh would)."""
    preview = imported(
        [
            agreement_row(reference="K-1", partner_city="Kazan", partner_country=""),
            agreement_row(reference="K-2", partner_city="Kazan", partner_country=""),
            agreement_row(reference="K-3", partner_city="Kazan", partner_country="RU"),
            agreement_row(reference="K-4", partner_city="Kazan", partner_country="RU"),
            agreement_row(reference="K-5", partner_city="Kazan", partner_country=""),
        ],
        dry_run=True,
    )

    by_number = {row.key: row for row in preview.rows}
    assert [c for c, _m in by_number["K-1"].errors] == ["partner_city"]
    assert by_number["K-2"].errors == by_number["K-1"].errors
    for key in ("K-3", "K-4", "K-5"):
        assert not by_number[key].errors, by_number[key].errors
        assert any("Kazan" in note for note in by_number[key].notes), key


def test_the_home_city_must_be_one_of_ours(places):
    row = only_error(imported([agreement_row(home_city="Minsk", home_country="BY")]))

    assert row.errors[0][0] == "home_city"
    assert "not one of our cities" in row.errors[0][1]


@pytest.mark.parametrize("written", ["BY", "by", "BLR", "Belarus", "Bêlarut", "belarut"])
def test_countries_are_read_by_iso_code_or_english_or_vietnamese_name(places, written):
    outcome = imported([agreement_row(partner_country=written)])

    assert outcome.ok, outcome.rows
    assert Agreement.objects.get().partnership.partner_city == places["minsk"]


def test_an_unknown_country_is_an_error(places):
    row = only_error(imported([agreement_row(partner_country="Atlantis")]))

    assert row.errors == [("partner_country", "“Atlantis” is not a known country.")]


def test_a_missing_partner_city_is_an_error(places):
    row = only_error(imported([agreement_row(partner_city="")]))

    assert row.errors[0][0] == "partner_city"


# -- kinds and statuses -----------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "mou",
        "MOU",
        "Memorandum of understanding",
        "MEMORANDUM OF UNDERSTANDING",
        "Biên bản ghi nhớ",
        "bien ban ghi nho",
    ],
)
def test_kind_is_read_by_code_or_english_or_vietnamese_label(places, written):
    outcome = imported([agreement_row(kind=written)])

    assert outcome.ok, outcome.rows
    assert Agreement.objects.get().kind == Agreement.Kind.MOU


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("in_force", "in_force"),
        ("In force", "in_force"),
        ("Có hiệu lực", "in_force"),
        ("hết hạn", "expired"),
        ("Under negotiation", "negotiation"),
    ],
)
def test_status_is_read_by_code_or_english_or_vietnamese_label(places, written, status):
    outcome = imported([agreement_row(status=written, valid_until="")])

    assert outcome.ok, outcome.rows
    assert Agreement.objects.get().status == status


def test_an_unknown_kind_is_an_error_listing_the_allowed_codes(places):
    row = only_error(imported([agreement_row(kind="treaty")]))

    assert row.errors[0][0] == "kind"
    assert "mou" in row.errors[0][1]


# -- dates ------------------------------------------------------------------------------


def test_dd_mm_yyyy_is_day_first(places):
    imported([agreement_row(signed_on="07/12/2023", valid_from="2024-01-01")])

    agreement = Agreement.objects.get()
    assert agreement.signed_on == dt.date(2023, 12, 7)
    assert agreement.signed_on_precision == Precision.DAY
    assert agreement.valid_from == dt.date(2024, 1, 1)


def test_an_impossible_date_is_an_error(places):
    row = only_error(imported([agreement_row(valid_from="31/02/2024")]))

    assert row.errors == [("valid_from", "“31/02/2024” is not a real date.")]


@pytest.mark.parametrize(
    ("written", "day", "precision"),
    [
        ("2004", dt.date(2004, 1, 1), Precision.YEAR),
        ("12/2023", dt.date(2023, 12, 1), Precision.MONTH),
        ("07/12/2023", dt.date(2023, 12, 7), Precision.DAY),
    ],
)
def test_signed_on_may_be_partial_and_keeps_its_precision(places, written, day, precision):
    imported([agreement_row(signed_on=written)])

    agreement = Agreement.objects.get()
    assert (agreement.signed_on, agreement.signed_on_precision) == (day, precision)
    assert agreement.signed is not None
    assert agreement.signed.format() == written


def test_valid_from_may_not_be_partial(places):
    row = only_error(imported([agreement_row(valid_from="2024")]))

    assert row.errors[0][0] == "valid_from"


@pytest.mark.parametrize(
    ("builder", "name"), [(xlsx_bytes, "d.xlsx"), (ods_bytes, "d.ods"), (xls_bytes, "d.xls")]
)
def test_real_date_cells_are_read_as_dates(places, builder, name):
    row = agreement_row(signed_on=dt.date(2023, 12, 7), valid_from=dt.date(2024, 1, 1))
    # tablib writes .xls date cells month-first (M/D/YY): they are read as stored only
    # once the user says so (sheets/dates.py).
    options = ImportOptions(date_cells="as-stored")
    outcome = imported([row], builder=builder, name=name, options=options)

    assert outcome.ok, outcome.rows
    agreement = Agreement.objects.get()
    assert (agreement.signed_on, agreement.valid_from) == (
        dt.date(2023, 12, 7),
        dt.date(2024, 1, 1),
    )


def test_a_year_typed_as_a_number_cell_is_a_year(places):
    outcome = imported([agreement_row(signed_on=2004)], builder=xlsx_bytes, name="y.xlsx")

    assert outcome.ok
    assert Agreement.objects.get().signed_on_precision == Precision.YEAR


def test_valid_until_before_valid_from_is_an_error_naming_row_and_column(places):
    outcome = imported(
        [agreement_row(reference="A"), agreement_row(reference="B", valid_until="31/12/2023")]
    )

    row = only_error(outcome)
    assert row.number == 3
    assert row.errors == [("valid_until", "The end of validity cannot be before its start.")]


# -- parents ----------------------------------------------------------------------------


def test_a_parent_later_in_the_same_sheet_is_linked(places):
    outcome = imported(
        [
            agreement_row(reference="CT-2024", kind="programme", parent_reference="TT-2004"),
            agreement_row(
                reference="TT-2004",
                kind="friendship",
                signed_on="2004",
                valid_from="",
                valid_until="",
            ),
        ]
    )

    assert outcome.ok, outcome.rows
    programme = Agreement.objects.get(reference="CT-2024")
    assert programme.parent is not None
    assert programme.parent.reference == "TT-2004"
    assert programme.parent_relation == Agreement.Relation.IMPLEMENTS


def test_a_parent_of_the_same_kind_is_renewed(places):
    stored = AgreementFactory(
        reference="MOU-2017",
        kind="mou",
        partnership=PartnershipFactory(home_city=places["hanoi"], partner_city=places["minsk"]),
    )
    imported([agreement_row(reference="MOU-2024", kind="mou", parent_reference="MOU-2017")])

    renewal = Agreement.objects.get(reference="MOU-2024")
    assert (renewal.parent, renewal.parent_relation) == (stored, Agreement.Relation.RENEWS)


def test_a_chain_of_three_new_agreements_is_written_parents_first(places):
    outcome = imported(
        [
            agreement_row(reference="C", parent_reference="B"),
            agreement_row(reference="B", parent_reference="A"),
            agreement_row(reference="A", kind="friendship"),
        ]
    )

    assert outcome.ok, outcome.rows
    assert [a.reference for a in Agreement.objects.get(reference="C").lineage()] == ["A", "B", "C"]


def test_an_unknown_parent_reference_is_an_error(places):
    row = only_error(imported([agreement_row(parent_reference="NOWHERE")]))

    assert row.errors[0][0] == "parent_reference"


def test_parents_that_loop_are_an_error(places):
    outcome = imported(
        [
            agreement_row(reference="A", parent_reference="B"),
            agreement_row(reference="B", parent_reference="A"),
        ]
    )

    assert not outcome.ok
    assert outcome.error_rows[0].errors[0][0] == "parent_reference"
    assert not Agreement.objects.exists()


# -- fields and signatories -------------------------------------------------------------


def test_unknown_fields_of_cooperation_are_created_and_reported(places):
    preview = imported([agreement_row(fields="Văn hóa; Kinh tế số")], dry_run=True)
    assert any("Kinh tế số" in note for note in preview.rows[0].notes)

    imported([agreement_row(fields="Văn hóa; Kinh tế số; kinh te so")])
    assert sorted(f.name for f in Agreement.objects.get().fields.all()) == ["Kinh tế số", "Văn hóa"]
    assert FieldOfCooperation.objects.filter(name="Kinh tế số").count() == 1


def test_signatories_are_matched_by_folded_name_and_new_people_created(places):
    imported(
        [
            agreement_row(
                signatories="tran sy thanh (Chủ tịch UBND thành phố Hà Nội); "
                "Vladimir Kukharev (Chủ tịch Ủy ban Hành chính TP Minsk) [witness]"
            )
        ]
    )

    signatures = {
        (s.person.full_name, s.position_title, s.role)
        for s in Signatory.objects.select_related("person")
    }
    assert signatures == {
        ("Trần Sỹ Thanh", "Chủ tịch UBND thành phố Hà Nội", "signatory"),
        ("Vladimir Kukharev", "Chủ tịch Ủy ban Hành chính TP Minsk", "witness"),
    }
    assert Person.objects.count() == 2


def test_a_signatory_entry_that_is_not_name_and_position_is_an_error(places):
    row = only_error(imported([agreement_row(signatories="Ivan (Mayor) [guest]")]))

    assert row.errors[0][0] == "signatories"


# -- validation covers what the database refuses ----------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [("reference", "R" * 65), ("title", "T" * 501), ("signed_at", "S" * 201)],
)
def test_text_longer_than_its_field_is_an_error(places, column, value):
    row = only_error(imported([agreement_row(**{column: value})]))

    assert row.errors[0][0] == column


def test_errors_are_given_in_the_users_language(places):
    sheet = [agreement_row(partner_country="Atlantis", title="T" * 501)]
    with translation.override("vi"):
        in_vietnamese = only_error(imported(sheet, dry_run=True)).errors
    english = only_error(imported(sheet, dry_run=True)).errors

    assert [column for column, _m in in_vietnamese] == [column for column, _m in english]
    assert all(vi != en for (_c, vi), (_d, en) in zip(in_vietnamese, english, strict=True))
    assert "Atlantis" in in_vietnamese[0][1]


def test_a_reference_used_twice_in_the_sheet_is_an_error_on_the_second_row(places):
    outcome = imported([agreement_row(reference="A"), agreement_row(reference="A")])

    row = only_error(outcome)
    assert row.number == 3
    assert row.errors[0][0] == "reference"


def test_an_empty_title_is_an_error(places):
    row = only_error(imported([agreement_row(title="")]))

    assert row.errors[0][0] == "title"


# -- all or nothing, dry run, idempotence -----------------------------------------------


def test_one_bad_row_means_nothing_is_imported(places):
    outcome = imported(
        [
            agreement_row(
                reference="GOOD", partner_city="Kazan", partner_country="RU", fields="Mới"
            ),
            agreement_row(reference="BAD", valid_from="31/02/2024"),
        ]
    )

    assert not outcome.ok
    assert not Agreement.objects.exists()
    assert not City.objects.filter(name="Kazan").exists()
    assert not FieldOfCooperation.objects.filter(name="Mới").exists()


def test_a_dry_run_writes_nothing_and_leaves_no_history(places):
    before = Agreement.history.count(), City.history.count()

    outcome = imported([agreement_row(partner_city="Kazan", partner_country="RU")], dry_run=True)

    assert outcome.ok
    assert outcome.new == 1
    assert not Agreement.objects.exists()
    assert (Agreement.history.count(), City.history.count()) == before
    assert not ImportLog.objects.exists()


def test_importing_the_same_sheet_twice_changes_nothing_the_second_time(places):
    rows = [
        agreement_row(
            reference="A",
            kind="friendship",
            signed_on="2004",
            valid_from="",
            valid_until="",
            signatories="Trần Sỹ Thanh (Chủ tịch)",
        ),
        agreement_row(reference="B", parent_reference="A", fields="Văn hóa; Giáo dục"),
    ]
    imported(rows)
    history = Agreement.history.count(), Signatory.history.count()

    again = imported(rows)

    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert (Agreement.history.count(), Signatory.history.count()) == history


def test_a_changed_row_is_reported_with_its_changes_and_updated(places):
    imported([agreement_row(title="Cũ", status="negotiation", valid_until="")])

    outcome = imported([agreement_row(title="Mới", status="in_force", valid_until="")])

    assert outcome.updated == 1
    assert ("title", "Cũ", "Mới") in outcome.rows[0].changes
    agreement = Agreement.objects.get()
    assert (agreement.title, agreement.status, agreement.version) == ("Mới", "in_force", 2)


def test_removing_a_field_and_a_signatory_in_the_sheet_removes_them(places):
    imported([agreement_row(fields="Văn hóa; Giáo dục", signatories="A (x); B (y)")])

    outcome = imported([agreement_row(fields="Văn hóa", signatories="B (z)")])

    assert outcome.updated == 1
    agreement = Agreement.objects.get()
    assert [f.name for f in agreement.fields.all()] == ["Văn hóa"]
    assert [(s.person.full_name, s.position_title) for s in agreement.signatories.all()] == [
        ("B", "z")
    ]


# -- history and log --------------------------------------------------------------------


def test_history_names_the_importing_user_as_creator_and_changer(places):
    user = editor()
    imported([agreement_row(title="Một")], user=user)
    imported([agreement_row(title="Hai")], user=user)

    records = list(Agreement.history.order_by("history_id"))
    assert [(h.history_type, h.history_user) for h in records] == [("+", user), ("~", user)]
    assert Signatory.history.filter(history_user__isnull=False).count() == Signatory.history.count()


def test_cities_created_by_an_import_carry_the_importing_user_in_their_history(places):
    user = editor()
    imported([agreement_row(partner_city="Kazan", partner_country="RU")], user=user)

    assert City.history.get(name="Kazan").history_user == user


def test_a_confirmed_import_is_logged_with_its_counts(places):
    user = editor()
    imported([agreement_row(reference="A"), agreement_row(reference="B")], user=user, name="hn.csv")

    log = ImportLog.objects.get()
    assert (log.sheet, log.user, log.file_name, log.outcome) == (
        "agreements",
        user,
        "hn.csv",
        "imported",
    )
    assert (log.rows_total, log.rows_new, log.rows_updated, log.rows_unchanged) == (2, 2, 0, 0)


def test_a_refused_import_is_logged_as_refused(places):
    imported([agreement_row(kind="??")], user=editor())

    log = ImportLog.objects.get()
    assert (log.outcome, log.rows_with_errors, log.rows_new) == ("refused", 1, 0)
    assert "kind" in log.message


# -- speed ------------------------------------------------------------------------------


def _queries_for(count: int, places) -> int:
    rows = [
        agreement_row(
            reference=f"R-{count}-{n}",
            fields="Văn hóa; Giáo dục",
            signatories="Trần Sỹ Thanh (Chủ tịch)",
            parent_reference=f"R-{count}-0" if n else "",
        )
        for n in range(count)
    ]
    # Each import in its own rolled-back savepoint, as each would be its own transaction:
    # an import counts one change to the record (workspace/freshness.py), once per transaction.
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            outcome = imported(rows)
        transaction.set_rollback(True)
    assert outcome.ok, outcome.rows
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(places):
    # Both sizes fit in one batch of 1,000, so the writes take the same queries too;
    # the partnership exists already (creating it costs its own queries, once). The
    # agreements and the ones they implement, later in the sheet, are written in one
    # batch (their ids taken up front): 24 queries, where a batch per level took 26.
    PartnershipFactory(home_city=places["hanoi"], partner_city=places["minsk"])
    assert _queries_for(5, places) == _queries_for(60, places) == 24


def test_reimporting_costs_the_same_queries_for_few_or_many_rows(places):
    def reimport(count):
        rows = [agreement_row(reference=f"U-{count}-{n}", fields="Văn hóa") for n in range(count)]
        imported(rows)
        with CaptureQueriesContext(connection) as queries:
            assert imported([{**r, "title": "Đổi"} for r in rows]).updated == count
        return len(queries)

    assert reimport(4) == reimport(40)


# -- command line -----------------------------------------------------------------------


def test_the_import_command_prints_a_summary(places, tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([agreement_row()]))
    user = editor()

    call_command("import_agreements", str(path), "--user", user.username, "--lang", "en")

    assert "1 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert Agreement.history.get().history_user == user


def test_the_import_command_dry_run_writes_nothing(places, tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([agreement_row()]))

    call_command("import_agreements", str(path), "--dry-run", "--lang", "en")

    assert "Would import" in capsys.readouterr().out
    assert not Agreement.objects.exists()


def test_the_import_command_lists_row_errors_and_fails(places, tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_bytes(
        csv_bytes([agreement_row(), agreement_row(reference="X", valid_from="31/02/2024")])
    )

    with pytest.raises(CommandError) as failure:
        call_command("import_agreements", str(path), "--lang", "en")

    assert failure.value.returncode == 1
    assert "row 3, column valid_from" in capsys.readouterr().err
    assert not Agreement.objects.exists()


# -- the pages --------------------------------------------------------------------------


def _upload(client, rows, name="a.csv", builder=csv_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("agreements:import"),
        {"file": SimpleUploadedFile(name, builder(rows)), "action": "preview"},
    )


def test_viewers_cannot_open_the_import_page(client):
    client.force_login(viewer())

    assert client.get(reverse("agreements:import")).status_code == 403


def test_an_upload_shows_a_preview_and_writes_nothing(client, places):
    client.force_login(editor())

    response = _upload(client, [agreement_row()])

    assert response.status_code == 200
    assert b"HN-MSK-2030" in response.content
    assert response.context["token"]
    assert not Agreement.objects.exists()


def test_confirming_the_preview_imports_the_rows_as_the_editor(client, places):
    user = editor()
    client.force_login(user)
    token = _upload(client, [agreement_row()]).context["token"]

    response = client.post(reverse("agreements:import"), {"token": token, "action": "confirm"})

    assert response.status_code == 302
    assert Agreement.history.get().history_user == user
    assert ImportLog.objects.get().user == user


def test_confirming_twice_does_not_import_twice(client, places):
    client.force_login(editor())
    token = _upload(client, [agreement_row()]).context["token"]
    client.post(reverse("agreements:import"), {"token": token, "action": "confirm"})

    response = client.post(reverse("agreements:import"), {"token": token, "action": "confirm"})

    assert response.status_code == 302
    assert ImportLog.objects.count() == 1


def test_a_token_from_another_session_is_refused(client, places):
    client.force_login(editor())
    token = _upload(client, [agreement_row()]).context["token"]
    client.logout()
    client.force_login(editor())

    client.post(reverse("agreements:import"), {"token": token, "action": "confirm"})

    assert not Agreement.objects.exists()


def test_cancelling_forgets_the_upload(client, places, settings):
    client.force_login(editor())
    token = _upload(client, [agreement_row()]).context["token"]

    client.post(reverse("agreements:import"), {"token": token, "action": "cancel"})

    assert not list((settings.MEDIA_ROOT / "imports").glob("*.upload"))
    client.post(reverse("agreements:import"), {"token": token, "action": "confirm"})
    assert not Agreement.objects.exists()


def test_a_preview_with_errors_offers_no_confirm_button(client, places):
    client.force_login(editor())

    response = _upload(client, [agreement_row(valid_from="31/02/2024")])

    assert "token" not in response.context
    assert b'value="confirm"' not in response.content
    assert b"31/02/2024" in response.content


def test_values_in_the_preview_are_escaped(client, places):
    client.force_login(editor())

    response = _upload(
        client, [agreement_row(reference="<script>alert(1)</script>", kind="<b>x</b>")]
    )

    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content
    assert b"<b>x</b>" not in response.content


def test_a_reference_taken_by_someone_else_meanwhile_refuses_the_whole_import(places, monkeypatch):
    from agreements.resources import AgreementResource

    prepare = AgreementResource.prepare
    partnership = PartnershipFactory(home_city=places["hanoi"], partner_city=places["minsk"])

    def prepare_then_race(self, dataset):
        prepare(self, dataset)
        AgreementFactory(reference="RACE", partnership=partnership)  # another editor, same moment

    monkeypatch.setattr(AgreementResource, "prepare", prepare_then_race)

    outcome = imported([agreement_row(reference="FIRST"), agreement_row(reference="RACE")])

    assert not outcome.ok
    assert outcome.errors
    assert not Agreement.objects.filter(reference="FIRST").exists()


def test_a_confirm_that_fails_on_new_errors_shows_them_and_imports_nothing(client, places):
    client.force_login(editor())
    token = _upload(client, [agreement_row(parent_reference="TT-2004")], name="a.csv")
    assert token.status_code == 200
    assert "token" not in token.context

    AgreementFactory(
        reference="TT-2004",
        partnership=PartnershipFactory(home_city=places["hanoi"], partner_city=places["minsk"]),
    )
    token = _upload(client, [agreement_row(parent_reference="TT-2004")]).context["token"]
    Agreement.objects.filter(reference="TT-2004").delete()

    response = client.post(reverse("agreements:import"), {"token": token, "action": "confirm"})

    assert response.status_code == 422
    assert not Agreement.objects.exists()
    assert ImportLog.objects.get().outcome == "refused"
