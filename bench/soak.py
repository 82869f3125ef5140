"""Soak test: editors writing and viewers reading at once, for a bounded time.

    .venv/bin/python bench/soak.py [--seconds 60] [--workers 3] [--editors 4] [--viewers 8]

Prepares a fresh PostgreSQL database (``sc_soak``: migrate, the demo data, one
account per simulated person), starts the app under gunicorn as production
would (DEBUG off, several sync workers, behind-a-proxy HTTPS headers, loopback
only) and runs, for ``--seconds``:

* editors, each with their own session: open the new-action-item form, submit
  it (CSRF token and all, as a browser would), open the new item and add a
  progress note through its status form, every other time as an htmx request;
* viewers: read the dashboard, the lists, the search and detail pages;
* background jobs (issue 17; ``--job-editors``, 1 by default, 0 to leave them out):
  an editor of their own asks, in turn, for the PDF brief of a visit and uploads an
  agreement sheet of ``--import-rows`` rows (3,000: more than ``IMPORT_BACKGROUND_ROWS``,
  so its reading and checking, a full dry run of the import, is a job), through the
  pages as a browser would; the jobs app's worker (``scripts/worker.sh``) runs them
  beside gunicorn, on the same two cores;
* a login-page probe: the sign-in page requested without a session every half second,
  its p95 reported against the target (under 1 s while all of the above runs).

Afterwards it checks: no 5xx and no unexpected status (every answer is recorded),
every item and every note an editor was told was saved is in the database, and
the workers' resident memory (VmRSS from /proc, sampled after a warm-up and at
the end) stayed flat, the login page's p95 stayed under ``LOGIN_P95_TARGET_MS``, and
no background job failed (those still waiting or running at the end are counted). Prints a summary, writes bench/results/soak-<time>.json
and the "Last result" of bench/SOAK.md; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.client import HTTPResponse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402  (the benchmark's loopback client and server)
    Client,
    Server,
    ensure_database,
    manage,
    worker_memory,
)

RESULTS = ROOT / "bench" / "results"
REPORT = ROOT / "bench" / "SOAK.md"
PASSWORD = "soak-password-2025"  # noqa: S105 (loopback-only throwaway database)
# Memory counts as flat when no worker grew by more than this after warm-up.
FLAT_MIB = 16.0
# Issue 17: signing in stays quick while the worker renders briefs and reads imports.
LOGIN_P95_TARGET_MS = 1000.0
LOGIN_PROBE_INTERVAL_S = 0.5
READ_PAGES = [
    "/",
    "/partners/",
    "/agreements/",
    "/visits/",
    "/actions/",
    "/people/",
    "/organisations/",
    "/search/?q=h%C3%A0+n%E1%BB%99i",
    "/actions/?status=agreed",
]


# ---------------------------------------------------------------------------
# Forms as a browser submits them.


class FormParser(HTMLParser):
    """The forms of a page: action, method and the values a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": {},
                "names": set(),
            }
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            self._form["names"].add(name)
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["fields"].setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._form["names"].add(name)
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = a.get("value")
            self._option = value
            if self._select_first is None:
                self._select_first = value or ""
            if "selected" in a:
                self._form["fields"].setdefault(self._select, []).append(value or "")
        elif tag == "textarea" and name:
            self._form["names"].add(name)
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "select" and self._select:
            if self._select not in self._form["fields"] and self._select_first is not None:
                self._form["fields"][self._select] = [self._select_first]
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._form["fields"][self._textarea] = ["".join(self._text).lstrip("\n")]
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_with(html: bytes, field_name: str) -> dict:
    parser = FormParser()
    parser.feed(html.decode("utf-8", "replace"))
    for form in parser.forms:
        if form["method"] == "post" and field_name in form["names"]:
            return form
    raise LookupError(f"no POST form with a field {field_name!r}")


# ---------------------------------------------------------------------------
# The simulated people.


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    items: list[tuple[str, int]] = field(default_factory=list)  # (description, pk)
    notes: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    login_latencies: list[float] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)  # job page paths, as redirected to
    jobs_refused: int = 0  # 429: the person already had JOBS_PER_USER going
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, label: str, status: int, elapsed: float, expected: tuple[int, ...]) -> None:
        with self.lock:
            self.statuses[f"{status // 100}xx"] += 1
            self.latencies.append(elapsed)
            if status not in expected:
                self.errors.append(f"{label}: HTTP {status}")


# A request as ``Client.request`` takes it: method, path, form data, headers.
type Request = tuple[str, str, dict[str, Any] | None, dict[str, str] | None]
# What came back: the response (None when the connection failed) and its body.
type Answer = tuple[HTTPResponse | None, bytes]


