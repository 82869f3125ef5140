"""The bounded readers (sheets/reading, issue 17 findings 1–4): files built to hurt are
refused early, fast and in little memory, with a message naming the limit and the row;
files within the limits are read whole, rows after long blank runs included."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.utils import translation

from sheets.reading import ReadLimits, Row, SheetError, SheetLimitError, read_rows
from sheets.reading.cells import Cell, date_order
from tests import hostile_sheets as hostile
from tests.sheets import agreement_row, csv_bytes, ods_bytes, xls_bytes, xlsx_bytes

MB = 1024 * 1024
FIXTURES = Path(__file__).parent / "fixtures" / "sheets" / "reading"


def midnight(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime.combine(dt.date(year, month, day), dt.time())


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def read(name: str, data: bytes, limits: ReadLimits | None = None) -> list[Row]:
    return list(read_rows(name, data, limits or ReadLimits()))


def refusal(name: str, data: bytes, limits: ReadLimits | None = None) -> SheetError:
    with pytest.raises(SheetError) as caught:
        read(name, data, limits)
    return caught.value


# Peak memory is measured in a fresh process: the reader's own, not the test run's. It is
# the process's VmHWM, not getrusage's ru_maxrss, which on Linux survives exec and would
# report the (bigger) pytest process that started the child.
_MEASURE = """
import sys, time
import django
django.setup()
from django.utils import translation
from sheets.reading import SheetError, read_rows
translation.activate("en")
name, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as source:
    data = source.read()
started = time.monotonic()
try:
    outcome = "read %d rows" % sum(1 for _ in read_rows(name, data))
except SheetError as error:
    outcome = "refused: %s" % error
