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
from common.sheetkit.queries import AnyOf
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