@dataclass
class Session:
    """One simulated person's signed-in client, and the run's shared tally."""

    client: Client
    tally: Tally

    def get(self, label: str, path: str) -> Answer:
        return self.send(label, ("GET", path, None, None), expected=(200,))

    def post(
        self,
        label: str,
        path: str,
        body: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
        expected: tuple[int, ...],
    ) -> Answer:
        return self.send(label, ("POST", path, body, headers), expected=expected)

    def send(self, label: str, request: Request, *, expected: tuple[int, ...]) -> Answer:
        """Send ``request`` and record its status (``expected`` ones count as success)."""
        try:
            response, content, elapsed = self.client.request(*request)
        except OSError as error:
            with self.tally.lock:
                self.tally.statuses["connection error"] += 1
                self.tally.errors.append(f"{label}: {error!r}")
            return None, b""
        self.tally.record(label, response.status, elapsed, expected)
        return response, content


def editor_loop(
    session: Session, name: str, run: str, pairs: list[tuple[int, int]], stop: threading.Event
) -> None:
    tally = session.tally
    n = 0
    while not stop.is_set():
        n += 1
        partnership, visit = random.choice(pairs)
        new = f"/actions/new/?partnership={partnership}&visit={visit}"
        _r, page = session.get("GET new item", new)
        if not page:
            continue
        form = form_with(page, "description")
        data = dict(form["fields"])
        description = f"soak {run} {name} item {n}"
        data["description"] = [description]
        action = form["action"] or new
        response, _c = session.post("POST new item", action, data, expected=(302, 303))
        if response is None or response.status not in (302, 303):
            continue
        location = urllib.parse.urlsplit(response.getheader("Location") or "").path
        match = re.match(r"^/actions/(\d+)/$", location)
        if not match:
            with tally.lock:
                tally.errors.append(f"POST new item: redirected to {location!r}")
            continue
        pk = int(match[1])
        with tally.lock:
            tally.items.append((description, pk))

        _r, page = session.get("GET item", location)
        if not page:
            continue
        status_form = form_with(page, f"item{pk}-note")
        data = dict(status_form["fields"])
        note = f"soak {run} {name} note {n}"
        data[f"item{pk}-note"] = [note]
        htmx = n % 2 == 0
        headers = {"HX-Request": "true", "HX-Current-URL": location} if htmx else None
        response, _c = session.post(
            "POST note (htmx)" if htmx else "POST note",
            status_form["action"] or f"/actions/{pk}/status/",
            data,
            headers=headers,
            expected=(200,) if htmx else (302, 303),
        )
        if response is not None and response.status in (200, 302, 303):
            with tally.lock:
                tally.notes.append(note)


def multipart(
    fields: dict[str, list[str]], name: str, file_name: str, data: bytes
) -> tuple[bytes, str]:
    """A form with one file, encoded as a browser sends it: (body, content type)."""
    boundary = f"soak{random.getrandbits(64):016x}"
    out = io.BytesIO()
    for key, values in fields.items():
        for value in values:
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode()
            )
            out.write(f"{value}\r\n".encode())
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{file_name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
    )
    out.write(data + b"\r\n" + f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def upload(session: Session, path: str, fields: dict, file_name: str, data: bytes) -> Answer:
    """POST ``fields`` and a file to ``path`` with the session's cookies (and CSRF)."""
    client = session.client
    body, content_type = multipart(fields, "file", file_name, data)
    headers = client.headers(
        {
            "Content-Type": content_type,
            "Origin": client.origin,
            "Referer": client.origin + path,
            "X-CSRFToken": client.cookies.get("csrftoken", ""),
        }
    )
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=client.timeout)
    started = time.perf_counter()
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
    except OSError as error:
        with session.tally.lock:
            session.tally.statuses["connection error"] += 1
            session.tally.errors.append(f"POST import: {error!r}")
        return None, b""
    finally:
        conn.close()
    session.tally.record(
        "POST import", response.status, (time.perf_counter() - started) * 1000, (302, 303, 429)
    )
    return response, content


def import_sheet(rows: int) -> bytes:
    """An agreement sheet of ``rows`` rows, as bench/imports.py generates it (csv)."""
    from bench.imports import generate

    sheet = generate(rows, "Hà Nội", seed=random.randrange(1_000_000))
    lines = [",".join(sheet[0])]
    lines += [
        ",".join('"' + str(v).replace('"', '""') + '"' for v in row.values()) for row in sheet
    ]
    return ("\n".join(lines) + "\n").encode()


