"""Benchmark: does a page's cost stay flat as the archive grows? (issue 16)

    .venv/bin/python bench/growth.py                      # scales 0.25, 1 and 4
    .venv/bin/python bench/growth.py --scales 0.25 1 --reps 15
    .venv/bin/python bench/growth.py --sequential         # one run.py per scale, as before

Each scale has its own database (``sc_bench_0_25``, ``sc_bench``, ``sc_bench_4``: built by
``seed_bulk`` the first time, reused after). One process prepares them as bench/run.py
does (migrate, seed, VACUUM ANALYZE; collectstatic once), starts one gunicorn per scale
(each on its database, with a cache directory of its own: cache keys do not name the
database), logs in to each, and then measures the scales interleaved: round ``i``
requests every measure of bench/run.py in turn, each once at every scale, one request at
a time, the scales' order rotated each round (``round_order``). The machine's drift (the
logged-in floor, the same work at every scale, moved ×0.88 and ×1.28 between the scales
when they ran one after the other) then lands on every scale alike and cancels in the
ratio.

Every page's single-request p50 is put side by side, with the ratio of the largest scale
to the smallest. The target: that ratio at most ``GROWTH_TARGET`` (1.25) for every page,
the dashboard after a change included (its ``after_change`` measures). Admin peers are
listed for context (the Django admin counts every row; it is not a target).

Output: a table on stdout and ``bench/results/growth-<timestamp>.json`` (with each
scale's full figures: p95, queries, sizes). Duration: about 5 minutes for three scales
and 20 rounds on 2 quiet cores, plus, the first time, building the databases (scale 4:
about 10 minutes and 3 GB). ``--sequential`` runs ``bench/run.py --scale S
--skip-external --skip-load`` once per scale instead (the earlier growth runs' method,
kept to compare with them).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402  (the benchmark's measures, client, server and set-up)
    BENCH_PASSWORD,
    BENCH_USER,
    Client,
    PageSampler,
    Server,
    bench_env,
    collect_static,
    default_database_url,
    measures,
    page_entries,
    pick_ids,
    prepare_database,
    resolve,
    row_counts,
    setup_django,
)

RESULTS = ROOT / "bench" / "results"
GROWTH_TARGET = 1.25
DEFAULT_SCALES = (0.25, 1.0, 4.0)
WARMUP_ROUNDS = 2
# One worker per scale: requests go one at a time, and three servers share two cores.
INTERLEAVED_WORKERS = 1
SEQUENTIAL_WORKERS = 3
DATABASE_KEYS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


# ---------------------------------------------------------------------------
# Interleaved: every scale's server up at once, one request at a time.


def round_order(scales: Sequence[float], i: int) -> list[float]:
    """The scales' order in round ``i``: rotated by one each round, so that each scale is
    first (and last) in as many rounds as the others."""
    k = i % len(scales)
    return [*scales[k:], *scales[:k]]


def schedule(
    keys: Sequence[str], scales: Sequence[float], rounds: int
) -> Iterator[tuple[int, str, float]]:
    """``(round, measure, scale)`` in the order requested: each round requests every
    measure in turn, each once at every scale (in ``round_order``), so that a measure's
    requests at the different scales follow one another."""
    for i in range(rounds):
        order = round_order(scales, i)
        for key in keys:
            for scale in order:
                yield i, key, scale


def scale_alias(scale: float) -> str:
    """This process's name for the database of ``scale`` (``scale_0_25``)."""
    return "scale_" + f"{scale:g}".replace(".", "_").replace("-", "_")


def database_settings(default: dict, parsed: Mapping[str, object]) -> dict:
    """The default database's settings (engine, options, Django's defaults) for the
    database ``parsed`` (``dj_database_url.parse``) names."""
    return {**copy.deepcopy(default), **{key: parsed[key] for key in DATABASE_KEYS}}


