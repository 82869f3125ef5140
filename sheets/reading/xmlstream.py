"""Streaming XML for the .xlsx and .ods readers: expat, fed a chunk at a time.

Why not the libraries' own parsers (see also ``xlsx.py`` and ``ods.py``): each builds a
whole row (openpyxl's read-only ``WorkSheetParser`` parses a ``<row>`` element with all
its children before it yields it; odfpy builds the whole document tree; python-calamine
loads the whole sheet as a dense range), so a row of millions of cells is in memory
before any limit can be checked. Here every start tag, end tag and run of text reaches
the reader's handler as it is parsed, and the handler counts it against the limits.

Safety: a spreadsheet part never has a document type declaration, so any DOCTYPE is
refused outright; with it go entity declarations (billion laughs) and external
entities. Text arrives in bounded pieces (``buffer_size``), so even one enormous text
node is counted as it grows.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, Protocol
from xml.parsers import expat

from .cells import Row
from .limits import SheetError

CHUNK = 64 * 1024


class XmlHandler(Protocol):
    rows: list[Row]
    done: bool

    def start(self, name: str, attributes: dict[str, str]) -> None: ...

    def end(self, name: str) -> None: ...

    def text(self, data: str) -> None: ...


class _RefusedError(Exception):
    pass


def _no_doctype(*_args: object) -> None:
    raise _RefusedError


def _parser(handler: XmlHandler) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.EntityDeclHandler = _no_doctype
    parser.ExternalEntityRefHandler = _no_doctype  # type: ignore[assignment]
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    return parser


def stream(source: IO[bytes], handler: XmlHandler, damaged: str) -> Iterator[Row]:
    """Parse ``source``, yielding the rows the handler completes as they are completed."""
    parser = _parser(handler)
    try:
        while not handler.done:
            chunk = source.read(CHUNK)
            parser.Parse(chunk, not chunk)
            if handler.rows:
                yield from handler.rows
                handler.rows.clear()
            if not chunk:
                break
    except (
        expat.ExpatError,
        _RefusedError,
        ValueError,
        EOFError,
        OSError,
        zipfile.BadZipFile,
        zlib.error,
    ) as error:
        # The last four: zipfile's CRC or length check on a lying or broken member.
        raise SheetError(damaged) from error


def consume(source: IO[bytes], handler: XmlHandler, damaged: str) -> None:
    """Parse a part that yields no rows (shared strings, styles)."""
    for _row in stream(source, handler, damaged):
        pass


def name(namespace: str, local: str) -> str:
    """A tag or attribute name as expat gives it with our namespace separator."""
    return f"{namespace}}}{local}"