def jobs_loop(session: Session, visits: list[int], sheet: bytes, stop: threading.Event) -> None:
    """Ask in turn for a visit's brief and for the reading of a big sheet (both jobs)."""
    tally = session.tally
    n = 0
    while not stop.is_set():
        n += 1
        if n % 2:
            path = f"/visits/{random.choice(visits)}/brief/"
            _r, page = session.get("GET brief form", path)
            if not page:
                continue
            form = form_with(page, "lang")
            response, _c = session.post(
                "POST brief", form["action"] or path, dict(form["fields"]), expected=(302, 303, 429)
            )
        else:
            path = "/agreements/import/"
            _r, page = session.get("GET import form", path)
            if not page:
                continue
            form = form_with(page, "header_row")
            fields = {k: v for k, v in form["fields"].items() if k != "file"}
            response, _c = upload(session, form["action"] or path, fields, f"soak-{n}.csv", sheet)
        if response is None:
            continue
        with tally.lock:
            if response.status == 429:
                tally.jobs_refused += 1
            elif response.status in (302, 303):
                tally.jobs.append(urllib.parse.urlsplit(response.getheader("Location") or "").path)
        stop.wait(5)  # a person asks for a brief or an import now and then, not nonstop


def login_probe(client: Client, tally: Tally, stop: threading.Event) -> None:
    """The sign-in page, without a session, every LOGIN_PROBE_INTERVAL_S seconds."""
    while not stop.is_set():
        try:
            response, _c, elapsed = client.request("GET", "/accounts/login/")
        except OSError as error:
            with tally.lock:
                tally.errors.append(f"GET login: {error!r}")
        else:
            tally.record("GET login", response.status, elapsed, (200,))
            with tally.lock:
                tally.login_latencies.append(elapsed)
        client.cookies.clear()  # stays anonymous
        stop.wait(LOGIN_PROBE_INTERVAL_S)


def start_worker(env: dict, log_path: Path) -> subprocess.Popen[bytes]:
    """The jobs app's worker (scripts/worker.sh) in its own session, as deployed."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            ["/bin/sh", str(ROOT / "scripts" / "worker.sh")],
            cwd=ROOT,
            env={**os.environ, **env, "PYTHON": sys.executable},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """SIGTERM lets the job in hand finish; after a minute the group is killed."""
    if worker.poll() is not None:
        return
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def job_outcomes(env: dict, paths: list[str]) -> Counter:
    """How the jobs asked for ended, by status (from the jobs table)."""
    import psycopg

    ids = [m[1] for p in paths if (m := re.search(r"/jobs/([0-9a-f-]+)/", p))]
    if not ids:
        return Counter()
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT status, COUNT(*) FROM jobs_job WHERE id::text = ANY(%s) GROUP BY status", [ids]
        ).fetchall()
    return Counter(dict(rows))


def viewer_loop(session: Session, details: list[str], stop: threading.Event) -> None:
    pages = READ_PAGES + details
    while not stop.is_set():
        path = random.choice(pages)
        session.get(f"GET {path.split('?', maxsplit=1)[0]}", path)


# ---------------------------------------------------------------------------


def prepare(
    env: dict, editors: int, viewers: int, log: Callable[[str], None], job_editors: int = 0
) -> dict:
    ensure_database(env["DATABASE_URL"])
    log("migrate, demo data, accounts…")
    manage("migrate", "--noinput", env=env, timeout=600)
    manage("seed_demo", "--password", PASSWORD, env=env, timeout=300)
    manage("collectstatic", "--noinput", env=env, timeout=300)
    script = f"""
from django.contrib.auth import get_user_model
from common.roles import ensure_roles
groups = ensure_roles()
User = get_user_model()
for role, count in (("editor", {editors} + {job_editors}), ("viewer", {viewers})):
    for n in range(count):
        user, _ = User.objects.get_or_create(username=f"soak-{{role}}-{{n}}")
        user.set_password("{PASSWORD}")
        user.save()
        user.groups.set([groups[role]])
