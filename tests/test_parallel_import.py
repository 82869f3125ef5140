"""Two people import the same sheet at the same moment: no duplicates, a clear answer.

Real threads, each with its own PostgreSQL connection, start the real import
(``agreements.importing.run_import``) together behind a barrier.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from agreements.importing import run_import
from agreements.models import Agreement, ImportLog
from partnerships.models import Partnership
from tests.factories import CityFactory, FieldOfCooperationFactory, editor
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


def import_together(people: list, data: bytes) -> list:
    barrier = threading.Barrier(len(people))
    outcomes: list = [None] * len(people)
    failures: list = []

    def run(index, user):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = run_import(
                sheet="agreements", file_name="chung.csv", data=data, user=user, dry_run=False
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


def test_the_import_that_loses_the_race_gets_a_clear_message(places):
    outcomes = import_together([editor(), editor()], sheet())
    for outcome in outcomes:
        if not outcome.ok:
            text = messages(outcome)
            assert text, "a refused import must say why"
            assert not any(word in text for word in RAW_DATABASE_WORDS), text
    assert ImportLog.objects.count() == 2
