"""In-process timing of the lists, the dashboard and the record pages against the
logged-in floor (issue 16), without gunicorn or wrk: for A/B work on templates and views.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_mycopy \
        .venv/bin/python -m bench.pages_inprocess --reps 25 [--only partners,floor]
    .venv/bin/python -m bench.pages_inprocess --profile agreements   # cProfile (and a .pstats in /tmp)
    .venv/bin/python -m bench.pages_inprocess --bump --only calendar,calendar_agenda   # recomputes

Production settings as bench/run.py sets them (DEBUG off, the manifest static storage,
the cached template loader), the bench user (it must exist: bench/run.py creates it)
logged in with ``force_login``. Nothing is written to the database: every connection is
read-only (``default_transaction_read_only``), sessions are signed cookies and the login
writes neither ``last_login`` nor axes' access log, so it may run against sc_bench while others read it (the
floor then has no session query: slightly lower than under gunicorn, ratios a bit higher).
Prints each page's p50/p95 in ms and its p50 as a multiple of the floor's, over
interleaved rounds (every page once per round, in the same order).

``--bump [APPS]`` counts a change to the record, or to the apps named (``--bump
delegations``: an action item's save), with ``workspace.freshness.bump``, untimed, before
each request, as bench/run.py's after-change measures do in each round: the pages
cached per version of the record (calendar, statistics, map) are then measured as they
recompute. It is the one write: the connection is made writable for that statement
only (it increments the version row; nothing else changes).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-" + "x" * 20,
    "ALLOWED_HOSTS": "127.0.0.1",
    "BEHIND_PROXY": "1",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
}


def pages(ids: dict) -> dict[str, str]:
    from urllib.parse import urlencode

    from django.urls import reverse

    big, home = ids["big_partnership"], ids["home_city"]
    return {
        "floor": "/dashboard/no-such-section/",
        "dashboard": reverse("dashboard"),
        "partners": reverse("partnerships:partnership_list"),
        "partners_filtered": reverse("partnerships:partnership_list")
        + f"?home_city={home}&status=active",
        "partnership": reverse("partnerships:partnership_detail", args=[big]),
        "people": reverse("partnerships:person_list"),
        "organisations": reverse("partnerships:organisation_list"),
        "agreements": reverse("agreements:agreement_list"),
        "agreements_filtered": reverse("agreements:agreement_list")
        + "?status=in_force&sort=reference",
        "agreement": reverse("agreements:agreement_detail", args=[ids["agreement"]]),
        "visits": reverse("delegations:visit_list"),
        "visit": reverse("delegations:visit_detail", args=[ids["visit"]]),
        "actions": reverse("delegations:actionitem_list"),
        "actions_overdue": reverse("delegations:actionitem_list")
        + "?status=open&due=overdue&sort=-priority",
        "action": reverse("delegations:actionitem_detail", args=[ids["action_item"]]),
        "my_work": reverse("workspace:my_work"),
        "search_ha_noi": reverse("search") + "?q=ha+noi",
        "search_vieng_chan": reverse("search") + "?q=vieng+chan",
        "search_rare": reverse("search") + "?" + urlencode({"q": ids["rare_name"]}),
        # A common programme word that names no city ("sightseeing"): thousands of items.
        "search_common": reverse("search") + "?q=tham+quan",
        # As bench/run.py measures them (the htmx partials there send HX-Request; these don't).
        "agreements_partnership": reverse("agreements:agreement_list")
        + f"?partnership={big}&sort=valid_until",
        "actions_partnership": reverse("delegations:actionitem_list")
        + f"?partnership={big}&sort=-due",
        "calendar": reverse("workspace:calendar"),
        "calendar_next": reverse("workspace:calendar") + "?month=2025-06",
        "calendar_agenda": reverse("workspace:calendar") + "?view=agenda&month=2025-05",
        "statistics": reverse("workspace:statistics"),
        "partner_map": reverse("workspace:partner_map"),
    }


def pick_ids() -> dict:
    """The ids bench/run.py measures, read only."""
    from bench.run import record_ids

    return record_ids()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=25)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", help="comma-separated page keys (the floor is always in)")
    parser.add_argument("--profile", help="one page key: cProfile its requests instead")
    parser.add_argument("--user", default="bench-editor")
    parser.add_argument(
        "--uncached",
        action="store_true",
        help="clear the cache before each request (untimed): a first view after a change",
    )
    parser.add_argument(
        "--bump",
        nargs="?",
        const="all",
        metavar="APPS",
        help="count a change to the record (all, or comma-separated apps: delegations) "
        "before each request (untimed): a recompute",
    )
    args = parser.parse_args(argv)
    for key, value in ENV.items():
        os.environ.setdefault(key, value)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the floor's 404s
    from django.conf import settings
    from django.contrib.auth import get_user_model, user_logged_in
    from django.db.backends.signals import connection_created
    from django.test import Client

    def read_only(connection, **_kwargs) -> None:  # type: ignore[no-untyped-def]
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = on")

    connection_created.connect(read_only)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    client = Client(SERVER_NAME="127.0.0.1", HTTP_X_FORWARDED_PROTO="https", secure=True)
    receivers, user_logged_in.receivers = user_logged_in.receivers, []  # last_login, axes' log
    try:
        client.force_login(get_user_model().objects.get(username=args.user))
    finally:
        user_logged_in.receivers = receivers
    plan = pages(pick_ids())
    if args.only:
        keep = {"floor", *args.only.split(",")}
        plan = {k: v for k, v in plan.items() if k in keep}

    from django.core.cache import cache
    from django.db import connection

    from workspace import freshness

    def get(path: str) -> int:
        return client.get(path).status_code

    def fresh() -> None:
        if args.uncached:
            cache.clear()  # as bench/run.py's measures after a change see it
        if args.bump:  # as bench/run.py's after-change measures leave the record
            with connection.cursor() as cursor:
                cursor.execute("SET default_transaction_read_only = off")
            try:
                freshness.bump(apps=None if args.bump == "all" else args.bump.split(","))
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("SET default_transaction_read_only = on")

    for _ in range(args.warmup):
        for key, path in plan.items():
            status = get(path)
            if status != (404 if key == "floor" else 200):
                print(f"{key}: HTTP {status} at {path}", file=sys.stderr)
                return 1
    if args.profile:
        path = plan[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.reps):
            profiler.disable()
            fresh()
            profiler.enable()
            get(path)
        profiler.disable()
        profiler.dump_stats(Path(tempfile.gettempdir()) / f"pages_inprocess-{args.profile}.pstats")
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        return 0
    times: dict[str, list[float]] = {k: [] for k in plan}
    for _ in range(args.reps):
        for key, path in plan.items():
            fresh()
            started = time.perf_counter()
            get(path)
            times[key].append((time.perf_counter() - started) * 1000)
    floor = statistics.median(times["floor"])
    print(f"load {os.getloadavg()[0]:.2f} (1 min); {args.reps} interleaved rounds")
    print(f"{'page':22} {'p50 ms':>8} {'p95 ms':>8} {'x floor':>8}")
    for key, values in times.items():
        values.sort()
        p50 = statistics.median(values)
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"{key:22} {p50:8.1f} {p95:8.1f} {p50 / floor:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
