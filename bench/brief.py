"""Benchmark: the visit brief (PDF), on the demo data and on a very large partnership.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench .venv/bin/python bench/brief.py [--quick]

Everything happens inside one transaction that is rolled back at the end, so the
database (migrated, PostgreSQL) is left as it was:

* demo: the brief of the Minsk visit of May 2025 (``load_demo`` first; it is idempotent);
* large: a partnership with 200 visits and 2,000 action items (each with a progress
  note), made with ``bulk_create``; the brief of its latest visit;
* biggest: the brief of the latest visit of the partnership with the most visits
  already in the database (``seed_bulk``'s biggest at scale 1: hundreds of visits and
  thousands of action items; issue 16 wants it under 1.5 s too). Left out when the
  database holds only the demo.

Each case is rendered once to warm up (fonts, templates), then timed N times (median):
data gathering (``gather_brief``: the queries), template (``render_brief_html``) and
WeasyPrint itself (``html_to_pdf``), with each step's share of the total. Targets
(issue 4): demo brief under 1.5 s, data gathering under 10 % of the total.

``run(quick=…)`` returns the result as a dict (``bench/run.py`` imports it);
as a script it prints a table and writes bench/results/brief.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TOTAL_TARGET_S = 1.5
GATHER_SHARE_TARGET = 0.10
LARGE_VISITS = 200
LARGE_ACTION_ITEMS = 2000


def _setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _time_brief(visit_id: int, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from delegations.brief import gather_brief, html_to_pdf, render_brief_html
    from delegations.brief_word import brief_docx

    def once() -> tuple[float, float, float, int, int, float, float, float]:
        c0, t0 = time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            brief = gather_brief(visit_id, lang="vi", generated_by="bench")
        t1 = time.perf_counter()
        html = render_brief_html(brief)
        c2, t2 = time.process_time(), time.perf_counter()
        pdf = html_to_pdf(html, lang="vi")
        c3, t3 = time.process_time(), time.perf_counter()
        brief_docx(brief)  # the same brief as Word (issue 13: under 1 s with its gathering)
        t4 = time.perf_counter()
        return t1 - t0, t2 - t1, t3 - t2, len(queries), len(pdf), c3 - c0, c3 - c2, t4 - t3

    once()  # warm-up: font files, templates, WeasyPrint's user-agent stylesheet
    samples = [once() for _ in range(runs)]
    gather = statistics.median(s[0] for s in samples)
    template = statistics.median(s[1] for s in samples)
    weasy = statistics.median(s[2] for s in samples)
    total = statistics.median(s[0] + s[1] + s[2] for s in samples)
    return {
        # CPU seconds of this process: what the brief costs when the machine is shared
        "cpu_total_s": round(statistics.median(s[5] for s in samples), 4),
        "cpu_weasyprint_s": round(statistics.median(s[6] for s in samples), 4),
        "runs": runs,
        "total_s": round(total, 4),
        "gather_s": round(gather, 4),
        "template_s": round(template, 4),
        "weasyprint_s": round(weasy, 4),
        "gather_share": round(gather / total, 4),
        "template_share": round(template / total, 4),
        "weasyprint_share": round(weasy / total, 4),
        "queries": samples[0][3],
        "pdf_bytes": samples[0][4],
        "docx_s": round(statistics.median(s[7] for s in samples), 4),
        "docx_total_s": round(statistics.median(s[0] + s[7] for s in samples), 4),
    }


def _large_partnership() -> int:
    """200 visits and 2,000 open/closed action items on one partnership; returns the latest visit."""
    from agreements.models import Agreement
    from delegations.models import (
        ActionItem,
        Engagement,
        ProgressUpdate,
        Visit,
        VisitParticipant,
    )
    from partnerships.models import (
        City,
        FieldOfCooperation,
        Organisation,
        Partnership,
        Person,
        Position,
    )

    home = City.objects.create(name="Bench Hà Nội", country="VN", is_home=True)
    partner = City.objects.create(
        name="Bench Đà Lạt kết nghĩa", name_en="Bench twin", country="FR", population=1_234_567
    )
    office = Organisation.objects.create(name="Bench Sở Ngoại vụ", country="VN", city=home)
    partnership = Partnership.objects.create(
        home_city=home,
        partner_city=partner,
        kind=Partnership.Kind.SISTER_CITY,
        established_on=dt.date(1994, 1, 1),
        established_on_precision="year",
        focal_office=office,
        summary="Quan hệ hữu nghị lâu năm; " * 20,
    )
    fields = FieldOfCooperation.objects.bulk_create(
        FieldOfCooperation(
            code=f"bench-field-{i}", name=f"Bench lĩnh vực {i}", name_en=f"Field {i}"
        )
        for i in range(12)
    )
    partnership.fields.set(fields)
    parent = None
    for year in range(1995, 2026, 3):
        parent = Agreement.objects.create(
            partnership=partnership,
            reference=f"BENCH-{year}",
            kind=Agreement.Kind.PROGRAMME,
            title=f"Chương trình hợp tác giai đoạn {year}-{year + 2}",
            status=Agreement.Status.IN_FORCE if year >= 2023 else Agreement.Status.EXPIRED,
            signed_on=dt.date(year, 1, 1),
            valid_from=dt.date(year, 1, 1),
            valid_until=dt.date(year + 2, 12, 31),
            parent=parent,
            parent_relation="renews" if parent else "",
        )
    people = Person.objects.bulk_create(
        Person(full_name=f"Nguyễn Văn Bench {i}", name_latin=f"Nguyen Van Bench {i}")
        for i in range(40)
    )
    Position.objects.bulk_create(
        Position(person=p, organisation=office, title="Phó Giám đốc", start=dt.date(2020, 1, 1))
        for p in people
    )
    directions = [Visit.Direction.INCOMING, Visit.Direction.OUTGOING, Visit.Direction.ONLINE]
    visits = Visit.objects.bulk_create(
        Visit(
            partnership=partnership,
            direction=directions[i % 3],
            title=f"Đoàn công tác số {i} về hợp tác đô thị, văn hóa và giáo dục",
            start_date=dt.date(2000, 1, 1) + dt.timedelta(days=45 * i),
            status=Visit.Status.COMPLETED,
            place="Thành phố kết nghĩa",
            purpose="Trao đổi kinh nghiệm quản lý đô thị. " * 10,
            outcomes="Hai bên thống nhất nhiều nội dung hợp tác cụ thể. " * 8,
            talking_points="Điểm trao đổi.\n" * 12,
        )
        for i in range(LARGE_VISITS)
    )
    latest = visits[-1]
    first_day = latest.start_date
    if first_day is None:
        raise RuntimeError("the benchmark's visits all have a start date")
    VisitParticipant.objects.bulk_create(
        VisitParticipant(
            visit=latest,
            person=p,
            side="delegation" if i < 8 else "counterpart",
            role=("head" if i == 0 else "member") if i < 8 else "counterpart",
            position_title="Phó Chủ tịch",
            order=i,
        )
        for i, p in enumerate(people[:16])
    )
    Engagement.objects.bulk_create(
        Engagement(
            visit=latest,
            date=first_day + dt.timedelta(days=i // 4),
            kind=Engagement.Kind.TALKS,
            title=f"Hội đàm chuyên đề {i}",
            place="Trụ sở",
            summary="Nội dung làm việc chi tiết. " * 5,
        )
        for i in range(16)
    )
    statuses = ["agreed", "in_progress", "proposed", "done", "dropped"]
    items = ActionItem.objects.bulk_create(
        ActionItem(
            partnership=partnership,
            visit=visits[i % LARGE_VISITS],
            field=fields[i % len(fields)] if i % 7 else None,
            owner_organisation=office,
            description=f"Việc cần làm số {i}: triển khai nội dung hợp tác đã thống nhất",
            status=statuses[i % len(statuses)],
            due_on=dt.date(2020, 1, 1) + dt.timedelta(days=3 * i) if i % 3 else None,
            priority=1 + i % 3,
        )
        for i in range(LARGE_ACTION_ITEMS)
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            action_item=item,
            date=dt.date(2024, 1, 1) + dt.timedelta(days=i % 600),
            note="Đã làm việc với đối tác, đang chờ phản hồi.",
        )
        for i, item in enumerate(items)
    )
    return latest.pk


def run(*, quick: bool = False) -> dict:
    """Time both briefs; nothing written to the database survives (rolled back)."""
    _setup()
    from django.db import connection, transaction

    from delegations.models import Visit
    from demo.loader import load_demo

    if connection.vendor != "postgresql":
        raise SystemExit("bench/brief.py needs DATABASE_URL pointing to PostgreSQL.")
    runs = 3 if quick else 7
    result: dict = {
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "runs": runs,
        "targets": {"demo_total_s": TOTAL_TARGET_S, "gather_share": GATHER_SHARE_TARGET},
    }
    with transaction.atomic():
        load_demo()
        minsk = Visit.objects.get(
            title__startswith="Đoàn đại biểu TP Hà Nội thăm, làm việc tại TP Minsk"
        )
        large = _large_partnership()
        # Statistics on the rows just written, as a database holding them would have
        # (ANALYZE sees this transaction's own rows; what it records rolls back with
        # them): without, the planner takes the 200-visit partnership for an empty one
        # and picks nested loops that real data never gets.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        result["demo"] = _time_brief(minsk.pk, runs)
        result["large"] = _time_brief(large, runs)
        result["large"]["visits"] = LARGE_VISITS
        result["large"]["action_items"] = LARGE_ACTION_ITEMS
        if biggest := _biggest_partnership_visit():
            result["biggest"] = _time_brief(biggest[0], runs)
            result["biggest"]["visits"] = biggest[1]
        transaction.set_rollback(True)  # nothing written here survives
    demo = result["demo"]
    result["meets_targets"] = {
        "demo_total": demo["total_s"] < TOTAL_TARGET_S,
        "demo_gather_share": demo["gather_share"] < GATHER_SHARE_TARGET,
        "large_gather_share": result["large"]["gather_share"] < GATHER_SHARE_TARGET,
        "large_total": result["large"]["total_s"] < TOTAL_TARGET_S,
    }
    if "biggest" in result:
        result["meets_targets"]["biggest_total"] = result["biggest"]["total_s"] < TOTAL_TARGET_S
    return result


def _biggest_partnership_visit() -> tuple[int, int] | None:
    """(latest visit, number of visits) of the partnership with the most visits, if it is
    bigger than the demo's (more than 20 visits)."""
    from django.db.models import Count

    from delegations.models import Visit
    from partnerships.models import Partnership

    top = (
        Partnership.objects.annotate(n=Count("visits"))
        .filter(n__gt=20)
        .order_by("-n", "pk")
        .values_list("pk", "n")
        .first()
    )
    if top is None:
        return None
    latest = (
        Visit.objects.filter(partnership_id=top[0])
        .order_by("-start_date", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return (latest, top[1]) if latest else None


def table(result: dict) -> str:
    lines = [
        (
            f"{'brief':8} {'total':>8} {'gather':>8} {'template':>9} {'WeasyPrint':>11} "
            f"{'gather %':>9} {'Weasy %':>8} {'queries':>8} {'PDF kB':>7} {'CPU':>7}"
        ),
        "-" * 92,
    ]
    for key in ("demo", "large", "biggest"):
        if key not in result:
            continue
        r = result[key]
        lines.append(
            f"{key:8} {r['total_s']:>7.3f}s {r['gather_s']:>7.3f}s {r['template_s']:>8.3f}s "
            f"{r['weasyprint_s']:>10.3f}s {r['gather_share']:>9.1%} {r['weasyprint_share']:>8.1%} "
            f"{r['queries']:>8} {r['pdf_bytes'] / 1024:>7.0f} {r['cpu_total_s']:>6.3f}s"
        )
    lines.append(
        f"wall-clock medians; CPU = this process's CPU seconds (load average "
        f"{result['load_average_1min']} on {result['cpus']} CPUs)"
    )
    lines.append(
        f"median of {result['runs']} runs after one warm-up; targets: demo < "
        f"{TOTAL_TARGET_S} s (large and biggest too), gathering < {GATHER_SHARE_TARGET:.0%} "
        "of the total"
    )
    lines.append(
        "met: "
        + ", ".join(f"{k}={'yes' if v else 'NO'}" for k, v in result["meets_targets"].items())
    )
    return "\n".join(lines)


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print(
            "Set DATABASE_URL to a migrated PostgreSQL database (nothing is kept).", file=sys.stderr
        )
        return 2
    result = run(quick=quick)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "brief.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(table(result))
    print("written: bench/results/brief.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