"""
    manage("shell", "-c", script, env=env, timeout=120)
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        pairs = conn.execute("SELECT partnership_id, id FROM delegations_visit").fetchall()
        details = [
            f"/partners/{pk}/" for (pk,) in conn.execute("SELECT id FROM partnerships_partnership")
        ]
        details += [f"/visits/{pk}/" for (pk,) in conn.execute("SELECT id FROM delegations_visit")]
        details += [
            f"/agreements/{pk}/" for (pk,) in conn.execute("SELECT id FROM agreements_agreement")
        ]
        details += [
            f"/actions/{pk}/"
            for (pk,) in conn.execute("SELECT id FROM delegations_actionitem LIMIT 10")
        ]
    return {"pairs": pairs, "details": details, "visits": [v for _p, v in pairs]}


def written(env: dict, run: str) -> tuple[dict[str, int], set[str]]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        items: dict[str, int] = dict(
            conn.execute(
                "SELECT description, id FROM delegations_actionitem WHERE description LIKE %s",
                [f"soak {run} %"],
            ).fetchall()
        )
        notes = {
            note
            for (note,) in conn.execute(
                "SELECT note FROM delegations_progressupdate WHERE note LIKE %s", [f"soak {run} %"]
            )
        }
    return items, notes


def rss(server: Server) -> dict[int, float]:
    return {pid: w["rss_mib"] for pid, w in worker_memory(server.pid).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--warmup", type=int, default=10, help="seconds of load before the first memory sample"
    )
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--editors", type=int, default=4)
    parser.add_argument("--viewers", type=int, default=8)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sc_soak"),
    )
    parser.add_argument(
        "--job-editors", type=int, default=1, help="editors asking for briefs and imports (jobs)"
    )
    parser.add_argument("--import-rows", type=int, default=3000)
    parser.add_argument("--no-report", action="store_true", help="do not rewrite bench/SOAK.md")
    args = parser.parse_args(argv)
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)

    static_root = tempfile.mkdtemp(prefix="soak-static-")
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "SECRET_KEY": "soak-only-secret-key-not-for-production-" + "x" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_PROXY": "1",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    run = stamp.lower()
    data = prepare(env, args.editors, args.viewers, log, job_editors=args.job_editors)
    # The worker first: it checks the migrations and tidies the jobs before it runs any,
    # which takes a while on a busy machine; gunicorn starts meanwhile.
    worker = start_worker(env, RESULTS / f"soak-worker-{stamp}.log") if args.job_editors else None
    server = Server(env, args.workers, RESULTS / f"soak-gunicorn-{stamp}.log")
    try:
        server.start()
        log(f"gunicorn on 127.0.0.1:{server.port} ({args.workers} workers)")
        sheet = import_sheet(args.import_rows) if args.job_editors else b""
        tally = Tally()
        people = []
        for role, count in (("editor", args.editors), ("viewer", args.viewers)):
            for n in range(count):
                client = Client(server.port)
                client.login(f"soak-{role}-{n}", PASSWORD)
                people.append((role, f"{role}{n}", client))
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=editor_loop if role == "editor" else viewer_loop,
                args=(Session(client, tally), name, run, data["pairs"], stop)
                if role == "editor"
                else (Session(client, tally), data["details"], stop),
                daemon=True,
            )
            for role, name, client in people
        ]
        for n in range(args.job_editors):
            client = Client(server.port)
            client.login(f"soak-editor-{args.editors + n}", PASSWORD)
            threads.append(
                threading.Thread(
                    target=jobs_loop,
                    args=(Session(client, tally), data["visits"], sheet, stop),
                    daemon=True,
                )
            )
        threads.append(
            threading.Thread(
                target=login_probe, args=(Client(server.port), tally, stop), daemon=True
            )
        )
        for thread in threads:
            thread.start()
        time.sleep(args.warmup)
        memory_start = rss(server)
        requests_at_start = sum(tally.statuses.values())
        log(f"warmed up; worker RSS {memory_start} MiB; soaking {args.seconds} s…")
        samples = []
        for _ in range(max(1, args.seconds // 10)):
            time.sleep(min(10, args.seconds))
            samples.append(rss(server))
        stop.set()
        for thread in threads:
            thread.join(timeout=130)
        memory_end = rss(server)
    finally:
        server.stop()
        if worker is not None:
            stop_worker(worker)

    items, notes = written(env, run)
    missing_items = [d for d, pk in tally.items if items.get(d) != pk]
    missing_notes = sorted(set(tally.notes) - notes)
    growth = {pid: round(memory_end.get(pid, 0) - mib, 1) for pid, mib in memory_start.items()}
    replaced = sorted(set(memory_end) ^ set(memory_start))
    total = sum(tally.statuses.values())
    elapsed = args.seconds + args.warmup
    lat = sorted(tally.latencies)
    login = sorted(tally.login_latencies)
    login_p95 = round(login[int(len(login) * 0.95)], 1) if login else None
    jobs = job_outcomes(env, tally.jobs)
    checks = {
        "no errors (5xx, unexpected status, connection)": not tally.errors,
        "every saved item is in the database": not missing_items and bool(tally.items),
        "every saved note is in the database": not missing_notes and bool(tally.notes),
        f"worker memory flat (growth ≤ {FLAT_MIB:g} MiB, no worker replaced)": (
            not replaced and all(g <= FLAT_MIB for g in growth.values())
        ),
        f"login page p95 under {LOGIN_P95_TARGET_MS:g} ms": (
            login_p95 is not None and login_p95 < LOGIN_P95_TARGET_MS
        ),
    }
    if args.job_editors:
        checks["background jobs were asked for and none failed"] = bool(
            tally.jobs
        ) and not jobs.get("failed", 0)
    report = {
        "started_at": stamp,
        "settings": {
            "seconds": args.seconds,
            "warmup": args.warmup,
            "workers": args.workers,
            "editors": args.editors,
            "viewers": args.viewers,
            "cpus": os.cpu_count(),
        },
        "requests": total,
        "requests_after_warmup": total - requests_at_start,
        "requests_per_second": round(total / elapsed, 1),
        "statuses": dict(tally.statuses),
        "latency_ms": {
            "p50": round(lat[len(lat) // 2], 1) if lat else None,
            "p95": round(lat[int(len(lat) * 0.95)], 1) if lat else None,
            "max": round(lat[-1], 1) if lat else None,
        },
        "login_ms": {
            "p50": round(login[len(login) // 2], 1) if login else None,
            "p95": login_p95,
            "max": round(login[-1], 1) if login else None,
            "n": len(login),
            "target_p95": LOGIN_P95_TARGET_MS,
        },
        "jobs": {
            "asked": len(tally.jobs),
            "refused_429": tally.jobs_refused,
            "by_status": dict(jobs),
            "import_rows": args.import_rows,
        },
        "items_saved": len(tally.items),
        "notes_saved": len(tally.notes),
        "missing_items": missing_items[:20],
        "missing_notes": missing_notes[:20],
        "errors": Counter(tally.errors).most_common(20),
        "memory_mib": {
            "after_warmup": memory_start,
            "samples": samples,
            "end": memory_end,
            "growth": growth,
        },
        "checks": checks,
        "passed": all(checks.values()),
    }
    (RESULTS / f"soak-{stamp}.json").write_text(json.dumps(report, indent=2, default=str))
    summary = render(report)
    print(summary)
    if not args.no_report:
        write_report(summary)
    return 0 if report["passed"] else 1


def render(report: dict) -> str:
    s, mem = report["settings"], report["memory_mib"]
    lines = [
        (
            f"Run {report['started_at']} on {s['cpus']} CPUs: gunicorn {s['workers']} sync workers, "
            f"{s['editors']} editors and {s['viewers']} viewers for {s['seconds']} s after a "
            f"{s['warmup']} s warm-up."
        ),
        "",
        (
            f"- Login page (no session, every {LOGIN_PROBE_INTERVAL_S:g} s): p50 "
            f"{report['login_ms']['p50']} ms, p95 {report['login_ms']['p95']} ms "
            f"(target < {LOGIN_P95_TARGET_MS:g} ms), max {report['login_ms']['max']} ms."
        ),
        (
            f"- Background jobs: {report['jobs']['asked']} asked for (briefs and "
            f"{report['jobs']['import_rows']:,}-row imports in turn), {report['jobs']['refused_429']} "
            f"refused (per-person limit); by status at the end {report['jobs']['by_status']}."
        ),
        (
            f"- Requests: {report['requests']} ({report['requests_per_second']}/s); statuses "
            f"{report['statuses']}; latency p50 {report['latency_ms']['p50']} ms, "
            f"p95 {report['latency_ms']['p95']} ms, max {report['latency_ms']['max']} ms."
        ),
        (
            f"- Writes: {report['items_saved']} action items and {report['notes_saved']} progress "
            f"notes saved (half of the notes through htmx); missing from the database: "
            f"{len(report['missing_items'])} items, {len(report['missing_notes'])} notes."
        ),
        (
            f"- Worker RSS after warm-up {sorted(mem['after_warmup'].values())} MiB, at the end "
            f"{sorted(mem['end'].values())} MiB; growth per worker {sorted(mem['growth'].values())} MiB."
        ),
        f"- Errors: {report['errors'] or 'none'}.",
        "",
    ]
    lines += [f"- [{'x' if ok else ' '}] {name}" for name, ok in report["checks"].items()]
    lines += ["", f"**{'PASSED' if report['passed'] else 'FAILED'}**"]
    return "\n".join(lines)


def write_report(summary: str) -> None:
    marker = "## Last result"
    text = REPORT.read_text() if REPORT.exists() else ""
    head = text.split(marker)[0].rstrip() if marker in text else text.rstrip()
    REPORT.write_text(f"{head}\n\n{marker}\n\n{summary}\n")


if __name__ == "__main__":
    sys.exit(main())
