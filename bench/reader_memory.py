"""Benchmark: peak memory and time of the bounded readers (sheets/reading, issue 17).

    .venv/bin/python bench/reader_memory.py [--quick] [--only xlsx,ods,...]

Each case is written to a temporary file, then read in a fresh Python process (Django
set up, nothing else), which reports its peak RSS (``VmHWM`` in /proc/self/status:
``getrusage``'s ``ru_maxrss`` survives ``exec`` on Linux, so a child started by a big
parent would report the parent's peak) and the time
the read took; the figure therefore includes the ~60 MB of the interpreter and Django.
Two ways of reading: ``stream`` (each row dropped once read: the reader's own cost) and
``keep`` (every row's values kept in a list, as the import's ``read_sheet`` keeps
them in a Dataset). Cases:

* ``rows``: the largest sheet of the import's shape the limits allow: 50,000 rows of 16
  columns of Vietnamese text, dates and numbers (800,000 cells; a .csv of this is
  just under the 10 MB file limit);
* ``text``: 200 cells of 100,000 characters each (the cell limit; 20 million
  characters, the total limit);
* the attack files of tests/test_sheet_reading.py, which must be refused at once.

Target: every case under 300 MB peak RSS. Results in bench/README.md ("Readers").
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS = 50_000
QUICK_ROWS = 5_000
# .csv and .xls files of 50,000 such rows are over the 10 MB file limit: as many as fit.
FILE_LIMITED_ROWS = {"csv": 38_000, "xls": 42_000}
TARGET_MB = 300

_MEASURE = """
import sys, time
import django
django.setup()
from django.utils import translation
from sheets.reading import SheetError, read_rows
translation.activate("en")
name, path, mode = sys.argv[1:4]
with open(path, "rb") as source:
    data = source.read()
started = time.monotonic()
try:
    if mode == "keep":
        kept = [row.values() for row in read_rows(name, data)]
        outcome = "read %d rows" % len(kept)
    else:
        outcome = "read %d rows" % sum(1 for _ in read_rows(name, data))
except SheetError as error:
    outcome = "refused: %s" % str(error)[:70]
seconds = time.monotonic() - started
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024
print(peak, "%.2f" % seconds, outcome, sep="\\t")
"""

PHRASE = (
    "Biên bản ghi nhớ hợp tác văn hóa giáo dục thương mại du lịch giữa Thành phố Hà Nội "
    "và Thủ đô Minsk Cộng hòa Belarus về giai đoạn phát triển bền vững"
)
WORDS = PHRASE.split(" ")


def _row(number: int) -> list[object]:
    words = WORDS[number % 7 :] + WORDS[: number % 7]
    return [
        f"HN-{number:06d}",
        "Hà Nội",
        "VN",
        f"Thành phố {number % 300}",
        "BY",
        "mou",
        " ".join(words[:12]),
        f"{1 + number % 28:02d}/{1 + number % 12:02d}/{1990 + number % 35}",
        "Hà Nội",
        "01/01/2024",
        "31/12/2026",
        "in_force",
        "",
        "Văn hóa; Giáo dục",
        "Nguyễn Văn An (Chủ tịch UBND)",
        " ".join(words[3:10]),
    ]


Table = list[list[object]]


def _table(rows: int) -> Table:
    header: list[object] = [f"c{i}" for i in range(16)]
    return [header] + [_row(n) for n in range(rows)]


# (characters per cell, cells): the cell limit, as many cells as the 10 MB file limit
# or the total of 20 million characters allow; .xls cells hold at most 32,767 characters.
TEXT_CASES = {
    "csv": (100_000, 70),
    "xlsx": (100_000, 199),
    "ods": (100_000, 199),
    "xls": (32_767, 130),
}


def _text_table(extension: str) -> Table:
    size, cells = TEXT_CASES[extension]
    cell = ("Ghi chú về hợp tác " * 5300)[:size]
    table: Table = [["notes"]]
    table += [[f"{n:04d}" + cell[4:]] for n in range(cells)]
    return table


def csv_file(table: Table) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode()


def xlsx_file(table: Table) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for values in table:
        sheet.append([v if v != "" else None for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods_file(table: Table) -> bytes:
    from tests import hostile_sheets

    def rows() -> Iterator[bytes]:
        for values in table:
            yield b"".join(hostile_sheets.ods_text_row(*[str(v) for v in values]).split(b"\n"))

    return hostile_sheets.ods(rows())


def xls_file(table: Table) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("S")
    for r, values in enumerate(table):
        for c, value in enumerate(values):
            if value != "":
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BUILDERS: dict[str, Callable[[Table], bytes]] = {
    "csv": csv_file,
    "xlsx": xlsx_file,
    "ods": ods_file,
    "xls": xls_file,
}


def _attacks() -> list[tuple[str, str, Callable[[], bytes]]]:
    from tests import hostile_sheets as h

    return [
        ("ods", "attack: a billion spaces", lambda: h.ods_space_run(1_000_000_000)),
        ("xlsx", "attack: 6M cells in one row", lambda: h.xlsx_one_wide_row(6_000_000)),
        ("xlsx", "attack: 50,000 rows 1,000 apart", lambda: h.xlsx_rows_far_apart(50_000, 1_000)),
        ("ods", "attack: a value x 1e9 rows", lambda: h.ods_repeated_value(rows=1_000_000_000)),
    ]


def _built(build: Callable[[Table], bytes], table: Table) -> bytes:
    return build(table)


def measure(extension: str, data: bytes, mode: str) -> tuple[int, float, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"case.{extension}"
        path.write_bytes(data)
        result = subprocess.run(
            [sys.executable, "-c", _MEASURE, path.name, str(path), mode],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
            timeout=600,
        )
    peak, seconds, outcome = result.stdout.strip().splitlines()[-1].split("\t", 2)
    return int(peak), float(seconds), outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows, not {ROWS:,}")
    parser.add_argument("--only", default="csv,xlsx,ods,xls", help="formats, comma-separated")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    formats = options.only.split(",")
    rows = QUICK_ROWS if options.quick else ROWS
    cases: list[tuple[str, str, Callable[[], bytes]]] = []
    for extension in formats:
        build = BUILDERS[extension]
        count = min(rows, FILE_LIMITED_ROWS.get(extension, rows))
        cases.append(
            (extension, f"rows: {count:,} x 16", functools.partial(_built, build, _table(count)))
        )
        size, cells = TEXT_CASES[extension]
        text = _text_table(extension)
        cases.append(
            (extension, f"text: {cells} x {size:,} chars", functools.partial(_built, build, text))
        )
    cases += [case for case in _attacks() if case[0] in formats]
    print(f"{'format':6} {'case':34} {'file':>9} {'mode':6} {'peak MB':>8} {'s':>6}  outcome")
    worst = 0
    for extension, label, make in cases:
        data = make()
        modes = ("stream",) if label.startswith("attack") else ("stream", "keep")
        for mode in modes:
            peak, seconds, outcome = measure(extension, data, mode)
            worst = max(worst, peak)
            kilobytes = f"{len(data) / 1024:,.0f} KB"
            print(
                f"{extension:6} {label:34} {kilobytes:>9} {mode:6} {peak:>8} {seconds:>6.2f}  {outcome}"
            )
    print(f"worst peak RSS: {worst} MB (target < {TARGET_MB} MB)")
    return 0 if worst < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
