"""Benchmark: the building blocks in common/ (gazetteer, collation, country search, maps).

    python3 -m uv run python bench/building_blocks.py

No database needed. Prints a table and writes bench/results/building_blocks.json:

* gazetteer: build time and memory (tracemalloc: what the built index keeps, and the
  peak while GeoNames' JSON is parsed), objects it adds to the garbage collector's
  full passes, exact lookups (µs) and near misses (ms);
* collation: sorting 10,000 Vietnamese names with ``sort_key`` (cold and cached);
* countries: ``codes_matching`` exact and partial;
* maps: ``render_world_map`` and ``render_locator_map`` time and bytes;
* charts: ``render_svg`` and ``render_png`` of a five-year, three-series bar chart;
* word: ``build_docx`` of a ten-page administrative document (cover, contents, headings,
  paragraphs in four scripts, a 200-row table, a chart picture), time and bytes.

Targets (issue 12/13/15 building blocks): exact lookup < 100 µs, near miss < 10 ms,
world map < 60 KB, locator < 15 KB; a chart < 8 KB (SVG) and 30 KB (PNG); a Word
document in well under the brief's 1 s.
"""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from common.charts import Chart
    from common.word import Block, Run

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

QUERIES_EXACT = ["Seoul", "Xơ-un", "서울", "Mát-xcơ-va", "TP. Hồ Chí Minh", "Viêng Chăn"]
QUERIES_NEAR = ["Seol", "Minks", "Vieng Chang", "Bangcok", "Lodon", "Qzxwvut"]


def _timed(work: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def _p95(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.95)]


def gazetteer_figures() -> dict[str, float]:
    from common.cities.gazetteer import build_gazetteer

    gc.collect()
    tracked = len(gc.get_objects())
    started = time.perf_counter()
    places = build_gazetteer()
    build_s = time.perf_counter() - started
    gc.collect()
    gc.collect()  # the second pass untracks the tuples the first one saw
    tracked_added = len(gc.get_objects()) - tracked
    index = places.index
    exact = [t for q in QUERIES_EXACT for t in _timed(partial(index.exact, q), 200)]
    near = [t for q in QUERIES_NEAR for t in _timed(partial(index.near, q), 10)]
    del places
    gc.collect()
    # Memory on a second build: tracemalloc slows the build several times over.
    tracemalloc.start()
    places = build_gazetteer()
    gc.collect()
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "cities": len(places),
        "keys": len(places.index),
        "near_candidates": places.index.near_candidates,
        "build_s": round(build_s, 2),
        "kept_mb": round(kept / 1e6, 1),
        "peak_mb": round(peak / 1e6, 1),
        "gc_tracked_added": tracked_added,
        "exact_median_us": round(statistics.median(exact) * 1e6, 1),
        "exact_p95_us": round(_p95(exact) * 1e6, 1),
        "near_median_ms": round(statistics.median(near) * 1e3, 2),
        "near_p95_ms": round(_p95(near) * 1e3, 2),
    }


def collation_figures() -> dict[str, float]:
    from common.collation import sort_key

    rng = random.Random(2025)
    syllables = ["Hà", "Nội", "Đà", "Nẵng", "Cần", "Thơ", "Huế", "Minh", "Thành", "Quảng"]
    syllables += ["Bắc", "Ninh", "Ưu", "Ơn", "Âu", "Ăn"]
    names = [" ".join(rng.choices(syllables, k=3)) + f" {i}" for i in range(10_000)]
    sort_key.cache_clear()
    cold = _timed(lambda: sorted(names, key=sort_key), 1)[0]
    warm = statistics.median(_timed(lambda: sorted(names, key=sort_key), 5))
    return {"sort_10k_cold_ms": round(cold * 1e3, 1), "sort_10k_cached_ms": round(warm * 1e3, 1)}


