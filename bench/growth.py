"""Benchmark: does a page's cost stay flat as the archive grows? (issue 16)

    .venv/bin/python bench/growth.py                      # scales 0.25, 1 and 4
    .venv/bin/python bench/growth.py --scales 0.25 1 --reps 15

Runs ``bench/run.py --scale S --skip-external --skip-load`` once per scale, each on its
own database (``sc_bench_0_25``, ``sc_bench``, ``sc_bench_4``: built by ``seed_bulk``
the first time, reused after), and reads each run's ``bench/results/latest.json``. Every
page's single-request p50 is then put side by side, with the ratio of the largest scale
to the smallest. The target: that ratio at most ``GROWTH_TARGET`` (1.25) for every page,
the dashboard after a change included (its ``after_change`` measures). Admin peers are
listed for context (the Django admin counts every row; it is not a target).

Output: a table on stdout and ``bench/results/growth-<timestamp>.json``. Duration: the
three runs (about 4 minutes each on 2 quiet cores) plus, the first time, building the
databases (scale 4: about 10 minutes and 3 GB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
GROWTH_TARGET = 1.25
DEFAULT_SCALES = (0.25, 1.0, 4.0)


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
    # The machine's own drift between the scales' runs (they run one after the other):
    # the logged-in floor does the same work at every scale, so its ratio is the drift.
    # Each ratio over it is shown beside (for reading a run; the target is on the p50s).
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
        "logged-in floor's (the machine's drift between the runs), for reading only"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=list(DEFAULT_SCALES))
    parser.add_argument("--reps", type=int, default=20, help="timed requests per page and scale")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args(argv)
    started = time.monotonic()
    runs = {scale: run_scale(scale, args.reps, args.workers) for scale in args.scales}
    result = growth(runs)
    result["duration_s"] = round(time.monotonic() - started, 1)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"growth-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print()
    print(table(result))
    print(f"\nwritten: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
