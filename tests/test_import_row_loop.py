"""The sheet's own row loop and what it writes (issues 12 and 16): rows checked and
reported as import-export reported them, new records built from a prototype, history
rows copied from the records by the database, plain text checked without a call, the
sheet's references looked up as one array, the gazetteer's answers remembered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from agreements.models import Agreement, Signatory
from agreements.resources import AgreementResource
from common.cities.gazetteer import Place, PlaceMatch, gazetteer
from common.sheetkit.queries import AnyOf, array_literal
from common.sheetkit.writer import create_with_history, reserve_ids
from partnerships.models import City, Person
from tests.factories import CityFactory, editor
from tests.sheets import agreement_row, imported


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def places(db):
    return {
        "hanoi": CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True),
        "minsk": CityFactory(name="Minsk", country="BY"),
    }


def test_any_of_selects_what_in_selects_with_one_array_parameter(places):
    cities = [places["hanoi"], places["minsk"], CityFactory(name="Seoul", country="KR")]
    wanted = [cities[0].name, cities[2].name, "nowhere"]

    with CaptureQueriesContext(connection) as queries:
        found = sorted(City.objects.filter(AnyOf(F("name"), wanted)).values_list("pk", flat=True))

    assert found == sorted(City.objects.filter(name__in=wanted).values_list("pk", flat=True))
    assert found == sorted([cities[0].pk, cities[2].pk])
    assert "= ANY(" in queries[0]["sql"]
    assert not City.objects.filter(AnyOf(F("pk"), []))
    by_pk = City.objects.filter(AnyOf(F("pk"), (c.pk for c in cities[:2])))
    assert sorted(by_pk.values_list("pk", flat=True)) == sorted(c.pk for c in cities[:2])


def test_a_new_record_from_the_prototype_is_what_the_model_builds(places):
    resource = AgreementResource()
    first, second = resource.new_instance(), resource.new_instance()
    plain = Agreement()

    assert first is not second
    assert first._state is not second._state
    assert first._state.adding
    assert first._state.db is None
    skip = {"_state"}
    assert {k: v for k, v in vars(first).items() if k not in skip} == {
        k: v for k, v in vars(plain).items() if k not in skip
    }
    first.title = "changed"
    assert second.title == plain.title


def test_the_history_of_imported_records_is_the_records_as_stored(places):
    user = editor()
    rows = [
        agreement_row(
            reference=f"R-{n}",
            notes=f"note {n}",
            signed_on="2004" if n else "07/12/2023",
            signatories="Nguyễn Văn B (Chủ tịch) [witness]",
        )
        for n in range(3)
    ]
    outcome = imported(rows, user=user)

    assert outcome.ok, outcome.rows
    for agreement in Agreement.objects.all():
        (record,) = agreement.history.all()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+",
            user,
            None,
        )
        assert record.history_date == agreement.created_at
        for field in Agreement._meta.concrete_fields:
            assert getattr(record, field.attname) == getattr(agreement, field.attname), field
    people = Person.objects.filter(full_name="Nguyễn Văn B")
    assert [p.history.get().history_type for p in people] == ["+"]
    assert Signatory.history.filter(history_type="+").count() == Signatory.objects.count() == 3


def test_an_unexpected_error_in_a_row_is_that_rows_error_and_nothing_is_written(
    places, monkeypatch
):
    real_fill = AgreementResource.fill

    def fill(self, instance, row, errors):
        if row["reference"] == "R-1":
            raise RuntimeError("boom")
        real_fill(self, instance, row, errors)

    monkeypatch.setattr(AgreementResource, "fill", fill)
    outcome = imported([agreement_row(reference=f"R-{n}") for n in range(3)])

    assert [r.status for r in outcome.rows] == ["new", "error", "new"]
    assert outcome.rows[1].errors == [("", "boom")]
    assert not outcome.ok
    assert not Agreement.objects.exists()


def test_an_error_before_the_first_row_refuses_the_import_without_rows(places, monkeypatch):
    def prepare(self, dataset):
        raise RuntimeError("cannot prepare")

    monkeypatch.setattr(AgreementResource, "prepare", prepare)
    outcome = imported([agreement_row(reference="R-0")])

    assert outcome.errors == ["cannot prepare"]
    assert outcome.rows == []
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("", ["This field cannot be blank."]),
        ("x" * 501, ["Ensure this value has at most 500 characters (it has 501)."]),
        ("x" * 500, None),
        ("Biên bản ghi nhớ", None),
        ("a\x00b", None),  # what Django's model field says of it (the cells lose it before)
    ],
)
def test_plain_text_checked_without_a_call_gets_djangos_verdict(places, title, expected):
    resource = AgreementResource()
    agreement = resource.new_instance()
    agreement.reference, agreement.kind, agreement.title = "R-1", "mou", title
    exclude = {"partnership", "parent"}

    try:
        agreement.clean_fields(exclude=exclude)
    except ValidationError as error:
        django = error.message_dict.get("title")
    else:
        django = None
    try:
        resource.full_clean(agreement, exclude)
    except ValidationError as error:
        ours = error.message_dict.get("title")
    else:
        ours = None

    assert ours == django == expected


def test_the_gazetteer_answers_a_query_again_from_memory(db):
    places = gazetteer()
    first = places.lookup("Séoul")
    again = places.lookup("Séoul")

    assert again == first
    assert again is not first  # the caller's own list
    again.clear()
    assert places.lookup("Séoul") == first
    assert places.lookup("Séoul", limit=1) == [
        PlaceMatch(Place._make(places.rows[hit.id]), hit)
        for hit in places.index.lookup("Séoul", limit=1)
    ]


def test_a_re_import_of_many_rows_finds_them_all_in_one_query(places):
    rows = [agreement_row(reference=f"R-{n:05d}") for n in range(300)]
    assert imported(rows).ok

    with CaptureQueriesContext(connection) as queries:
        outcome = imported(rows, dry_run=True)

    assert outcome.unchanged == 300
    by_reference = [
        q["sql"] for q in queries if '"agreements_agreement"."reference" = ANY' in q["sql"]
    ]
    assert len(by_reference) == 1
    assert dt.date(2023, 12, 7) in set(Agreement.objects.values_list("signed_on", flat=True))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "mou"),
        ("kind", "bogus"),
        ("kind", ""),
        ("kind", Agreement.Kind.MOU),
        ("status", "expired"),
        ("status", "x" * 30),
        ("signed_on_precision", "month"),
        ("signed_on", dt.date(2004, 2, 29)),
        ("valid_from", dt.datetime(2004, 2, 29, 10, 30)),  # noqa: DTZ001 — what a cell may hold
        ("valid_until", "31/12/2026"),
        ("version", -1),
        ("notes", "a\x00b"),
    ],
)
def test_values_checked_without_a_call_get_djangos_verdict(places, field, value):
    """Choices and dates are checked without calling the field (text: above): the same
    errors as Django's ``clean_fields``, and the same value kept."""
    resource = AgreementResource()
    ours, django = resource.new_instance(), resource.new_instance()
    for agreement in (ours, django):
        agreement.reference, agreement.kind, agreement.title = "R-1", "mou", "Tiêu đề"
        setattr(agreement, field, value)
    exclude = {"partnership", "parent"}

    try:
        django.clean_fields(exclude=exclude)
    except ValidationError as error:
        expected = error.message_dict
    else:
        expected = {}
    try:
        resource.full_clean(ours, exclude)
    except ValidationError as error:
        found = error.message_dict
    else:
        found = {}

    assert found == expected
    assert getattr(ours, field) == getattr(django, field)


