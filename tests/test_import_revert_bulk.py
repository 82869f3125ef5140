"""Reverting a large created import with set-based SQL (issue 12, point 10).

The records an import created are deleted per model in a fixed number of statements, each
with its deletion history row ("-", the administrator, "Import #N reverted"); anything
made since that refers to one of them blocks the revert, which then changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from agreements.models import Agreement
from delegations.models import Visit
from delegations.resources import VisitResource
from partnerships.models import City, FieldOfCooperation
from sheets.importing import run_import
from sheets.models import ImportLog
from sheets.reverting import SHOWN_BLOCKERS, RevertRefusedError, revert_import
from tests.factories import (
    ActionItemFactory,
    AgreementDocumentFactory,
    CityFactory,
    FieldOfCooperationFactory,
    PartnershipFactory,
    VisitFactory,
    administrator,
)
from tests.sheets import agreement_row, csv_bytes
from tests.test_import_visits_actions import visit_row

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def places() -> dict[str, City]:
    hanoi = CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    minsk = CityFactory(name="Minsk", name_en="Minsk", country="BY")
    FieldOfCooperationFactory(code="culture", name="Văn hóa", name_en="Culture")
    return {"hanoi": hanoi, "minsk": minsk}


def _rows(count: int, prefix: str = "HN-BULK") -> list[dict[str, Any]]:
    return [
        agreement_row(
            reference=f"{prefix}-{n}",
            title=f"Thỏa thuận số {n}",
            fields="Văn hóa; Du lịch",  # one stored, one the import creates
            signatories=f"Người Ký {prefix} {n} (Chủ tịch)",
        )
        for n in range(count)
    ]


def _imported(rows: list[dict[str, Any]], sheet: str = "agreements", **kwargs: Any) -> ImportLog:
    outcome = run_import(
        sheet=sheet, file_name="a.csv", data=csv_bytes(rows, **kwargs), dry_run=False
    )
    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert outcome.log is not None
    return ImportLog.objects.get(pk=outcome.log.pk)


def _counts() -> dict[str, int]:
    """Rows of every table of the record (links included), history tables apart."""
    return {
        model._meta.label: model._base_manager.count()
        for app in ("partnerships", "agreements", "delegations")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if not model.__name__.startswith("Historical")
    }


def _deletions(log: ImportLog) -> dict[str, Any]:
    return {
        label: apps.get_model(label).history.filter(history_type="-", id__in=pks)
        for label, pks in log.changes["created"]
    }


def test_reverting_300_created_agreements_restores_every_count_with_history(
    places: dict[str, City],
) -> None:
    before = _counts()
    log = _imported(_rows(300))
    created = dict(log.changes["created"])
    assert len(created["agreements.agreement"]) == 300
    assert len(created["agreements.signatory"]) == 300
    admin = administrator()

    done = revert_import(log, admin)

    assert _counts() == before
    assert done.deleted == sum(len(pks) for _label, pks in log.changes["created"])
    assert FieldOfCooperation.objects.filter(code="culture").exists()  # it was there before
    for label, rows in _deletions(log).items():
        pks = [
            pk
            for batch_label, batch in log.changes["created"]
            if batch_label == label
            for pk in batch
        ]
        assert sorted(rows.values_list("id", flat=True)) == sorted(pks), label  # one each
        assert {(r.history_user_id, r.history_change_reason) for r in rows} == {
            (admin.pk, f"Import #{log.pk} reverted")
        }
    gone = Agreement.history.filter(id=created["agreements.agreement"][0]).latest("history_date")
    assert (gone.history_type, gone.reference) == ("-", "HN-BULK-0")  # the record as it was
    log.refresh_from_db()
    assert log.reverted_by == admin


def test_records_made_since_that_refer_to_created_ones_block_and_nothing_changes(
    places: dict[str, City],
) -> None:
    log = _imported(_rows(3))
    first, second, third = Agreement.objects.order_by("reference")
    action = ActionItemFactory(agreement=first)  # PROTECT
    visit = VisitFactory()
    visit.agreements_signed.add(second)  # a link from a record the import did not make
    document = AgreementDocumentFactory(agreement=third)  # CASCADE: would go with it
    later = PartnershipFactory()
    later.fields.add(FieldOfCooperation.objects.get(name="Du lịch"))  # a field it created
    before = _counts()

    with pytest.raises(RevertRefusedError) as refusal:
        revert_import(log, administrator())

    reasons = "\n".join(refusal.value.reasons)
    for record in (action, visit, document, later):
        assert f"“{record}” (#{record.pk})" in reasons, record
    assert f"“{document}” (#{document.pk}) would be deleted with" in reasons
    assert _counts() == before
    assert not any(rows.exists() for rows in _deletions(log).values())
    log.refresh_from_db()
    assert log.reverted_at is None


def test_many_blockers_are_named_up_to_a_limit_and_counted(places: dict[str, City]) -> None:
    log = _imported(_rows(1))
    agreement = Agreement.objects.get()
    ActionItemFactory.create_batch(SHOWN_BLOCKERS + 5, agreement=agreement)

    with pytest.raises(RevertRefusedError) as refusal:
        revert_import(log, administrator())

    assert len(refusal.value.reasons) == SHOWN_BLOCKERS + 1
    assert refusal.value.reasons[-1] == "… and 5 more action items."
    assert Agreement.objects.exists()


def test_a_created_visit_goes_with_its_links_to_stored_agreements(places: dict[str, City]) -> None:
    stored = _imported([agreement_row(reference="HN-MSK-STORED")])
    log = _imported(
        [visit_row(agreements_signed="HN-MSK-STORED")], "visits", columns=VisitResource.COLUMNS
    )
    visit = Visit.objects.get()
    assert list(visit.agreements_signed.values_list("reference", flat=True)) == ["HN-MSK-STORED"]

    revert_import(log, administrator())

    assert not Visit.objects.exists()
    assert not Visit.agreements_signed.through.objects.exists()
    assert Agreement.objects.filter(reference="HN-MSK-STORED").exists()
    assert stored.reverted_at is None


def test_a_revert_of_many_creations_takes_as_many_queries_as_a_few(
    places: dict[str, City],
) -> None:
    def reverted_queries(count: int) -> int:
        log = _imported(_rows(count, prefix=f"HN-Q{count}"))
        admin = administrator(username=f"admin{count}")
        with CaptureQueriesContext(connection) as queries:
            revert_import(log, admin)
        assert not Agreement.objects.exists()
        return len(queries)

    few = reverted_queries(3)
    assert reverted_queries(40) == few
    # Pinned (constant in the number of rows): the log read, locked and saved; per relation
    # to a created model one check; per created model its history rows, its links and its
    # deletion.
    assert few == 41


@pytest.mark.django_db(transaction=True)
def test_a_revert_counts_as_a_change_of_the_record(places: dict[str, City]) -> None:
    """What is cached from the record is keyed by its data version: a revert, written
    without model signals, bumps it when it commits (an update-only one too)."""
    from workspace import freshness

    created = _imported([agreement_row(notes="cũ")])
    updated = _imported([agreement_row(notes="mới")])
    for log in (updated, created):
        before = freshness.current().number
        revert_import(log, administrator(username=f"admin{log.pk}"))
        assert freshness.current().number > before
    assert not Agreement.objects.exists()
