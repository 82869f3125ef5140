"""Two people import the same sheet at the same moment: no duplicates, a clear answer.

Real threads, each with its own PostgreSQL connection, start the real import
(``sheets.importing.run_import``) together behind a barrier.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from agreements.models import Agreement
from delegations.models import Visit
from delegations.resources import VisitResource
from partnerships.models import City, Partnership
from sheets.importing import run_import
from sheets.models import ImportLog
from tests.factories import CityFactory, FieldOfCooperationFactory, PartnershipFactory, editor
from tests.sheets import agreement_row, csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 25
RAW_DATABASE_WORDS = ("duplicate key", "IntegrityError", "violates", "psycopg", "Traceback")


@pytest.fixture
def places(transactional_db):
    CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    CityFactory(name="Minsk", name_en="Minsk", country="BY")
    FieldOfCooperationFactory(code="culture", name="Văn hóa", name_en="Culture")


def sheet() -> bytes:
    rows = [
        agreement_row(reference=f"HN-MSK-2031-{n:02d}", title=f"Biên bản ghi nhớ số {n}")
        for n in range(ROWS)
    ]
    return csv_bytes(rows)


def import_together(people: list, data: bytes, sheet_name: str = "agreements") -> list:
    barrier = threading.Barrier(len(people))
    outcomes: list = [None] * len(people)
    failures: list = []

    def run(index, user):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = run_import(
                sheet=sheet_name, file_name="chung.csv", data=data, user=user, dry_run=False
            )
        except Exception as error:  # noqa: BLE001 — reported by the test below
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, u)) for i, u in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures
    return outcomes


def messages(outcome) -> str:
    texts = list(outcome.errors) + [t for r in outcome.error_rows for _c, t in r.errors]
    return " ".join(texts)


def test_two_parallel_imports_of_the_same_sheet_leave_no_duplicates(places):
    outcomes = import_together([editor(), editor()], sheet())
    assert Agreement.objects.count() == ROWS
    assert Partnership.objects.count() == 1
    assert sum(o.new for o in outcomes if o.ok) == ROWS


def test_the_import_that_comes_second_finds_the_rows_there_or_says_why(places):
    outcomes = import_together([editor(), editor()], sheet())
    for outcome in outcomes:
        if not outcome.ok:
            text = messages(outcome)
            assert text, "a refused import must say why"
            assert not any(word in text for word in RAW_DATABASE_WORDS), text
    done = sorted((o.new, o.unchanged) for o in outcomes if o.ok)
    assert done in ([(0, ROWS), (ROWS, 0)], [(ROWS, 0)])
    assert ImportLog.objects.count() == 2


def visit_sheet() -> bytes:
    base = {
        "home_city": "Hà Nội",
        "home_country": "VN",
        "partner_city": "Minsk",
        "partner_country": "BY",
        "direction": "outgoing",
        "place": "Minsk",
        "status": "completed",
    }
    rows = [
        {**base, "title": f"Đoàn công tác số {n}", "start_date": f"{n + 1:02d}/05/2025"}
        for n in range(ROWS)
    ]
    return csv_bytes(rows, VisitResource.COLUMNS)


def test_two_parallel_imports_of_the_same_visits_leave_no_duplicates(places):
    # Visits have no unique reference the database could enforce: only the import's
    # own serialisation keeps the second run from creating them again.
    PartnershipFactory(
        home_city=City.objects.get(name="Hà Nội"), partner_city=City.objects.get(name="Minsk")
    )
    outcomes = import_together([editor(), editor()], visit_sheet(), "visits")
    assert len(outcomes) == 2
    assert Visit.objects.count() == ROWS
    assert sum(o.new for o in outcomes if o.ok) == ROWS