def test_the_columns_a_row_keeps_are_those_keeps_names(places):
    resource = AgreementResource(absent=["notes", "signed_at"])
    stored = resource.new_instance()
    stored.pk = 1
    row = {**agreement_row(), "title": "", "fields": " "}

    assert resource.kept_columns(resource.new_instance(), row) == {"notes", "signed_at"}
    assert resource.kept_columns(stored, row) == {
        c for c in resource.COLUMNS if resource.keeps(stored, row, c)
    }
    assert {"title", "fields", "notes", "signed_at"} <= set(resource.kept_columns(stored, row))


def test_new_agreements_and_their_parents_are_written_in_one_batch(places):
    """Their ids are taken up front on PostgreSQL: a child before its parent in the sheet,
    or a chain, is written with one COPY (and one history statement), not level by level."""
    outcome = imported(
        [
            agreement_row(reference="C", parent_reference="B"),
            agreement_row(reference="B", parent_reference="A"),
            agreement_row(reference="A", kind="friendship"),
            agreement_row(reference="D"),
        ]
    )

    assert outcome.ok, outcome.rows
    batches = [
        pks for label, pks in outcome.log.changes["created"] if label == "agreements.agreement"
    ]
    assert len(batches) == 1
    assert sorted(batches[0]) == sorted(Agreement.objects.values_list("pk", flat=True))
    assert [a.reference for a in Agreement.objects.get(reference="C").lineage()] == ["A", "B", "C"]
    assert Agreement.history.filter(history_type="+").count() == 4


