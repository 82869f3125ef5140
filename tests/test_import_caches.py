"""The import's per-value caches (issue 16): the same cell text is parsed once per
column, and gives the right value or the same error wherever it is repeated; the
city index grows with the cities an import adds; signatories are written as plain rows
with their history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from agreements.models import Agreement, Signatory
from common.cities import NameIndex
from common.partialdate import Precision
from common.sheetkit.cells import CellCache
from partnerships.models import Person
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


def test_a_cell_cache_keeps_values_and_errors_per_column():
    cache = CellCache()
    calls = []

    def parse(value):
        calls.append(value)
        if value == "bad":
            raise ValueError(f"“{value}” is bad")
        return value.upper()

    assert cache.get("a", "x", parse) == "X"
    assert cache.get("a", "x", parse) == "X"
    assert cache.get("b", "x", lambda v: v * 2) == "xx"  # another column, its own parse
    for _ in range(2):
        with pytest.raises(ValueError, match="“bad” is bad"):
            cache.get("a", "bad", parse)
    assert cache.get("a", 1, str) == "1"
    assert cache.get("a", 1.0, repr) == "1.0"  # 1 and 1.0 are different cells
    assert cache.get("a", ["unhashable"], len) == 1
    assert calls == ["x", "bad"]


def test_the_same_text_in_different_columns_is_read_by_each_columns_rule(places):
    """ "2004" is a partial signing date but no validity date; "in_force" is a status, no
    kind: repeated over rows, each column keeps its own reading and its own message."""
    rows = [
        agreement_row(reference=f"R-{n}", signed_on="2004", valid_from="2004", kind="in_force")
        for n in range(3)
    ]
    outcome = imported(rows, dry_run=True)

    assert [r.status for r in outcome.rows] == ["error"] * 3
    first = outcome.rows[0].errors
    assert {column for column, _message in first} == {"valid_from", "kind"}
    assert all(r.errors == first for r in outcome.rows)

    rows = [
        agreement_row(reference=f"R-{n}", signed_on="2004", valid_from="01/01/2004")
        for n in range(3)
    ]
    assert imported(rows).ok
    stored = Agreement.objects.order_by("reference")
    assert [(a.signed_on, a.signed_on_precision) for a in stored] == [
        (dt.date(2004, 1, 1), Precision.YEAR)
    ] * 3
    assert [a.valid_from for a in stored] == [dt.date(2004, 1, 1)] * 3


def test_repeated_cells_get_the_same_notes_on_every_row(places):
    rows = [
        agreement_row(
            reference=f"R-{n}",
            kind="Thỏa thuận hợp tác về du lịch",
            signatories="Nguyễn Văn B - Chủ tịch",
        )
        for n in range(3)
    ]
    outcome = imported(rows, dry_run=True)

    assert outcome.ok, outcome.rows
    notes = outcome.rows[0].notes
    assert any("by its first words" in note for note in notes)
    assert any("Nguyễn Văn B (Chủ tịch)" in note for note in notes)
    assert all(r.notes == notes for r in outcome.rows)


def test_signatories_written_as_plain_rows_have_their_history(places):
    user = editor()
    rows = [
        agreement_row(
            reference=f"R-{n}",
            signatories="Nguyễn Văn B (Chủ tịch); Trần Thị C (Phó chủ tịch) [witness]",
        )
        for n in range(2)
    ]
    outcome = imported(rows, user=user)

    assert outcome.ok, outcome.rows
    signatories = Signatory.objects.order_by("agreement__reference", "role")
    assert [
        (s.agreement.reference, s.person.full_name, s.role, s.position_title) for s in signatories
    ] == [
        ("R-0", "Nguyễn Văn B", "signatory", "Chủ tịch"),
        ("R-0", "Trần Thị C", "witness", "Phó chủ tịch"),
        ("R-1", "Nguyễn Văn B", "signatory", "Chủ tịch"),
        ("R-1", "Trần Thị C", "witness", "Phó chủ tịch"),
    ]
    history = Signatory.history.filter(history_type="+")
    assert sorted(h.id for h in history) == sorted(s.pk for s in signatories)
    assert {h.history_user_id for h in history} == {user.pk}
    created = dict(outcome.log.changes["created"]) if outcome.log.changes else {}
    assert sorted(created["agreements.signatory"]) == sorted(s.pk for s in signatories)


def test_a_name_index_grown_one_entry_at_a_time_answers_as_one_built_at_once():
    entries = [(0, ["Minsk", "Мінск"]), (1, ["Seoul", "Xơ-un"]), (2, ["Minsko"]), (3, ["Seoul"])]
    built = NameIndex(entries)
    grown: NameIndex[int] = NameIndex(())
    for ident, names in entries:
        grown.add(ident, names)
    for typed in ["minsk", "Minks", "Xo un", "seul", "Thành phố Minsk", "Seoul", "nowhere"]:
        assert grown.lookup(typed) == built.lookup(typed), typed


def test_a_text_cell_and_a_number_cell_alike_are_different_cells():
    cache = CellCache()

    assert cache.get("a", "1", lambda v: ("text", v)) == ("text", "1")
    assert cache.get("a", 1, lambda v: ("number", v)) == ("number", 1)
    assert cache.get("a", "1", lambda v: ("again", v)) == ("text", "1")
    assert cache.get("a", ("1",), lambda v: ("tuple", v)) == ("tuple", ("1",))


def test_a_repeated_list_cell_gives_every_row_its_notes_and_its_error(places):
    """Fields and signatories are resolved once per distinct cell: the rows repeating one
    get the same notes (new field, new person) and the same error, in the same order."""
    rows = [
        agreement_row(
            reference=f"R-{n}",
            fields="Lĩnh vực mới; Văn hóa",
            signatories="Người Mới (Chủ tịch); Người Khác (Phó chủ tịch)",
        )
        for n in range(3)
    ]
    outcome = imported(rows, dry_run=True)

    assert outcome.ok, outcome.rows
    assert outcome.rows[0].notes == [
        "New partnership Hà Nội – Minsk will be created.",
        "New field of cooperation “Lĩnh vực mới” will be created.",
        "New field of cooperation “Văn hóa” will be created.",
        "New person “Người Mới” will be created.",
        "New person “Người Khác” will be created.",
    ]
    assert all(r.notes == outcome.rows[0].notes for r in outcome.rows)

    listed_twice = "Người Mới (Chủ tịch); Người Mới (Phó chủ tịch)"
    outcome = imported(
        [agreement_row(reference=f"R-{n}", signatories=listed_twice) for n in range(3)],
        dry_run=True,
    )
    assert [r.errors for r in outcome.rows] == [
        [("signatories", "“Người Mới” is listed twice.")]
    ] * 3


def test_a_repeated_signatories_cell_names_the_same_people_on_every_row(places):
    cell = "Nguyễn Văn B (Chủ tịch); Trần Thị C (Phó chủ tịch) [witness]"
    rows = [agreement_row(reference=f"R-{n}", signatories=cell) for n in range(3)]
    assert imported(rows).ok

    assert Person.objects.count() == 2
    by_agreement = {
        a.reference: sorted(
            (s.person.full_name, s.role, s.position_title) for s in a.signatories.all()
        )
        for a in Agreement.objects.prefetch_related("signatories__person")
    }
    assert set(map(tuple, by_agreement.values())) == {
        (("Nguyễn Văn B", "signatory", "Chủ tịch"), ("Trần Thị C", "witness", "Phó chủ tịch"))
    }