def add_databases(urls: dict[str, str]) -> None:
    """One alias per scale's database in this (already set-up) Django process."""
    import dj_database_url
    from django.db import connections

    default = connections.settings["default"]
    for alias, url in urls.items():
        connections.settings[alias] = database_settings(default, dj_database_url.parse(url))


def interleaved(
    scales: Sequence[float], reps: int, workers: int, stamp: str, log: Callable[[str], None]
) -> dict[float, dict]:
    """Each scale's ids, rows and pages (run.py's entries), measured interleaved."""
    envs = {scale: bench_env(default_database_url(scale)) for scale in scales}
    for scale in scales:
        log(f"scale {scale:g}: database {envs[scale]['DATABASE_URL']}")
        prepare_database(scale, envs[scale], log)
    collect_static(envs[scales[0]], log)
    setup_django(envs[scales[0]])
    aliases = {scale: scale_alias(scale) for scale in scales}
    add_databases({aliases[s]: envs[s]["DATABASE_URL"] for s in scales})
    runs: dict[float, dict] = {}
    for scale in scales:
        runs[scale] = {"ids": pick_ids(aliases[scale]), "rows": row_counts(aliases[scale])}
        log(f"scale {scale:g}: rows {runs[scale]['rows']}")
    servers = {
        scale: Server(
            envs[scale], workers, RESULTS / f"gunicorn-growth-{stamp}-{aliases[scale]}.log"
        )
        for scale in scales
    }
    try:
        samplers: dict[float, dict[str, PageSampler]] = {}
        plans, paths = {}, {}
        for scale, server in servers.items():
            server.start()
            log(f"scale {scale:g}: gunicorn on 127.0.0.1:{server.port} ({workers} workers)")
            client = Client(server.port)
            client.login(BENCH_USER, BENCH_PASSWORD)
            plans[scale] = measures(runs[scale]["ids"])
            paths[scale] = {m.key: resolve(m) for m in plans[scale]}
            samplers[scale] = {
                m.key: PageSampler(client, m, path, aliases[scale])
                for m in plans[scale]
                if (path := paths[scale][m.key])
            }
        keys = [m.key for m in plans[scales[0]]]  # the same measures at every scale
        rounds = WARMUP_ROUNDS + reps
        log(f"{len(keys)} measures × {len(scales)} scales, {WARMUP_ROUNDS} + {reps} rounds…")
        announced = -1
        for i, key, scale in schedule(keys, scales, rounds):
            if i != announced and i % 5 == 0:
                log(f"round {i + 1} of {rounds}")
                announced = i
            if sampler := samplers[scale].get(key):
                sampler.step(timed=i >= WARMUP_ROUNDS)
        for scale in scales:
            sampled = {key: sampler.result() for key, sampler in samplers[scale].items()}
            runs[scale]["pages"] = page_entries(plans[scale], paths[scale], sampled)
    finally:
        for server in servers.values():
            server.stop()
    return runs


# ---------------------------------------------------------------------------
# Sequential: bench/run.py once per scale (the drift between the runs stays in).


