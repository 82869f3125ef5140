"""Benchmark: the workspace pages at the size of a big office's archive.

    .venv/bin/python bench/run.py [--scale 1] [--quick]
    python3 -m uv run python bench/run.py --scale 1

Prepares a PostgreSQL database (migrate, demo data, ``seed_bulk --scale N``; a
database already seeded is reused), starts the app under gunicorn as production
would (DEBUG off, behind-a-proxy HTTPS headers, several workers, loopback only),
logs in with a real session and measures every page: wall time over loopback,
the ``Server-Timing`` the app reports and the SQL query count (``X-Query-Count``,
from ``common.bench_query_count.BenchQueryCountMiddleware``, switched on for this
gunicorn only). In the same run it measures the peer (the Django admin changelist
of the same model), the ceiling (requests per second under wrk against
``/healthz``), the brief and import figures when ``bench/brief.py`` /
``bench/imports.py`` exist, and the peak memory of the gunicorn workers. Prints a
table and writes bench/results/run-<timestamp>.json and bench/results/latest.json.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
BENCH_USER = "bench-editor"
BENCH_PASSWORD = "bench-password-2025"  # noqa: S105 (loopback-only throwaway database)
WRK = "/usr/bin/wrk"

# Targets from issue 6 (checked in the report, never asserted in tests).
PEER_RATIO_TARGET = 1.0
SEARCH_RATIO_TARGET = 2.0
LOAD_RATIO_TARGET = 0.40
# Issue 16: against the logged-in floor (session, user and role checks, then a 404).
FLOOR_LOAD_TARGET = 0.25  # a page's req/s under wrk, as a share of the floor's
FLOOR_P50_TARGET = 4.0  # a page's single-request p50, as a multiple of the floor's


# ---------------------------------------------------------------------------
# Measures: what is requested. ``url`` is a URL name (reversed with ``args``)
# or a literal path; a name that does not resolve, or a 404, counts as "missing".


@dataclass
class Measure:
    key: str
    label: str
    url: str
    args: tuple = ()
    query: dict = field(default_factory=dict)
    peer: str | None = None  # key of the peer measure (admin changelist)
    htmx: bool = False
    method: str = "GET"
    kind: str = "page"  # page | peer | search | ceiling | floor | action
    load: bool = False  # also measured under wrk
    anonymous: bool = False  # sent without the session cookie (a load balancer's probe)
    # Before each request the record changes: "all" apps, or one app's records (as an
    # action item's status change does to "delegations"): what is cached from it is stale.
    after_change: str = ""
    expect: int = 200  # the floor answers 404 on purpose: not "missing", not an error


def measures(ids: dict) -> list[Measure]:
    """The pages to measure, given ids picked from the database (biggest partnership...)."""
    big, home = ids.get("big_partnership"), ids.get("home_city")
    return [
        # peers: the Django admin over the same data
        Measure(
            "admin_partnership",
            "admin: partnerships",
            "admin:partnerships_partnership_changelist",
            kind="peer",
        ),
        Measure(
            "admin_agreement",
            "admin: agreements",
            "admin:agreements_agreement_changelist",
            kind="peer",
            load=True,
        ),
        Measure("admin_visit", "admin: visits", "admin:delegations_visit_changelist", kind="peer"),
        Measure(
            "admin_actionitem",
            "admin: action items",
            "admin:delegations_actionitem_changelist",
            kind="peer",
            load=True,
        ),
        Measure(
            "admin_person", "admin: people", "admin:partnerships_person_changelist", kind="peer"
        ),
        Measure(
            "admin_organisation",
            "admin: organisations",
            "admin:partnerships_organisation_changelist",
            kind="peer",
        ),
        # workspace
        # Each round first changes the record and views the dashboard (what the change
        # concerns is computed afresh), then views it again (all from the cache), as an
        # office does between two edits.
        Measure(
            "dashboard_after_agreement_change",
            "dashboard, first view after an agreement changed",
            "dashboard",
            peer="admin_partnership",
            after_change="agreements",
        ),
        Measure(
            "dashboard_after_item_change",
            "dashboard, first view after an action item changed",
            "dashboard",
            peer="admin_partnership",
            after_change="delegations",
        ),
        Measure(
            "dashboard_after_change",
            "dashboard, first view after any change (all computed)",
            "dashboard",
            peer="admin_partnership",
            after_change="all",
        ),
        Measure("dashboard", "dashboard", "dashboard", peer="admin_partnership"),
        Measure(
            "partners",
            "partners list",
            "partnerships:partnership_list",
            peer="admin_partnership",
            load=True,
        ),
        Measure(
            "partners_filtered",
            "partners list, filtered",
            "partnerships:partnership_list",
            query={"home_city": home, "status": "active"},
            peer="admin_partnership",
        ),
        Measure(
            "partnership_after_change",
            "biggest partnership's page, first view after a change",
            "partnerships:partnership_detail",
            args=(big,),
            peer="admin_partnership",
            after_change="all",
        ),
        Measure(
            "partnership",
            "biggest partnership's page",
            "partnerships:partnership_detail",
            args=(big,),
            peer="admin_partnership",
        ),
        Measure("people", "people list", "partnerships:person_list", peer="admin_person"),
        Measure(
            "organisations",
            "organisations list",
            "partnerships:organisation_list",
            peer="admin_organisation",
        ),
        Measure(
            "agreements",
            "agreements list",
            "agreements:agreement_list",
            peer="admin_agreement",
            load=True,
        ),
        Measure(
            "agreements_filtered",
            "agreements, in force, by reference",
            "agreements:agreement_list",
            query={"status": "in_force", "sort": "reference"},
            peer="admin_agreement",
        ),
        Measure(
            "agreements_partnership",
            "agreements of the biggest partnership",
            "agreements:agreement_list",
            query={"partnership": big, "sort": "valid_until"},
            peer="admin_agreement",
        ),
        Measure(
            "agreements_htmx",
            "agreements list (htmx partial)",
            "agreements:agreement_list",
            query={"status": "expired", "page": 2},
            peer="admin_agreement",
            htmx=True,
        ),
        Measure(
            "agreement",
            "an agreement's page",
            "agreements:agreement_detail",
            args=(ids.get("agreement"),),
            peer="admin_agreement",
        ),
        Measure("visits", "visits list", "delegations:visit_list", peer="admin_visit", load=True),
        Measure(
            "visits_filtered",
            "visits, incoming, oldest first",
            "delegations:visit_list",
            query={"direction": "incoming", "sort": "start", "home_city": home},
            peer="admin_visit",
        ),
        Measure(
            "visits_htmx",
            "visits list (htmx partial)",
            "delegations:visit_list",
            query={"status": "completed", "sort": "title", "page": 3},
            peer="admin_visit",
            htmx=True,
        ),
        Measure(
            "visit",
            "a visit's page",
            "delegations:visit_detail",
            args=(ids.get("visit"),),
            peer="admin_visit",
        ),
        Measure(
            "actions",
            "action items list",
            "delegations:actionitem_list",
            peer="admin_actionitem",
            load=True,
        ),
        Measure(
            "actions_overdue",
            "action items, open and overdue",
            "delegations:actionitem_list",
            query={"status": "open", "due": "overdue", "sort": "-priority"},
            peer="admin_actionitem",
        ),
        Measure(
            "actions_partnership",
            "action items of the biggest partnership",
            "delegations:actionitem_list",
            query={"partnership": big, "sort": "-due"},
            peer="admin_actionitem",
        ),
        Measure(
            "actions_htmx",
            "action items list (htmx partial)",
            "delegations:actionitem_list",
            query={"status": "done", "page": 5},
            peer="admin_actionitem",
            htmx=True,
        ),
        Measure(
            "action",
            "an action item's page",
            "delegations:actionitem_detail",
            args=(ids.get("action_item"),),
            peer="admin_actionitem",
        ),
        Measure(
            "action_status",
            "inline status change (POST, htmx)",
            "delegations:actionitem_status",
            args=(ids.get("action_item"),),
            peer="admin_actionitem",
            method="POST",
            htmx=True,
            kind="action",
        ),
        # Issue 15: the pages that read across the record by date, place and number.
        Measure(
            "my_work",
            f"my work ({BENCH_ITEMS} open items)",
            "workspace:my_work",
            peer="admin_actionitem",
        ),
        # The first view after any change: nothing cached (workspace.freshness) is used.
        Measure(
            "calendar_after_change",
            "calendar, first view after any change",
            "workspace:calendar",
            peer="admin_visit",
            after_change="all",
        ),
        Measure(
            "calendar_htmx_after_change",
            "calendar, next month (htmx), after a change",
            "workspace:calendar",
            query={"month": "2025-06"},
            peer="admin_visit",
            htmx=True,
            after_change="all",
        ),
        Measure(
            "statistics_after_change",
            "statistics, first view after any change",
            "workspace:statistics",
            peer="admin_visit",
            after_change="all",
        ),
        Measure(
            "partner_map_after_change",
            "partner map, first view after any change",
            "workspace:partner_map",
            peer="admin_partnership",
            after_change="all",
        ),
        Measure("calendar", "calendar, this month", "workspace:calendar", peer="admin_visit"),
        Measure(
            "calendar_agenda",
            "calendar, agenda of a month",
            "workspace:calendar",
            query={"view": "agenda", "month": "2025-05"},
            peer="admin_visit",
        ),
        Measure("partner_map", "partner map", "workspace:partner_map", peer="admin_partnership"),
        Measure(
            "statistics", "statistics, last ten years", "workspace:statistics", peer="admin_visit"
        ),
        Measure(
            "calendar_htmx",
            "calendar, next month (htmx partial)",
            "workspace:calendar",
            query={"month": "2025-06"},
            peer="admin_visit",
            htmx=True,
        ),
        Measure(
            "search_ha_noi",
            "search “ha noi”",
            "search",
            query={"q": "ha noi"},
            peer="agreements",
            kind="search",
        ),
        Measure(
            "search_vieng_chan",
            "search “vieng chan”",
            "search",
            query={"q": "vieng chan"},
            peer="agreements",
            kind="search",
        ),
        Measure(
            # A common programme word that names no city ("sightseeing"): its programme
            # items are too many to read whole (issue 16, session 9).
            "search_common",
            "search “tham quan”",
            "search",
            query={"q": "tham quan"},
            peer="agreements",
            kind="search",
        ),
        Measure(
            "search_rare",
            f"search “{ids.get('rare_name', '')}”",
            "search",
            query={"q": ids.get("rare_name", "")},
            peer="agreements",
            kind="search",
        ),
        Measure(
            "floor",
            "logged-in floor (session, user, role; 404)",
            "/dashboard/no-such-section/",
            kind="floor",
            load=True,
            expect=HTTPStatus.NOT_FOUND,
        ),
        Measure(
            "healthz",
            "healthz (one SELECT 1)",
            "healthz",
            kind="ceiling",
            load=True,
            anonymous=True,
        ),
    ]


# ---------------------------------------------------------------------------
# Small helpers (also used by tests/test_bench_harness.py).


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(values: list[float]) -> dict:
    if not values:
        return {"median": None, "p95": None, "n": 0}
    return {
        "median": round(statistics.median(values), 2),
        "p95": round(percentile(values, 95), 2),
        "n": len(values),
    }


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> dict:
    """Requests/s, mean latency (ms), request count and error counts from wrk's text output."""
    result: dict = {"rps": None, "latency_ms": None, "requests": None, "non_2xx": 0, "errors": 0}
    if m := re.search(r"Requests/sec:\s*([\d.]+)", output):
        result["rps"] = float(m[1])
    if m := re.search(r"^\s*Latency\s+([\d.]+)(us|ms|s|m)\b", output, re.MULTILINE):
        result["latency_ms"] = round(float(m[1]) * _WRK_UNITS[m[2]], 3)
    if m := re.search(r"(\d+) requests in", output):
        result["requests"] = int(m[1])
    if m := re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output):
        result["non_2xx"] = int(m[1])
    if m := re.search(
        r"Socket errors:\s*connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        result["errors"] = sum(int(x) for x in m.groups())
    return result


def parse_server_timing(header: str | None) -> dict[str, float]:
    """``app;dur=12.3, db;dur=4.5`` → ``{"app": 12.3, "db": 4.5}``."""
    out = {}
    for part in (header or "").split(","):
        name, _, rest = part.strip().partition(";")
        if m := re.search(r"dur=([\d.]+)", rest):
            out[name] = float(m[1])
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_database_url(scale: float) -> str:
    name = (
        "sc_bench" if scale == 1 else "sc_bench_" + f"{scale:g}".replace(".", "_").replace("-", "_")
    )
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def worker_memory(master_pid: int) -> dict:
    """Peak resident memory (VmHWM, MiB) of each gunicorn worker (children of the master)."""
    workers = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid != master_pid:
                continue
            status = (entry / "status").read_text()
        except (OSError, ValueError, IndexError):
            continue
        hwm = re.search(r"VmHWM:\s*(\d+) kB", status)
        rss = re.search(r"VmRSS:\s*(\d+) kB", status)
        workers[int(entry.name)] = {
            "peak_mib": round(int(hwm[1]) / 1024, 1) if hwm else None,
            "rss_mib": round(int(rss[1]) / 1024, 1) if rss else None,
        }
    return workers


# ---------------------------------------------------------------------------
# HTTP client: one connection per request (gunicorn's sync workers close it anyway).


class Client:
    def __init__(self, port: int, timeout: float = 60):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.origin = f"https://127.0.0.1:{port}"

    def headers(self, extra: dict | None = None) -> dict:
        h = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",  # as behind the TLS-terminating proxy
            "Accept-Language": "vi",
            "User-Agent": "sistercities-bench",
        }
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(extra or {})
        return h

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[http.client.HTTPResponse, bytes, float]:
        data = urllib.parse.urlencode(body or {}, doseq=True).encode() if body is not None else None
        extra = dict(headers or {})
        if data is not None:
            extra.setdefault("Content-Type", "application/x-www-form-urlencoded")
            extra.setdefault("Origin", self.origin)
            extra.setdefault("Referer", self.origin + path)
            if "csrftoken" in self.cookies:
                extra.setdefault("X-CSRFToken", self.cookies["csrftoken"])
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=self.headers(extra))
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        elapsed = (time.perf_counter() - started) * 1000
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            cookie_value = rest.split(";", 1)[0]
            if cookie_value in ("", '""'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = cookie_value
        return response, content, elapsed

    def login(self, username: str, password: str) -> None:
        _r, page, _t = self.request("GET", "/accounts/login/")
        m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not m:
            raise RuntimeError("no CSRF token on the login page")
        response, _c, _t = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": m[1].decode(), "username": username, "password": password},
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login failed: HTTP {response.status}")


# ---------------------------------------------------------------------------
# Preparing the database (in this process, through Django).


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(*args: str, env: dict, timeout: float) -> str:
    proc = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,  # the output goes into the error below
    )
    if proc.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def ensure_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def vacuum(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def bench_env(url: str) -> dict:
    """The environment of the app on database ``url`` as the benchmark runs it."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-" + "x" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_PROXY": "1",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        # A cache of its own, empty at the start, as a fresh deploy's: the repository's
        # var/cache keeps the entries of earlier runs for an hour, and once it holds
        # MAX_ENTRIES the file cache deletes a third of its files at random, so a later
        # run would find some of its own drawings gone (a dashboard recomputed now and
        # then: "7-28" queries) and measure that. One per database, too: cache keys do
        # not name the database.
        "CACHE_DIR": tempfile.mkdtemp(prefix="bench-cache-"),
    }
    atexit.register(shutil.rmtree, env["CACHE_DIR"], ignore_errors=True)
    return env


def prepare_data(scale: float, env: dict, log: Callable[[str], None]) -> dict:
    prepare_database(scale, env, log)
    collect_static(env, log)
    setup_django(env)
    return pick_ids()


def prepare_database(scale: float, env: dict, log: Callable[[str], None]) -> None:
    """Migrate, seed (reused when already seeded) and vacuum the database of ``env``."""
    ensure_database(env["DATABASE_URL"])
    log("migrate…")
    manage("migrate", "--noinput", env=env, timeout=600)
    log(f"seed_bulk --scale {scale:g} (reused when already seeded)…")
    out = manage("seed_bulk", "--scale", str(scale), env=env, timeout=1800)
    log("  " + out.strip().splitlines()[-1])
    # bench/imports.py writes and rolls back tens of thousands of agreements in this
    # database at the end of every run: without a vacuum the next run would scan their
    # dead rows (a 10,000-row table read as 150,000) and measure that instead of the app.
    log("VACUUM ANALYZE…")
    vacuum(env["DATABASE_URL"])


def collect_static(env: dict, log: Callable[[str], None]) -> None:
    log("collectstatic…")
    manage("collectstatic", "--noinput", "-v0", env=env, timeout=600)


def pick_ids(using: str = "default") -> dict:
    """The bench user (an administrator) in database ``using``, and the records measured."""
    from django.contrib.auth import get_user_model

    from common.roles import ADMINISTRATOR, ensure_roles

    user_model = get_user_model()
    user = user_model.objects.using(using).filter(username=BENCH_USER).first() or user_model(
        username=BENCH_USER
    )
    user.is_staff = True  # the admin is the peer: the bench user must reach its changelists
    user.set_password(BENCH_PASSWORD)
    user.save(using=using)
    # The Django admin is offered to administrators only (issue 14): as a mere editor the
    # bench user got a redirect (302) from every admin peer. An administrator sees the
    # workspace pages as an editor does, plus the import logs' revert links.
    user.groups.set([ensure_roles(using)[ADMINISTRATOR]])
    ids = record_ids(using)
    give_work(user, ids["big_partnership"], using)
    return ids


# How many open action items the bench user is given: an officer's load (the demo's
# officers carry 3-12; the biggest partnership's desk officer several dozen).
BENCH_ITEMS = 40


def give_work(user: Any, partnership: int | None, using: str = "default") -> None:
    """The bench user follows the biggest partnership and is assigned ``BENCH_ITEMS`` of
    its open action items (the first by id, the same at every run), so that "my work" and
    the dashboard's card are measured with rows to show, as an officer sees them, not
    empty (before session 12 the bench user had nothing assigned and followed nothing)."""
    from delegations.models import ActionItem
    from partnerships.models import Partnership

    if partnership is None:
        return
    big = Partnership.objects.using(using).get(pk=partnership)
    if not big.followers.filter(pk=user.pk).exists():
        big.set_followed(user, follow=True)
    through = ActionItem.assignees.through
    items = list(
        ActionItem.objects.using(using)
        .filter(partnership=big, status__in=ActionItem.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)[:BENCH_ITEMS]
    )
    have = set(
        through.objects.using(using).filter(user=user).values_list("actionitem_id", flat=True)
    )
    for pk in items:
        if pk not in have:
            ActionItem.objects.using(using).get(pk=pk).assignees.add(user)


def record_ids(using: str = "default") -> dict:
    """The records the pages are measured on (the biggest partnership, its busiest visit,
    an action item, its most implemented agreement, a rare name), read only."""
    from django.db.models import Count

    from agreements.models import Agreement
    from delegations.models import ActionItem, Visit
    from partnerships.models import City, Partnership, Person

    big = (
        Partnership.objects.using(using)
        .annotate(n=Count("action_items"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    visit = (
        Visit.objects.using(using)
        .filter(partnership=big)
        .annotate(n=Count("participants"))
        .order_by("-n", "pk")
        .first()
    )
    item = (
        ActionItem.objects.using(using)
        .filter(partnership=big, visit__isnull=False)
        .order_by("pk")
        .first()
    )
    rare = (
        Person.objects.using(using)
        .values("full_name")
        .annotate(n=Count("pk"))
        .filter(n=1)
        .order_by("full_name")
    )
    rare_name = (
        Person.objects.using(using)
        .filter(full_name="Khúc Thừa Quyên")
        .values_list("full_name", flat=True)
        .first()
    )
    if not rare_name:
        first_rare = rare.first()
        rare_name = first_rare["full_name"] if first_rare else ""
    agreement = (
        Agreement.objects.using(using)
        .filter(partnership=big)
        .annotate(n=Count("children"))
        .order_by("-n", "pk")
        .first()
    )
    return {
        "big_partnership": big,
        "home_city": City.objects.using(using)
        .home()
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
        "visit": visit.pk if visit else None,
        "action_item": item.pk if item else None,
        "agreement": agreement.pk if agreement else None,
        "rare_name": rare_name,
    }


def row_counts(using: str = "default") -> dict:
    from agreements.models import Agreement
    from delegations.models import ActionItem, Engagement, ProgressUpdate, Visit, VisitParticipant
    from partnerships.models import City, Partnership, Person

    return {
        m._meta.verbose_name_plural.__str__(): m.objects.using(using).count()
        for m in (
            City,
            Partnership,
            Person,
            Agreement,
            Visit,
            VisitParticipant,
            Engagement,
            ActionItem,
            ProgressUpdate,
        )
    }


def resolve(measure: Measure) -> str | None:
    from django.urls import NoReverseMatch, reverse

    if measure.url.startswith("/"):
        path = measure.url
    else:
        if any(a is None for a in measure.args):
            return None
        try:
            path = reverse(measure.url, args=measure.args)
        except NoReverseMatch:
            return None
    query = {k: v for k, v in measure.query.items() if v not in (None, "")}
    return path + ("?" + urllib.parse.urlencode(query) if query else "")


# ---------------------------------------------------------------------------
# The server.


class Server:
    def __init__(self, env: dict, workers: int, log_path: Path):
        self.port = free_port()
        self.env, self.workers, self.log_path = env, workers, log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_file = self.log_path.open("w")  # closed in stop()
        self.proc = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **self.env, "BENCH_QUERY_COUNT": "1"},
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                response, _c, _t = Client(self.port, timeout=2).request("GET", "/healthz")
                if (
                    response.status == http.HTTPStatus.OK
                    and len(worker_memory(self.proc.pid)) >= self.workers
                ):
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise RuntimeError("the server was not started")
        return self.proc.pid

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            # gunicorn runs in its own session: its process group is it and its workers.
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
        if getattr(self, "log_file", None):
            self.log_file.close()


# ---------------------------------------------------------------------------
# Measuring.


def status_body(item_id: int, toggle: int, using: str = "default") -> dict:
    from django.utils import timezone

    from delegations.models import ActionItem

    version = ActionItem.objects.using(using).values_list("version", flat=True).get(pk=item_id)
    status = ("in_progress", "agreed")[toggle % 2]
    prefix = f"item{item_id}"
    return {
        f"{prefix}-status": status,
        f"{prefix}-version": version,
        f"{prefix}-note": "",
        f"{prefix}-date": timezone.localdate().strftime("%d/%m/%Y"),
    }


class PageSampler:
    """The requests of one measure, one at a time (so that measures can be interleaved).

    ``using``: the alias of the server's database in this process, where a measure after
    a change counts its change and the status change reads the item's version.
    """

    def __init__(self, client: Client, m: Measure, path: str, using: str = "default"):
        self.m, self.path, self.using = m, path, using
        self.client = Client(client.port, client.timeout) if m.anonymous else client
        self.headers = {"HX-Request": "true"} if m.htmx else {}
        self.walls: list[float] = []
        self.apps: list[float] = []
        self.dbs: list[float] = []
        self.queries: list[int] = []
        self.sizes: list[int] = []
        self.statuses: list[int] = []
        self.missing = False
        self.count = 0

    def step(self, *, timed: bool) -> None:
        if self.missing:
            return
        m, i = self.m, self.count
        self.count += 1
        if m.after_change:
            from workspace import freshness

            # What a save does (outside any transaction here: autocommit).
            freshness.bump(
                using=self.using, apps=None if m.after_change == "all" else [m.after_change]
            )
        if m.method == "POST":
            response, content, elapsed = self.client.request(
                "POST",
                self.path,
                status_body(m.args[0], i, self.using),
                headers={**self.headers, "HX-Target": f"item-{m.args[0]}"},
            )
        else:
            response, content, elapsed = self.client.request("GET", self.path, headers=self.headers)
        if not timed:
            self.missing = response.status == HTTPStatus.NOT_FOUND != m.expect
            return
        self.statuses.append(response.status)
        self.walls.append(elapsed)
        timing = parse_server_timing(response.headers.get("Server-Timing"))
        if "app" in timing:
            self.apps.append(timing["app"])
            self.dbs.append(timing.get("db", 0.0))
        if (count := response.headers.get("X-Query-Count")) is not None:
            self.queries.append(int(count))
        self.sizes.append(len(content))

    def result(self) -> dict:
        if self.missing:
            return {"status": "missing", "path": self.path, "http": 404}
        expected = self.m.expect
        ok = all(
            s == expected if expected != HTTPStatus.OK else 200 <= s < 300 for s in self.statuses
        )
        queries = self.queries
        return {
            "status": "ok" if ok else "error",
            "path": self.path,
            "method": self.m.method,
            "htmx": self.m.htmx,
            "http": sorted(set(self.statuses)),
            "wall_ms": summarise(self.walls),
            "server_ms": summarise(self.apps),
            "db_ms": summarise(self.dbs),
            "queries": {"min": min(queries), "max": max(queries)} if queries else None,
            "bytes": int(statistics.median(self.sizes)) if self.sizes else None,
        }


def measure_interleaved(client: Client, plan: list, reps: int, warmup: int) -> dict:
    """Every measure's requests in turn: round ``i`` requests each page once, in plan order.

    A page and its admin peer are then timed under the same conditions: a burst of noise
    from the machine's neighbours lands on all of them instead of on whichever page
    happened to be measured at the time.
    """
    samplers = {m.key: PageSampler(client, m, path) for m, path in plan}
    for i in range(warmup + reps):
        for sampler in samplers.values():
            sampler.step(timed=i >= warmup)
    return {key: sampler.result() for key, sampler in samplers.items()}


def page_entries(plan: list[Measure], paths: dict, sampled: dict) -> dict:
    """Each measure's report entry: what it is, and its samples (or "missing")."""
    entries = {}
    for m in plan:
        entry: dict[str, Any] = {"label": m.label, "kind": m.kind, "peer": m.peer}
        if m.after_change:
            entry["after_change"] = m.after_change
        if paths[m.key] is None:
            entry.update(status="missing", path=None)
        else:
            entry.update(sampled[m.key])
        entries[m.key] = entry
    return entries


def wrk_command(port: int, path: str, cookies: dict, seconds: int, connections: int) -> list[str]:
    cmd = [WRK, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s"]
    cmd += ["-H", "X-Forwarded-Proto: https", "-H", "Accept-Language: vi"]
    if cookies:
        cmd += ["-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
    return [*cmd, f"http://127.0.0.1:{port}{path}"]


def run_wrk(port: int, path: str, cookies: dict, seconds: int, connections: int) -> dict:
    cmd = wrk_command(port, path, cookies, seconds, connections)
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=seconds + 30, check=False
    )  # a failed run shows as errors in the parsed figures
    return {**parse_wrk(proc.stdout), "path": path, "seconds": seconds, "connections": connections}


def drain(port: int, timeout: float = 120) -> None:
    """Wait until the server answers /healthz quickly: no request is left in its queue."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _r, _c, elapsed = Client(port, timeout=timeout).request("GET", "/healthz")
            if elapsed < 50:
                return
        except OSError:
            pass
        time.sleep(0.5)


def external(name: str, *, quick: bool, env: dict, timeout: float) -> dict:
    """``bench.<name>.run(quick=…)`` in a child process (bounded; its own Django set-up)."""
    module = ROOT / "bench" / f"{name}.py"
    if not module.exists():
        return {"status": "missing", "note": f"bench/{name}.py not found"}
    code = (
        f"import json, sys, django; sys.path.insert(0, {str(ROOT)!r}); django.setup(); "
        f"from bench.{name} import run; "
        f"print('BENCH_JSON:' + json.dumps(run(quick={quick!r}), default=str))"
    )
    try:
        proc = subprocess.run(
            [PYTHON, "-c", code],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,  # a failure is reported from its output below
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "note": f"bench/{name}.py ran over {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_JSON:"):
            return {"status": "ok", "result": json.loads(line[len("BENCH_JSON:") :])}
    return {"status": "error", "note": (proc.stderr or proc.stdout)[-2000:]}


# ---------------------------------------------------------------------------
# Report.


def evaluate(results: dict, load: dict) -> dict:
    """Ratios against the peers and the ceiling, and whether each target is met."""
    pages = results
    verdicts = {}
    for key, r in pages.items():
        if r.get("status") != "ok" or not r.get("peer"):
            continue
        peer = pages.get(r["peer"], {})
        if peer.get("status") != "ok":
            continue
        ratio = r["wall_ms"]["p95"] / peer["wall_ms"]["p95"] if peer["wall_ms"]["p95"] else None
        target = SEARCH_RATIO_TARGET if r["kind"] == "search" else PEER_RATIO_TARGET
        r["p95_ratio_to_peer"] = round(ratio, 2) if ratio is not None else None
        if r.get("after_change"):
            continue  # reported for what it tells (the cost of a cache miss), not a target
        r["target_ratio"] = target
        r["meets_target"] = ratio is not None and ratio <= target
        verdicts[key] = r["meets_target"]
    ceiling = load.get("healthz", {}).get("rps")
    for key, w in load.items():
        if key in ("healthz", "floor") or not ceiling or not w.get("rps"):
            continue
        w["ratio_to_healthz"] = round(w["rps"] / ceiling, 3)
        peer = load.get(pages.get(key, {}).get("peer") or "", {})
        if peer.get("rps"):
            w["ratio_to_peer"] = round(w["rps"] / peer["rps"], 2)
        if pages.get(key, {}).get("kind") == "peer":
            continue  # the admin under load is context, not a target
        w["meets_target"] = w["ratio_to_healthz"] >= LOAD_RATIO_TARGET and not w.get("non_2xx")
        verdicts[f"load:{key}"] = w["meets_target"]
    verdicts.update(against_floor(pages, load))
    return {"all_met": all(verdicts.values()) if verdicts else False, "met": verdicts}


def against_floor(pages: dict, load: dict) -> dict:
    """Issue 16: each page's p50 as a multiple of the logged-in floor's, its req/s under
    load as a share of the floor's ("% of floor"), judged against the targets."""
    verdicts = {}
    floor = pages.get("floor", {})
    floor_p50 = floor.get("wall_ms", {}).get("median") if floor.get("status") == "ok" else None
    floor_rps = load.get("floor", {}).get("rps")
    for key, r in pages.items():
        if r.get("status") != "ok" or r.get("kind") not in ("page", "search"):
            continue
        if floor_p50:
            r["p50_x_floor"] = round(r["wall_ms"]["median"] / floor_p50, 2)
            if not r.get("after_change"):
                verdicts[f"floor:{key}"] = r["p50_x_floor"] <= FLOOR_P50_TARGET
        w = load.get(key, {})
        if floor_rps and w.get("rps"):
            w["pct_of_floor"] = round(w["rps"] / floor_rps, 3)
            verdicts[f"load_floor:{key}"] = w["pct_of_floor"] >= FLOOR_LOAD_TARGET
    return verdicts


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "—" if value is None else format(value, spec)


def table(report: dict) -> str:
    lines = [
        (
            f"{'measure':44} {'p50 ms':>8} {'p95 ms':>8} {'srv p95':>8} {'queries':>8} {'vs peer':>8}"
            f" {'x floor':>8}  ok"
        ),
        "-" * 101,
    ]
    for r in report["pages"].values():
        label = r["label"][:44]
        if r.get("status") != "ok":
            lines.append(f"{label:44} {r.get('status', '?'):>8}  {r.get('path') or ''}")
            continue
        q = r["queries"]
        queries = (
            "—" if not q else (str(q["max"]) if q["min"] == q["max"] else f"{q['min']}-{q['max']}")
        )
        ratio = r.get("p95_ratio_to_peer")
        ok = {True: "yes", False: "NO"}.get(r.get("meets_target"), "")
        if r.get("after_change"):
            ok = "info"
        lines.append(
            f"{label:44} {fmt(r['wall_ms']['median']):>8} {fmt(r['wall_ms']['p95']):>8} "
            f"{fmt(r['server_ms']['p95']):>8} {queries:>8} {fmt(ratio, '.2f'):>8} "
            f"{fmt(r.get('p50_x_floor'), '.2f'):>8}  {ok}"
        )
    if report.get("load"):
        lines += [
            "",
            (
                f"{'under load (wrk)':44} {'req/s':>8} {'latency':>8} {'vs healthz':>10} "
                f"{'vs admin':>8} {'% floor':>8}  ok"
            ),
            "-" * 99,
        ]
        for key, w in report["load"].items():
            ok = {True: "yes", False: "NO"}.get(w.get("meets_target"), "")
            lines.append(
                f"{key:44} {fmt(w.get('rps')):>8} {fmt(w.get('latency_ms')):>8} "
                f"{fmt(w.get('ratio_to_healthz'), '.1%'):>10} "
                f"{fmt(w.get('ratio_to_peer'), '.2f'):>8} "
                f"{fmt(w.get('pct_of_floor'), '.1%'):>8}  {ok}"
            )
    mem = report.get("memory", {})
    if mem:
        lines.append(
            f"\npeak worker RSS: {mem.get('max_peak_mib')} MiB (per worker: {mem.get('workers')})"
        )
    for name in ("brief", "imports"):
        ext = report.get(name, {})
        lines.append(
            f"{name}: {ext.get('status')} {json.dumps(ext.get('result') or ext.get('note', ''))[:300]}"
        )
    lines.append(f"\nall targets met: {report['verdict']['all_met']}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, shorter load")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--reps", type=int, help="timed requests per page (default 30, quick 8)")
    parser.add_argument(
        "--load-seconds", type=int, help="wrk duration per page (default 10, quick 4)"
    )
    parser.add_argument(
        "--skip-external", action="store_true", help="skip the brief and import figures"
    )
    parser.add_argument(
        "--skip-load", action="store_true", help="skip wrk (bench/growth.py: single requests)"
    )
    args = parser.parse_args(argv)
    reps = args.reps or (8 if args.quick else 30)
    warmup = 2
    load_seconds = args.load_seconds or (4 if args.quick else 10)
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)

    url = args.database_url or default_database_url(args.scale)
    env = bench_env(url)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    log(f"database {url}")
    ids = prepare_data(args.scale, env, log)
    counts = row_counts()
    log(f"rows: {counts}")
    server = Server(env, args.workers, RESULTS / f"gunicorn-{stamp}.log")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report: dict = {
        "started_at": stamp,
        "scale": args.scale,
        "quick": args.quick,
        "database": url,
        "rows": counts,
        "ids": ids,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "settings": {
            "workers": args.workers,
            "reps": reps,
            "warmup": warmup,
            "load_seconds": load_seconds,
        },
        "pages": {},
        "load": {},
    }
    try:
        log(f"gunicorn on 127.0.0.1:{server.port} ({args.workers} workers)")
        server.start()
        client = Client(server.port)
        client.login(BENCH_USER, BENCH_PASSWORD)
        plan = measures(ids)
        paths = {m.key: resolve(m) for m in plan}
        log(f"{len(plan)} measures, {warmup} + {reps} rounds, interleaved…")
        sampled = measure_interleaved(
            client, [(m, paths[m.key]) for m in plan if paths[m.key]], reps, warmup
        )
        report["pages"] = page_entries(plan, paths, sampled)
        for m in plan:
            entry = report["pages"][m.key]
            wall = entry.get("wall_ms", {}).get("p95") if entry.get("status") == "ok" else None
            log(
                f"{m.key:24} {entry['status']:8} p95 {fmt(wall)} ms  queries {entry.get('queries')}"
            )
        # The ceiling first, then the pages; after each run the workers finish what wrk
        # left queued before the next one starts.
        for m in sorted(plan, key=lambda m: m.kind != "ceiling"):
            entry = report["pages"][m.key]
            if m.load and entry.get("status") == "ok" and not args.skip_load:
                drain(server.port)
                cookies = {} if m.anonymous else client.cookies
                report["load"][m.key] = run_wrk(
                    server.port, entry["path"], cookies, load_seconds, 8
                )
                log(f"load {m.key:19} {fmt(report['load'][m.key]['rps'])} req/s")
        workers = worker_memory(server.pid)
        peaks = [w["peak_mib"] for w in workers.values() if w["peak_mib"] is not None]
        report["memory"] = {
            "workers": [w["peak_mib"] for w in workers.values()],
            "max_peak_mib": max(peaks, default=None),
        }
    finally:
        server.stop()
    if args.skip_external:
        report["brief"] = report["imports"] = {"status": "skipped"}
    else:
        for name in ("brief", "imports"):
            log(f"bench/{name}.py…")
            report[name] = external(name, quick=args.quick, env=env, timeout=900)
        # The import step wrote and rolled back tens of thousands of rows: vacuum now, so
        # that whatever reads this database next (a growth run, the next run's pages, a
        # server without autovacuum) does not scan their dead rows (issue 16).
        log("VACUUM ANALYZE after the import step…")
        vacuum(url)
    report["verdict"] = evaluate(report["pages"], report["load"])
    report["duration_s"] = round(time.monotonic() - started, 1)
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    (RESULTS / f"run-{stamp}.json").write_text(text)
    (RESULTS / "latest.json").write_text(text)
    print()
    print(table(report))
    print(f"\nwritten: bench/results/run-{stamp}.json and bench/results/latest.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
