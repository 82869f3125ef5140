"""Benchmark: importing a generated 10,000-row agreement sheet (.csv and .xlsx).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench .venv/bin/python bench/imports.py [--quick]

Everything happens inside one transaction that is rolled back at the end, so the
database (migrated, PostgreSQL; it may already hold the bulk data of ``seed_bulk``) is
left as it was. The sheet has 10,000 agreements (2,000 with ``--quick``) between one
of our cities and 60 partner cities in 12 countries (a third of them new), with
partial and full dates, Vietnamese kinds and statuses, 1–3 fields of cooperation
(some new) and 1–2 signatories each, and every fifth agreement implementing or
renewing one that comes *later* in the sheet.

Measured, each in its own savepoint (rolled back):

* csv: dry run, import, and the re-import of the same sheet (all unchanged);
* xlsx: dry run and import;
* the floor: the same 10,000 rows loaded into ``agreements_agreement`` with psycopg's
  ``COPY`` (values already resolved: no parsing, no matching, no validation, no history);
* the peer (issue 16): the same rows through a plain django-import-export
  ``ModelResource`` tuned as its maintainers advise (``use_bulk``, ``skip_diff``,
  ``force_init_instance``, batches of 1,000, ``CachedForeignKeyWidget``), given the rows already resolved as COPY is
  (the partnership's id, kind and status codes, ISO dates): it writes the agreements
  only — no partner cities, fields, signatories, links, history or per-row errors —
  which is what "import ≥ 1.0× the tuned plain resource" holds our import against.

Reported as rows per second, with the number of SQL queries of each run. Target
(issue 5): the .csv import at 2,000 rows/s or more.

``run(quick=…)`` returns the result as a dict (``bench/run.py`` imports it); as a script
it prints a table and writes bench/results/imports.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from common.partialdate import PartialDate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ROWS = 10_000
QUICK_ROWS = 2_000
CSV_TARGET_ROWS_PER_S = 2_000

KINDS = [
    "mou",
    "Biên bản ghi nhớ",
    "programme",
    "Chương trình hợp tác",
    "friendship",
    "annual_plan",
]
STATUSES = ["in_force", "Có hiệu lực", "expired", "Hết hạn", "draft", "negotiation"]
COUNTRIES = ["BY", "Lào", "CN", "Nhật Bản", "KR", "France", "DE", "RU", "TH", "Cuba", "IT", "US"]
FIELDS = [
    "Văn hóa",
    "Giáo dục",
    "Y tế",
    "Thương mại",
    "Du lịch",
    "Đầu tư",
    "Thể thao",
    "Nông nghiệp",
]
WORDS = [
    "hợp",
    "tác",
    "hữu",
    "nghị",
    "phát",
    "triển",
    "bền",
    "vững",
    "đô",
    "thị",
    "giao",
    "thông",
    "văn",
    "hóa",
    "giáo",
    "dục",
    "y",
    "tế",
    "du",
    "lịch",
]


def _setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def generate(count: int, home_city: str, seed: int = 2025) -> list[dict]:
    """The sheet's rows (English columns), deterministic for a seed."""
    rng = random.Random(seed)
    partners = [(f"Thành phố thử {n:02d}", COUNTRIES[n % len(COUNTRIES)]) for n in range(60)]
    people = [f"Nguyễn Văn Thử {n:03d}" for n in range(300)]
    rows = []
    for n in range(count):
        city, country = partners[n % len(partners)]
        year = 1995 + n % 30
        signed = rng.choice(
            [
                f"{year}",
                f"{rng.randint(1, 12):02d}/{year}",
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}",
            ]
        )
        start = dt.date(year + 1, 1, 1)
        fields = rng.sample(FIELDS, rng.randint(1, 3))
        if n % 50 == 0:
            fields.append(f"Lĩnh vực mới {n % 7}")
        signatories = "; ".join(
            f"{p} (Chủ tịch UBND)" + (" [witness]" if i else "")
            for i, p in enumerate(rng.sample(people, rng.randint(1, 2)))
        )
        rows.append(
            {
                "reference": f"BENCH-IMP-{n:05d}",
                "home_city": home_city,
                "home_country": "VN",
                "partner_city": city,
                "partner_country": country,
                "kind": rng.choice(KINDS),
                "title": " ".join(rng.choice(WORDS) for _ in range(12)).capitalize(),
                "signed_on": signed,
                "signed_at": home_city,
                "valid_from": start.strftime("%d/%m/%Y"),
                "valid_until": start.replace(year=start.year + 3).strftime("%Y-%m-%d"),
                "status": rng.choice(STATUSES),
                # Every fifth row points to a row further down the sheet.
                "parent_reference": f"BENCH-IMP-{n + 1:05d}"
                if n % 5 == 0 and n + 1 < count
                else "",
                "fields": "; ".join(fields),
                "signatories": signatories,
                "notes": "=Ghi chú" if n % 97 == 0 else "",
            }
        )
    return rows