seconds = time.monotonic() - started
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024
print(peak, round(seconds, 3), outcome, sep="\\t")
"""


def measured(tmp_path: Path, name: str, data: bytes) -> tuple[int, float, str]:
    """(peak RSS in MB, seconds, outcome) of reading ``data`` in a subprocess."""
    path = tmp_path / name
    path.write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, name, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    peak, seconds, outcome = result.stdout.strip().splitlines()[-1].split("\t", 2)
    return int(peak), float(seconds), outcome


# -- finding 1: the .ods run of spaces ------------------------------------------------------


def test_an_ods_run_of_a_billion_spaces_is_refused_at_once_in_little_memory(tmp_path):
    data = hostile.ods_space_run(1_000_000_000)
    assert len(data) < 1024

    peak, seconds, outcome = measured(tmp_path, "spaces.ods", data)

    assert outcome.startswith("refused: Row 1: a cell holds more than 100,000 characters")
    assert seconds < 3
    assert peak < 300


def test_a_run_of_spaces_within_the_cell_limit_is_read():
    rows = read("spaces.ods", hostile.ods_space_run(5))

    assert rows[0].values() == ["a     b"]


def test_a_value_repeated_across_a_billion_columns_is_refused_naming_the_column():
    error = refusal("wide.ods", hostile.ods_repeated_value(columns=1_000_000_000))

    assert isinstance(error, SheetLimitError)
    assert error.limit == "max_columns"
    assert "Row 1 has a value in column" in str(error)


def test_a_row_repeated_a_billion_times_is_refused_at_the_row_limit():
    started = time.monotonic()
    error = refusal("long.ods", hostile.ods_repeated_value(rows=1_000_000_000))

    assert "more than 50,020 rows (row 50,021 is one too many)" in str(error)
    assert time.monotonic() - started < 5


def test_empty_rows_repeated_a_million_times_cost_nothing():
    data = hostile.ods(
        hostile.ods_text_row("a")
        + hostile.ods_empty_rows(1_048_570)
        + hostile.ods_empty_rows(1_000_000_000)
    )

    started = time.monotonic()
    rows = read("lo.ods", data)

    assert [row.number for row in rows] == [1]
    assert time.monotonic() - started < 3


# -- finding 2: one .xlsx row of millions of cells ------------------------------------------


def test_an_xlsx_row_of_six_million_cells_is_refused_at_once_in_little_memory(tmp_path):
    data = hostile.xlsx_one_wide_row(6_000_000)
    assert len(data) < MB

    peak, seconds, outcome = measured(tmp_path, "wide.xlsx", data)

    assert outcome == "refused: Row 1 describes more than 16,384 cells, the most a row may have."
    assert seconds < 3
    assert peak < 300


def test_a_value_beyond_the_last_column_read_is_refused_not_dropped():
    data = hostile.xlsx(b'<row r="1"><c r="BZ1" t="inlineStr"><is><t>far</t></is></c></row>')

    assert "Row 1 has a value in column BZ, but only the first 60 columns are read" in str(
        refusal("far.xlsx", data)
    )


def test_empty_cells_beyond_the_last_column_read_are_no_trouble():
    data = hostile.xlsx(hostile.xlsx_text_row(1, "a") + b'<row r="2"><c r="XFD2" s="1"/></row>')

    assert [row.values() for row in read("styled.xlsx", data)] == [["a"]]


def test_too_many_cells_in_all_are_refused_naming_the_row():
    row = b"".join(b'<c r="%s"/>' % col.encode() for col in ("A", "B", "C", "D"))
    data = hostile.xlsx(b"".join(b'<row r="%d">%s</row>' % (n, row) for n in range(1, 2001)))

    error = refusal("many.xlsx", data, ReadLimits(max_cell_elements=4_000))

    assert isinstance(error, SheetLimitError)
    assert error.limit == "max_cell_elements"
    assert error.row == 1001


def test_cells_with_values_are_bounded_in_all():
    data = csv_bytes([agreement_row()] * 10)

    error = refusal("a.csv", data, ReadLimits(max_cells=100))

    assert "more than 100 cells with a value" in str(error)


def test_a_read_that_takes_too_long_is_refused_naming_the_row():
    data = csv_bytes([agreement_row()] * 5000)

    error = refusal("slow.csv", data, ReadLimits(max_seconds=0))

    assert isinstance(error, SheetLimitError)
    assert error.limit == "max_seconds"
    assert "reading it took more than 0 seconds of work" in str(error)


# -- finding 3: rows numbered far apart -----------------------------------------------------


def test_50000_xlsx_rows_numbered_1000_apart_are_refused_at_once(tmp_path):
    data = hostile.xlsx_rows_far_apart(50_000, 1_000)
    assert len(data) < MB

    peak, seconds, outcome = measured(tmp_path, "apart.xlsx", data)

    assert outcome == (
        "refused: Row 1,049,001 is beyond the last row a spreadsheet may have (1,048,576)."
    )
    assert seconds < 3
    assert peak < 300


def test_rows_far_apart_within_the_sheet_cost_nothing_and_keep_their_numbers():
    data = hostile.xlsx_rows_far_apart(1_000, 1_000)

    started = time.monotonic()
    rows = read("apart.xlsx", data)

    assert len(rows) == 1_000
    assert rows[-1].number == 999_001
    assert time.monotonic() - started < 3


# -- finding 4: long blank runs -------------------------------------------------------------


def test_rows_after_a_long_blank_run_are_read_in_a_csv():
    rows = read("gap.csv", hostile.csv_long_blank_run(5_000))

    assert [(row.number, row.values()[0]) for row in rows] == [
        (1, "reference"),
        (2, "A"),
        (5003, "B"),
    ]


def test_rows_after_a_long_blank_run_are_read_in_an_xlsx():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"], sheet["A5000"] = "reference", "A", "B"
    out = io.BytesIO()
    book.save(out)

    assert [row.number for row in read("gap.xlsx", out.getvalue())] == [1, 2, 5000]


def test_rows_after_a_long_blank_run_are_read_in_an_ods():
    data = hostile.ods(
        hostile.ods_text_row("reference")
        + hostile.ods_empty_rows(4_000)
        + hostile.ods_text_row("B")
    )

    assert [row.number for row in read("gap.ods", data)] == [1, 4002]


# -- bombs ----------------------------------------------------------------------------------


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    bomb = hostile.zip_bytes(
        {"xl/workbook.xml": b"<w/>", "xl/worksheets/sheet1.xml": b" " * (90 * MB)}, level=9
    )

    peak, seconds, outcome = measured(tmp_path, "bomb.xlsx", bomb)

    assert "zip bomb" in outcome
    assert seconds < 3
    assert peak < 300


def test_an_ods_zip_bomb_is_refused():
    bomb = hostile.zip_bytes({"content.xml": b"0" * (30 * MB)}, level=9)

    assert "zip bomb" in str(refusal("bomb.ods", bomb))


def test_an_xlsx_with_an_entity_bomb_is_refused_as_damaged():
    assert "damaged" in str(refusal("lol.xlsx", hostile.xlsx_with_doctype()))


def test_an_xlsx_shared_string_over_the_cell_limit_is_refused_naming_the_row():
    data = hostile.xlsx(
        b'<row r="7"><c r="A7" t="s"><v>1</v></c></row>', shared_strings=["short", "x" * 200_000]
    )

    assert "Row 7: a cell holds more than 100,000 characters" in str(refusal("long.xlsx", data))


def test_a_csv_cell_over_the_cell_limit_is_refused_naming_the_row():
    data = b"a,b\n" + b"x," + b"y" * 150_000 + b"\n"

    assert "Row 2: a cell holds more than 100,000 characters" in str(refusal("long.csv", data))


def test_a_cell_of_43499_characters_is_read_whole():
    notes = "Ghi chú dài. " * 3346
    assert len(notes) > 43_000
    for name, build in (("a.csv", csv_bytes), ("a.ods", ods_bytes)):
        rows = read(name, build([agreement_row(notes=notes)]))

        assert rows[1].values()[15] == notes, name


# -- kinds and formats ----------------------------------------------------------------------


def test_an_xlsx_date_cell_keeps_its_number_format():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([midnight(2019, 12, 6), midnight(2019, 6, 12), "12/06/2019", 2004])
    sheet["A1"].number_format = "mm/dd/yyyy"
    sheet["B1"].number_format = "dd/mm/yyyy"
    out = io.BytesIO()
    book.save(out)

    first, second, text, year = read("d.xlsx", out.getvalue())[0].cells

    assert first == Cell(midnight(2019, 12, 6), "date", "mm/dd/yyyy")
    assert first.month_first
    assert second is not None
    assert second.is_date
    assert not second.month_first
    assert text == Cell("12/06/2019")
    assert year == Cell(2004, "number", "General")


@pytest.mark.parametrize(
    ("code", "order"),
    [
        ("mm/dd/yyyy", "MDY"),
        ("dd/mm/yyyy", "DMY"),
        ("[$-409]m/d/yy\\ h:mm;@", "MDY"),
        ("yyyy-mm-dd", "YMD"),
        ('d" de "mmmm" de "yyyy', "DMY"),
        ("hh:mm", ""),
        ("General", ""),
    ],
)
def test_the_order_of_a_date_format(code, order):
    assert date_order(code) == order


def test_every_format_reads_the_same_rows():
    rows = [agreement_row(), {}, agreement_row(reference="B")]
    expected = [row.values() for row in read("a.csv", csv_bytes(rows))]

    for name, build in (("a.xlsx", xlsx_bytes), ("a.ods", ods_bytes), ("a.xls", xls_bytes)):
        assert [row.values() for row in read(name, build(rows))] == expected, name
        assert [row.number for row in read(name, build(rows))] == [1, 2, 4]


# -- files saved by LibreOffice (tests/fixtures/sheets/reading/README.md) --------------------


def _fixture_rows(name: str) -> list[Row]:
    return read(name, (FIXTURES / name).read_bytes())


@pytest.mark.parametrize("extension", ["xlsx", "ods", "xls"])
def test_a_sheet_saved_in_a_day_first_locale_has_right_date_cells_shown_day_first(extension):
    rows = _fixture_rows(f"dates-day-first.{extension}")

    assert [row.number for row in rows] == [1, 2, 3, 6]
    dates = [row.cells[1] for row in rows[1:]]
    assert all(cell is not None and cell.is_date and not cell.month_first for cell in dates)
    assert [_day(cell) for cell in dates] == [
        dt.date(2019, 6, 12),
        dt.date(2023, 12, 25),
        dt.date(1994, 1, 7),
    ]


@pytest.mark.parametrize("extension", ["xlsx", "ods", "xls"])
def test_a_sheet_saved_in_a_month_first_locale_shows_the_trace(extension):
    rows = _fixture_rows(f"dates-month-first.{extension}")

    swapped, text, other = (row.cells[1] for row in rows[1:])
    assert swapped is not None
    assert swapped.month_first
    assert _day(swapped) == dt.date(2019, 12, 6)  # typed 12/06/2019
    assert text == Cell("25/12/2023")
    assert other is not None
    assert other.month_first


@pytest.mark.parametrize("extension", ["xlsx", "ods", "xls"])
def test_text_saved_by_libreoffice_is_read_exactly(extension):
    expected = [row.values() for row in _fixture_rows("dates.csv")]

    rows = _fixture_rows(f"dates-day-first.{extension}")

    assert [row.values()[2:] for row in rows] == [values[2:] for values in expected]
    assert rows[2].values()[2:] == ["Biên bản    ghi nhớ", "two\nlines"]


def test_an_ods_date_format_kept_in_a_common_style_is_seen():
    """dates-common-style.ods: the month-first format is a named cell style of styles.xml,
    applied directly (row 2) and through an automatic style that inherits it (row 3)."""
    rows = _fixture_rows("dates-common-style.ods")

    direct, inherited, text = (row.cells[1] for row in rows[1:])
    assert direct is not None
    assert (direct.value, direct.number_format, direct.month_first) == (
        dt.date(2019, 12, 6),
        "MM/DD/YYYY",
        True,
    )
    assert inherited is not None
    assert inherited.month_first
    assert text == Cell("25/12/2023")


def test_the_month_first_rule_sees_a_common_styles_date_format():
    from sheets.dates import DateColumn, ambiguities

    rows = _fixture_rows("dates-common-style.ods")
    column = DateColumn()
    for index, row in enumerate(rows[1:3], start=1):  # the date cells only, no day-first text
        column.add(index, row.number, row.cells[1])

    assert column.ambiguous
    found = ambiguities({"signed_on": column}, {"signed_on": "signed_on"})
    assert [(a.row, a.as_stored, a.swapped) for a in found] == [
        (2, "06/12/2019", "12/06/2019"),
        (3, "01/07/1994", "07/01/1994"),
    ]


def test_an_ods_whose_styles_are_too_big_is_refused_before_they_are_read(monkeypatch):
    from sheets.reading import ods

    monkeypatch.setattr(ods, "MAX_STYLES_BYTES", 1024)
    with translation.override("en"), pytest.raises(SheetError, match=r"styles\.xml"):
        _fixture_rows("dates-common-style.ods")


def test_an_ods_without_styles_xml_is_still_read():
    source = zipfile.ZipFile(io.BytesIO((FIXTURES / "dates-common-style.ods").read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as rebuilt:
        for info in source.infolist():
            if info.filename != "styles.xml":
                rebuilt.writestr(info, source.read(info))
    rows = read("a.ods", out.getvalue())
    assert rows[1].cells[1] is not None
    assert rows[1].cells[1].value == dt.date(2019, 12, 6)
    assert not rows[1].cells[1].month_first  # its format was in the part that is gone


def _day(cell: Cell | None) -> dt.date:
    assert cell is not None
    value = cell.value
    assert isinstance(value, dt.date)
    return value.date() if isinstance(value, dt.datetime) else value


def test_excels_built_in_short_date_is_not_taken_as_month_first():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([midnight(2019, 6, 12), midnight(2019, 6, 12)])
    sheet["A1"].number_format = "mm-dd-yy"  # built-in 14: the reader's locale decides
    sheet["B1"].number_format = "mm/dd/yy"  # written out: month first
    out = io.BytesIO()
    book.save(out)

    builtin, written = read("d.xlsx", out.getvalue())[0].cells

    assert builtin is not None
    assert builtin.is_date
    assert builtin.locale_dependent
    assert not builtin.month_first
    assert written is not None
    assert not written.locale_dependent
    assert written.month_first


# -- the csv reader counts a row at once while it stays within the limits ---------------


@pytest.mark.parametrize(
    ("limits", "limit", "row"),
    [
        (ReadLimits(max_cell_elements=7), "max_cell_elements", 3),
        (ReadLimits(max_columns=2), "max_columns", 3),
        (ReadLimits(max_cell_chars=4), "max_cell_chars", 3),
        (ReadLimits(max_total_chars=12), "max_total_chars", 3),
    ],
)
def test_a_csv_row_crossing_a_limit_is_refused_at_that_row(limits, limit, row):
    # Rows 1-2 are within every limit; row 3 crosses one (a wide row, a long cell, more text).
    data = b"a,b,\nc,d,\nee,ff,ggggg\n"

    error = refusal("a.csv", data, limits)

    assert isinstance(error, SheetLimitError)
    assert (error.limit, error.row) == (limit, row)


def test_a_csv_rows_cells_are_read_the_same_counted_by_row():
    data = b"a,,b,,\n,,\nb,a\n,,,,,,c\n"

    rows = read("a.csv", data, ReadLimits(max_cell_elements=17, max_total_chars=5))

    assert [(r.number, r.values()) for r in rows] == [
        (1, ["a", None, "b"]),
        (3, ["b", "a"]),
        (4, [None, None, None, None, None, None, "c"]),
    ]
    # The same text gives the same cell (cells are immutable).
    assert rows[0].cells[0] is rows[1].cells[1]
    error = refusal("a.csv", data, ReadLimits(max_cell_elements=16))
    assert isinstance(error, SheetLimitError)
    assert error.row == 4