def countries_figures() -> dict[str, float]:
    from common.countries import codes_matching

    codes_matching("x")  # build the index
    exact = _timed(lambda: codes_matching("Bêlarut"), 1000)
    partial = _timed(lambda: codes_matching("bela", partial=True), 200)
    return {
        "exact_median_us": round(statistics.median(exact) * 1e6, 1),
        "partial_median_us": round(statistics.median(partial) * 1e6, 1),
    }


def map_figures() -> dict[str, float]:
    from common.worldmap import MapPoint, render_locator_map, render_world_map

    points = [MapPoint(53.9, 27.57, "Minsk", "/p/1"), MapPoint(39.9, 116.4, "Bắc Kinh", "/p/2")]
    first = _timed(lambda: render_world_map(points), 1)[0]
    world = statistics.median(_timed(lambda: render_world_map(points), 5))
    locator = statistics.median(_timed(lambda: render_locator_map(53.9, 27.57, "Minsk"), 5))
    return {
        "world_first_ms": round(first * 1e3, 1),
        "world_ms": round(world * 1e3, 1),
        "world_bytes": len(render_world_map(points).encode()),
        "world_480_bytes": len(render_world_map(points, width=480).encode()),
        "locator_ms": round(locator * 1e3, 1),
        "locator_bytes": len(render_locator_map(53.9, 27.57, "Minsk", country="BY").encode()),
    }


def _bar_chart() -> Chart:
    from common.charts import Chart, Series

    years = [str(y) for y in range(2021, 2026)]
    return Chart(
        "bar",
        "Đoàn ra, đoàn vào theo năm",
        years,
        [
            Series("Đoàn ra", [2, 3, 1, 4, 6]),
            Series("Đoàn vào", [1, 2, 4, 0, 3]),
            Series("Trực tuyến", [5, 1, 0, 0, 1]),
        ],
    )


def chart_figures() -> dict[str, float]:
    from common.charts import render_png, render_svg

    chart = _bar_chart()
    svg = statistics.median(_timed(lambda: render_svg(chart), 5))
    png = statistics.median(_timed(lambda: render_png(chart), 5))
    return {
        "svg_ms": round(svg * 1e3, 1),
        "svg_bytes": len(render_svg(chart).encode()),
        "png_ms": round(png * 1e3, 1),
        "png_bytes": len(render_png(chart)),
    }


def word_figures() -> dict[str, float]:
    from datetime import date

    from common.word import (
        Cover,
        Document,
        Heading,
        Paragraph,
        Run,
        Table,
        TableOfContents,
        build_docx,
        chart_blocks,
    )

    text: list[str | Run] = [
        "Đoàn gặp đại diện ",
        Run("Bắc Kinh (北京)", bold=True),
        ", Xơ-un (서울), Viêng Chăn (ວຽງຈັນ). " * 8,
    ]
    blocks: list[Block] = [
        Cover(
            "Báo cáo năm",
            kind="Báo cáo",
            issuing_body="Sở Ngoại vụ",
            place="Hà Nội",
            date=date(2025, 12, 31),
        ),
        TableOfContents(),
    ]
    for number in range(1, 6):
        blocks += [Heading(f"Phần {number}"), *[Paragraph(text) for _ in range(6)]]
    blocks += chart_blocks(_bar_chart())
    blocks.append(
        Table(["STT", "Nội dung", "Số"], [[str(i), f"Hoạt động {i}", str(i)] for i in range(200)])
    )
    document = Document(blocks)
    build = statistics.median(_timed(lambda: build_docx(document), 3))
    return {"docx_ms": round(build * 1e3, 1), "docx_bytes": len(build_docx(document))}


def run() -> dict[str, dict[str, float]]:
    import django

    django.setup()
    return {
        "gazetteer": gazetteer_figures(),
        "collation": collation_figures(),
        "countries": countries_figures(),
        "maps": map_figures(),
        "charts": chart_figures(),
        "word": word_figures(),
    }


def main() -> int:
    results = run()
    for block, figures in results.items():
        print(block)
        for name, value in figures.items():
            print(f"  {name:<22} {value}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "building_blocks.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