def _timed(label: str, function: Callable[[], Any], rows: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        outcome = function()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    result = {
        "label": label,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
        # CPU time of this Python process alone: on a busy shared machine the wall
        # time also measures the neighbours.
        "python_cpu_seconds": round(cpu, 3),
        "queries": len(queries),
    }
    if outcome is not None and hasattr(outcome, "summary"):
        result["summary"] = outcome.summary()
        result["ok"] = outcome.ok
        if not outcome.ok:
            result["errors"] = (outcome.errors + [str(r.errors) for r in outcome.error_rows])[:5]
    return result


def _date_of(cell: object, *, partial: bool) -> PartialDate:
    """A date cell of the generated sheet (every row has its dates)."""
    from common.sheetkit.widgets import clean_date

    parsed = clean_date(cell, partial=partial)
    if parsed is None:
        raise ValueError(f"the benchmark's sheet has a row without a date: {cell!r}")
    return parsed


PEER_LABEL = "peer: tuned plain import-export"


def _plain_peer(rows: list[dict], partnership_id: int) -> Any:
    """The same rows through a plain, tuned django-import-export resource (see the module)."""
    import tablib
    from import_export import fields, resources, widgets

    from agreements.models import Agreement
    from agreements.resources import AgreementResource
    from partnerships.models import Partnership

    kind = AgreementResource().fields["kind"].widget
    status = AgreementResource().fields["status"].widget

    class PlainAgreementResource(resources.ModelResource):
        # One query for all partnerships instead of one per row (import-export 4.4).
        partnership = fields.Field(
            attribute="partnership",
            column_name="partnership",
            widget=widgets.CachedForeignKeyWidget(Partnership),
        )

        class Meta:
            model = Agreement
            fields = (
                "partnership",
                "reference",
                "kind",
                "title",
                "signed_on",
                "signed_on_precision",
                "signed_at",
                "valid_from",
                "valid_until",
                "status",
                "notes",
            )
            use_bulk = True
            skip_diff = True
            force_init_instance = True
            batch_size = 1000

    headers = list(PlainAgreementResource.Meta.fields)
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        signed = _date_of(row["signed_on"], partial=True)
        dataset.append(
            [
                partnership_id,
                row["reference"],
                kind.clean(row["kind"]),
                row["title"],
                signed.date.isoformat(),
                signed.precision,
                row["signed_at"],
                _date_of(row["valid_from"], partial=False).date.isoformat(),
                _date_of(row["valid_until"], partial=False).date.isoformat(),
                status.clean(row["status"]),
                row["notes"],
            ]
        )

    def load() -> Any:
        result = PlainAgreementResource().import_data(dataset, dry_run=False, raise_errors=True)
        if result.has_errors():
            raise RuntimeError("the plain resource refused the benchmark's rows")
        return None

    return load


def _copy_floor(rows: list[dict], partnership_id: int) -> float:
    """The same rows into agreements_agreement with COPY: the physical floor."""
    from django.db import connection
    from django.utils import timezone

    from agreements.resources import AgreementResource

    kind = AgreementResource().fields["kind"].widget
    status = AgreementResource().fields["status"].widget
    now = timezone.now()
    prepared = []
    for row in rows:
        signed = _date_of(row["signed_on"], partial=True)
        prepared.append(
            (
                now,
                now,
                1,
                partnership_id,
                row["reference"],
                kind.clean(row["kind"]),
                row["title"],
                "",
                signed.date,
                signed.precision,
                row["signed_at"],
                _date_of(row["valid_from"], partial=False).date,
                _date_of(row["valid_until"], partial=False).date,
                status.clean(row["status"]),
                row["notes"],
                "",
                "open",
            )
        )
    columns = (
        "created_at, updated_at, version, partnership_id, reference, kind, title, title_en, "
        "signed_on, signed_on_precision, signed_at, valid_from, valid_until, status, notes, "
        "parent_relation, valid_until_kind"
    )
    connection.ensure_connection()
    started = time.perf_counter()
    sql = f"COPY agreements_agreement ({columns}) FROM STDIN"
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for values in prepared:
            copy.write_row(values)
    return time.perf_counter() - started


def run(*, quick: bool = False) -> dict:
    _setup()
    from django.db import transaction

    from partnerships.models import City, Partnership
    from sheets.importing import ImportOptions, export_bytes, run_import

    count = QUICK_ROWS if quick else ROWS
    result: dict = {"rows": count, "target_csv_rows_per_s": CSV_TARGET_ROWS_PER_S, "runs": []}
    with transaction.atomic():
        home = City.objects.filter(is_home=True).order_by("pk").first()
        if home is None:
            home = City.objects.create(name="Hà Nội", country="VN", is_home=True)
        rows = generate(count, home.name)
        import tablib

        dataset = tablib.Dataset(headers=list(rows[0]))
        for row in rows:
            dataset.append(list(row.values()))
        csv_data = export_bytes(dataset, "csv")
        xlsx_data = export_bytes(dataset, "xlsx")
        result["file_bytes"] = {"csv": len(csv_data), "xlsx": len(xlsx_data)}

        def step(
            label: str,
            sheet: tuple[str, bytes],
            *,
            dry_run: bool,
            keep: bool = False,
            repeat: int = 1,
        ) -> dict:
            """The median of ``repeat`` runs (each rolled back; the last kept if asked)."""
            name, data = sheet
            runs = []
            for attempt in range(repeat):
                point = transaction.savepoint()
                runs.append(
                    _timed(
                        label,
                        lambda: run_import(
                            sheet="agreements",
                            file_name=name,
                            data=data,
                            dry_run=dry_run,
                            # the sheet's new partner cities are confirmed, as a
                            # user would tick them (they are in no gazetteer)
                            options=ImportOptions(create_cities=True),
                        ),
                        count,
                    )
                )
                if not (keep and attempt == repeat - 1):
                    transaction.savepoint_rollback(point)
            measured = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
            if repeat > 1:
                measured["repeats"] = repeat
                measured["seconds_each"] = [r["seconds"] for r in runs]
            result["runs"].append(measured)
            return measured

        csv_sheet, xlsx_sheet = ("bench.csv", csv_data), ("bench.xlsx", xlsx_data)
        step("csv dry run", csv_sheet, dry_run=True)
        step("xlsx dry run", xlsx_sheet, dry_run=True)
        point = transaction.savepoint()
        # The target's measure: the median of three runs (one alone is at the
        # mercy of whatever else the machine is doing).
        step("csv import", csv_sheet, dry_run=False, keep=True, repeat=1 if quick else 3)
        step("csv re-import (all unchanged)", csv_sheet, dry_run=False)
        transaction.savepoint_rollback(point)
        step("xlsx import", xlsx_sheet, dry_run=False)

        point = transaction.savepoint()
        partner = City.objects.create(name="Thành phố COPY", country="BY")
        partnership = Partnership.objects.create(home_city=home, partner_city=partner)
        seconds = _copy_floor(rows, partnership.pk)
        result["runs"].append(
            {
                "label": "COPY floor (psycopg, resolved rows)",
                "rows": count,
                "seconds": round(seconds, 3),
                "rows_per_s": round(count / seconds) if seconds else None,
                "queries": 1,
            }
        )
        transaction.savepoint_rollback(point)

        # The peer, in the same run (its rows resolved beforehand, outside the timing).
        point = transaction.savepoint()
        partner = City.objects.create(name="Thành phố import-export", country="BY")
        partnership = Partnership.objects.create(home_city=home, partner_city=partner)
        load = _plain_peer(rows, partnership.pk)
        peer_runs = []
        for _attempt in range(1 if quick else 3):
            inner = transaction.savepoint()
            peer_runs.append(_timed(PEER_LABEL, load, count))
            transaction.savepoint_rollback(inner)
        result["runs"].append(sorted(peer_runs, key=lambda r: r["seconds"])[len(peer_runs) // 2])
        transaction.savepoint_rollback(point)
        transaction.set_rollback(True)  # nothing written here survives
    by_label = {r["label"]: r for r in result["runs"]}
    floor = by_label["COPY floor (psycopg, resolved rows)"]["rows_per_s"]
    for r in result["runs"]:
        r["share_of_floor"] = (
            round(r["rows_per_s"] / floor, 4) if floor and r["rows_per_s"] else None
        )
    csv_speed = by_label["csv import"]["rows_per_s"]
    result["csv_rows_per_s"] = csv_speed
    peer_speed = by_label[PEER_LABEL]["rows_per_s"]
    result["peer_rows_per_s"] = peer_speed
    # Issue 16: our import (with everything it writes) against the tuned plain resource.
    result["ratio_to_peer"] = round(csv_speed / peer_speed, 2) if csv_speed and peer_speed else None
    result["meets_peer_target"] = bool(result["ratio_to_peer"] and result["ratio_to_peer"] >= 1.0)
    result["meets_target"] = bool(csv_speed and csv_speed >= CSV_TARGET_ROWS_PER_S)
    result["load_average"] = os.getloadavg()[0]
    result["cpus"] = os.cpu_count()
    return result


def table(result: dict) -> str:
    lines = [
        (
            f"Agreement import, {result['rows']:,} rows "
            f"(csv {result['file_bytes']['csv'] / 1024:.0f} KiB, xlsx {result['file_bytes']['xlsx'] / 1024:.0f} KiB)"
        ),
        f"{'run':38} {'seconds':>8} {'rows/s':>8} {'cpu s':>7} {'queries':>8} {'of COPY':>8}",
    ]
    for r in result["runs"]:
        share = f"{r['share_of_floor']:.1%}" if r.get("share_of_floor") else ""
        lines.append(
            f"{r['label']:38} {r['seconds']:>8.2f} {r['rows_per_s'] or 0:>8,} "
            f"{r.get('python_cpu_seconds', 0):>7.2f} {r['queries']:>8,} {share:>8}"
            + ("" if r.get("ok", True) else "  FAILED")
        )
    verdict = "yes" if result["meets_target"] else "NO"
    lines.append(
        f"csv import {result['csv_rows_per_s']:,} rows/s; target {result['target_csv_rows_per_s']:,}: {verdict}"
    )
    lines.append(
        f"csv import / tuned plain import-export resource: {result.get('ratio_to_peer')}× "
        f"(target ≥ 1.0: {'yes' if result.get('meets_peer_target') else 'NO'})"
    )
    lines.append(
        f"machine load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    figures = run(quick="--quick" in sys.argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "imports.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(table(figures))
    print("written: bench/results/imports.json")
