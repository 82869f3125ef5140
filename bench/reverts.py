"""Benchmark: reverting a 10,000-row agreement import (issue 12, point 10).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench .venv/bin/python bench/reverts.py [--quick]

Inside one transaction rolled back at the end (the database is left as it was): import
the 10,000 agreements of bench/imports.py (all new), import them again with every title,
field list and signatory list changed (all updated), then time the revert of the
update (10,000 records and their lists restored) and of the creation (10,000 agreements
deleted with their signatories and links), with their SQL query counts.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.imports import QUICK_ROWS, ROWS, _setup, generate


class _Counter:
    """Counts the SQL statements run (``connection.execute_wrapper``), however many."""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:  # noqa: FBT001 — Django's wrapper signature
        self.queries += 1
        return execute(sql, params, many, context)


def main(*, quick: bool = False) -> dict[str, float | int]:
    _setup()
    import tablib
    from django.db import connection, transaction

    from partnerships.models import City
    from sheets.importing import ImportOptions, export_bytes, run_import
    from sheets.reverting import revert_import

    count = QUICK_ROWS if quick else ROWS
    result: dict[str, float | int] = {"rows": count}

    def sheet(rows: list[dict]) -> bytes:
        dataset = tablib.Dataset(headers=list(rows[0]))
        for row in rows:
            dataset.append(list(row.values()))
        return export_bytes(dataset, "csv")

    with transaction.atomic():
        home = City.objects.filter(is_home=True).order_by("pk").first() or City.objects.create(
            name="Hà Nội", country="VN", is_home=True
        )
        rows = generate(count, home.name)
        changed = [
            {
                **row,
                "title": row["title"] + " (sửa)",
                # Stored ones (a new field or person would block the revert before
                # the lists were restored, so the earlier code could not revert it).
                "fields": "Văn hóa",
                "signatories": "Nguyễn Văn Thử 000 (Phó Chủ tịch)",
            }
            for row in rows
        ]
        options = ImportOptions(create_cities=True)
        created = run_import(
            sheet="agreements", file_name="a.csv", data=sheet(rows), dry_run=False, options=options
        )
        if not created.ok or created.log is None:
            raise SystemExit(created.errors)
        updated = run_import(
            sheet="agreements",
            file_name="b.csv",
            data=sheet(changed),
            dry_run=False,
            options=options,
        )
        if not updated.ok or updated.log is None or updated.updated != count:
            raise SystemExit(updated.summary())
        for label, log in (("revert update", updated.log), ("revert creation", created.log)):
            counted = _Counter()
            with connection.execute_wrapper(counted):
                started = time.perf_counter()
                revert_import(log, None)
                result[f"{label} seconds"] = round(time.perf_counter() - started, 2)
            result[f"{label} queries"] = counted.queries
        transaction.set_rollback(True)
    return result


if __name__ == "__main__":
    for key, value in main(quick="--quick" in sys.argv).items():
        print(f"{key}: {value}")