def test_reserved_ids_come_from_the_tables_sequence(places):
    first, second = Person(full_name="Một"), Person(full_name="Hai")

    assert reserve_ids([first, second], Person)
    assert first.pk < second.pk
    create_with_history([first, second], Person, None, reserved=True)
    assert sorted(Person.objects.values_list("pk", flat=True)) == [first.pk, second.pk]
    later = Person.objects.create(full_name="Ba")
    assert later.pk > second.pk


def test_what_runs_meanwhile_runs_once_while_the_records_are_written(places):
    calls = []
    people = [Person(full_name=f"Người {n}") for n in range(3)]

    create_with_history(people, Person, None, meanwhile=lambda: calls.append("people"))
    create_with_history([], Person, None, meanwhile=lambda: calls.append("nobody"))

    assert calls == ["people", "nobody"]
    assert Person.objects.count() == 3


@pytest.mark.parametrize(
    "names",
    [
        ['Say "hi"', "back\\slash", "{brace}", "a,b", " spaced ", "NULL", "Hà Nội"],
        ["plain"],
    ],
)
def test_any_of_finds_texts_however_they_are_written(places, names):
    """A list of texts is sent as one array literal: quotes, backslashes, braces, commas,
    spaces and the word NULL inside it are found as written."""
    for name in names:
        Person.objects.create(full_name=name)
    Person.objects.create(full_name="someone else")

    found = Person.objects.filter(AnyOf(F("full_name"), names))

    assert sorted(found.values_list("full_name", flat=True)) == sorted(names)
    ids = list(found.values_list("pk", flat=True))
    assert sorted(
        Person.objects.filter(AnyOf(F("pk"), ids)).values_list("pk", flat=True)
    ) == sorted(ids)


@pytest.mark.parametrize(
    ("values", "texts"),
    [
        (['Say "hi"', "back\\slash", "{brace}", "a,b", " spaced ", "NULL", "", "Hà Nội"], True),
        ([2**40, -1, 0], False),
    ],
)
def test_an_array_literal_reads_back_as_the_values(db, values, texts):
    literal, cast = array_literal(values, texts=texts)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s{cast}", [str(literal)])
        assert cursor.fetchone()[0] == values


def test_an_array_literal_is_made_of_whole_numbers_or_texts_only():
    assert array_literal([3, 1, 2]) == ("{3,1,2}", "::bigint[]")
    assert array_literal(['a"b', "c\\d"], texts=True) == ('{"a\\"b","c\\\\d"}', "::text[]")
    assert array_literal(["a"]) == (["a"], "")  # texts only for a text column
    assert array_literal([1, True]) == ([1, True], "")
    assert array_literal([dt.date(2024, 1, 1)]) == ([dt.date(2024, 1, 1)], "")
