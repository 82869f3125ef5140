"""Spreadsheet files built by hand, byte by byte, to attack the readers (issue 17).

Each builder returns the file's bytes. They are small on disk and describe a great
deal: the point of each is what a careless reader would expand. Shared by
tests/test_sheet_reading.py and bench/reader_memory.py.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"'
)


def zip_bytes(members: dict[str, bytes | Iterable[bytes]], level: int = 6) -> bytes:
    """A ZIP of the members; a member given as an iterable of chunks is streamed in."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in members.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in content:
                    member.write(chunk)
    return out.getvalue()


# -- .xlsx ----------------------------------------------------------------------------------


def xlsx(
    sheet_data: bytes | Iterable[bytes],
    *,
    shared_strings: list[str] | None = None,
    prologue: bytes = b"",
) -> bytes:
    """A minimal workbook whose first sheet's ``<sheetData>`` holds ``sheet_data``."""
    head = prologue + f'<worksheet xmlns="{XLSX_MAIN}"><sheetData>'.encode()
    tail = b"</sheetData></worksheet>"
    body: bytes | Iterable[bytes]
    if isinstance(sheet_data, bytes):
        body = head + sheet_data + tail
    else:
        body = _chain(head, sheet_data, tail)
    members: dict[str, bytes | Iterable[bytes]] = {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": (
            f'<workbook xmlns="{XLSX_MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            b"</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": body,
    }
    if shared_strings is not None:
        items = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared_strings)
        members["xl/sharedStrings.xml"] = f'<sst xmlns="{XLSX_MAIN}">{items}</sst>'.encode()
    return zip_bytes(members)


def _chain(head: bytes, middle: Iterable[bytes], tail: bytes) -> Iterable[bytes]:
    yield head
    yield from middle
    yield tail


def xlsx_text_row(number: int, *values: str) -> bytes:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def xlsx_one_wide_row(cells: int) -> bytes:
    """One row of ``cells`` sparse empty cells, all claiming far columns (up to XFD):
    the 222 KB file of finding 2 (six million cells, 3.1 GB through openpyxl)."""
    columns = [f"{a}{b}{c}" for a in "ABCDEFGHIJKLMNOPQRSTUVWX" for b in "AEIO" for c in "D"]
    period = "".join(f'<c r="{col}1"/>' for col in columns).encode()
    chunk = period * 500
    per_chunk = len(columns) * 500

    def rows() -> Iterable[bytes]:
        yield b'<row r="1">'
        for _ in range(cells // per_chunk):
            yield chunk
        yield b"</row>"

    return xlsx(rows())


def xlsx_rows_far_apart(rows: int, step: int) -> bytes:
    """``rows`` rows numbered ``step`` apart (finding 3: 50,000 rows 1,000 apart)."""
    return xlsx(b"".join(xlsx_text_row(1 + i * step, f"R{i}", "x") for i in range(rows)))


def xlsx_with_doctype() -> bytes:
    return xlsx(
        xlsx_text_row(1, "&lol2;"),
        prologue=b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
    )


# -- .ods -----------------------------------------------------------------------------------


def ods(table_body: bytes | Iterable[bytes], *, styles: bytes = b"") -> bytes:
    """A minimal spreadsheet whose first table holds ``table_body`` (rows)."""
    head = (
        f"<office:document-content {ODS_NAMESPACES}><office:automatic-styles>".encode()
        + styles
        + b'</office:automatic-styles><office:body><office:spreadsheet><table:table table:name="S">'
    )
    tail = b"</table:table></office:spreadsheet></office:body></office:document-content>"
    body: bytes | Iterable[bytes]
    body = (
        head + table_body + tail
        if isinstance(table_body, bytes)
        else _chain(head, table_body, tail)
    )
    return zip_bytes(
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": body}
    )


def ods_text_row(*values: str, repeat: int = 1) -> bytes:
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'
        for v in values
    )
    return (
        f'<table:table-row table:number-rows-repeated="{repeat}">{cells}</table:table-row>'.encode()
    )


def ods_empty_rows(repeat: int) -> bytes:
    return (
        f'<table:table-row table:number-rows-repeated="{repeat}">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    ).encode()


def ods_space_run(spaces: int) -> bytes:
    """Finding 1: a 672-byte .ods whose one cell is a run of ``spaces`` spaces."""
    return ods(
        b'<table:table-row><table:table-cell office:value-type="string"><text:p>a'
        + f'<text:s text:c="{spaces}"/>b</text:p></table:table-cell></table:table-row>'.encode()
    )


def ods_repeated_value(columns: int = 1, rows: int = 1) -> bytes:
    """One cell holding a value, repeated across ``columns`` columns and ``rows`` rows."""
    return ods(
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        f'table:number-columns-repeated="{columns}" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row>".encode()
    )


# -- .csv -----------------------------------------------------------------------------------


def csv_long_blank_run(blank: int) -> bytes:
    return b"reference,title\nA,first\n" + b",\n" * blank + b"B,after the blank run\n"


def xlsx_many_empty_cells(rows: int, per_row: int) -> bytes:
    """``rows`` rows of ``per_row`` empty styled cells each: nothing to import, much to parse."""
    columns = [
        f"{a}{b}" for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ]

    def body() -> Iterable[bytes]:
        for number in range(1, rows + 1):
            cells = "".join(
                f'<c r="{columns[i % len(columns)]}{number}" s="1"/>' for i in range(per_row)
            )
            yield f'<row r="{number}">{cells}</row>'.encode()

    return xlsx(body())