def run_scale(scale: float, reps: int, workers: int) -> dict:
    command = [
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        "--scale",
        f"{scale:g}",
        "--skip-external",
        "--skip-load",
        "--reps",
        str(reps),
        "--workers",
        str(workers),
    ]
    print(f"== {' '.join(command[1:])}", flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    return json.loads((RESULTS / "latest.json").read_text())


# ---------------------------------------------------------------------------
# Report.


def growth(runs: dict[float, dict]) -> dict:
    """Per page: p50 at each scale, and the ratio of the largest scale to the smallest."""
    scales = sorted(runs)
    small, large = scales[0], scales[-1]
    pages: dict[str, dict] = {}
    for key, entry in runs[small]["pages"].items():
        p50s = {}
        for scale in scales:
            other = runs[scale]["pages"].get(key, {})
            if other.get("status") == "ok":
                p50s[f"{scale:g}"] = other["wall_ms"]["median"]
        row: dict = {"label": entry.get("label", key), "kind": entry.get("kind"), "p50_ms": p50s}
        first, last = p50s.get(f"{small:g}"), p50s.get(f"{large:g}")
        if first and last:
            row["ratio"] = round(last / first, 2)
            if entry.get("kind") in ("page", "search"):
                row["meets_target"] = row["ratio"] <= GROWTH_TARGET
        pages[key] = row
    # The machine's own drift between the scales: the logged-in floor does the same work
    # at every scale, so its ratio is the drift (about 1 when the scales are interleaved;
    # anything from 0.88 to 1.28 when they ran one after the other). Each ratio over it is
    # shown beside (for reading a run; the target is on the p50s).
    drift = pages.get("floor", {}).get("ratio")
    if drift:
        for row in pages.values():
            if "ratio" in row:
                row["ratio_over_floor"] = round(row["ratio"] / drift, 2)
    judged = [r["meets_target"] for r in pages.values() if "meets_target" in r]
    return {
        "scales": [f"{s:g}" for s in scales],
        "target_ratio": GROWTH_TARGET,
        "pages": pages,
        "all_met": bool(judged) and all(judged),
        "rows": {f"{s:g}": runs[s].get("rows") for s in scales},
    }


def table(result: dict) -> str:
    scales = result["scales"]
    head = f"{'page':48}" + "".join(f"{'p50 @' + s:>11}" for s in scales)
    head += f"{'ratio':>8}{'÷ floor':>9}  met"
    lines = [head, "-" * len(head)]
    for key, row in result["pages"].items():
        cells = "".join(
            f"{row['p50_ms'][s]:>11.1f}" if s in row["p50_ms"] else f"{'—':>11}" for s in scales
        )
        ratio = f"{row['ratio']:>8.2f}" if "ratio" in row else f"{'—':>8}"
        over = row.get("ratio_over_floor")
        over_floor = f"{over:>9.2f}" if over is not None else f"{'—':>9}"
        met = {True: "yes", False: "NO"}.get(row.get("meets_target"), "")
        lines.append(f"{key[:48]:48}{cells}{ratio}{over_floor}  {met}")
    lines.append(
        f"ratio = p50 at scale {scales[-1]} / p50 at scale {scales[0]}; target ≤ "
        f"{result['target_ratio']} for every page (admin peers: context only). "
        f"All met: {'yes' if result['all_met'] else 'NO'}. ÷ floor: the ratio over the "
        "logged-in floor's (the machine's drift between the scales), for reading only"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=list(DEFAULT_SCALES))
    parser.add_argument("--reps", type=int, default=20, help="timed requests per page and scale")
    parser.add_argument(
        "--workers",
        type=int,
        help=f"gunicorn workers per scale (default {INTERLEAVED_WORKERS}; "
        f"{SEQUENTIAL_WORKERS} with --sequential)",
    )
    parser.add_argument(
        "--sequential",
        action="store_true",
        help="one bench/run.py per scale, one after the other (the earlier method)",
    )
    args = parser.parse_args(argv)
    scales = sorted(set(args.scales))
    started = time.monotonic()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)

    if args.sequential:
        workers = args.workers or SEQUENTIAL_WORKERS
        runs = {scale: run_scale(scale, args.reps, workers) for scale in scales}
    else:
        workers = args.workers or INTERLEAVED_WORKERS
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        runs = interleaved(scales, args.reps, workers, stamp, log)
    result = growth(runs)
    result["mode"] = "sequential" if args.sequential else "interleaved"
    result["settings"] = {"reps": args.reps, "warmup": WARMUP_ROUNDS, "workers": workers}
    result["started_at"] = stamp
    result["duration_s"] = round(time.monotonic() - started, 1)
    if not args.sequential:
        result["runs"] = {f"{s:g}": runs[s] for s in scales}
    path = RESULTS / f"growth-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print()
    print(table(result))
    print(f"\nwritten: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
