"""The content of a Word document as plain data: what a brief or report says, not how.

A document is a list of blocks (a cover, headings, paragraphs, lists, tables, images,
page breaks, a table of contents, a signature block); text inside a block is a string or
a sequence of :class:`Run` (bold, italic, a language). The style
(:mod:`common.word.styles`) decides the look; :func:`common.word.build_docx` writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Align = Literal["left", "center", "right", "justify"]


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text with its own emphasis or language.

    ``lang`` (BCP 47: "zh-CN", "ja-JP", "en-GB") is the language of the text when it is
    not the document's; scripts are detected anyway (Han, Hangul, Lao… get their own
    runs and fonts), so ``lang`` matters mostly to say which language Han characters
    are (Chinese by default) or that a Latin stretch is English in a Vietnamese text.
    """

    text: str
    bold: bool = False
    italic: bool = False
    lang: str | None = None


Text = str | Run | Sequence[str | Run]


def runs(text: Text) -> tuple[Run, ...]:
    """Any :data:`Text` as a tuple of runs."""
    if isinstance(text, str):
        return (Run(text),)
    if isinstance(text, Run):
        return (text,)
    return tuple(Run(part) if isinstance(part, str) else part for part in text)


def plain(text: Text) -> str:
    """The characters of a :data:`Text`, without emphasis."""
    return "".join(run.text for run in runs(text))


@dataclass(frozen=True, slots=True)
class Cover:
    """The opening of the document: who issues it, its reference, place and date, title.

    In the Vietnamese administrative style this is the layout of Decree 30/2020/NĐ-CP's
    first page (national title and motto, issuing body, number, place and date, type
    and summary); in the English style, a title block. ``title_page`` ends the page
    after it.
    """

    title: str
    kind: str = ""  # the document type: "BÁO CÁO", "Visit brief"
    issuing_body: str = ""  # "SỞ NGOẠI VỤ"
    parent_body: str = ""  # "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"
    reference: str = ""  # "12/BC-SNV" (printed after "Số:")
    place: str = ""  # "Hà Nội"
    date: date | None = None  # None: "ngày … tháng … năm …", filled in when signed
    lines: Sequence[Text] = ()  # further lines under the title
    title_page: bool = False


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading: a real Word heading style (navigation pane, table of contents)."""

    text: Text
    level: int = 1  # 1 to 3


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: Text
    align: Align | None = None  # None: the style's body alignment
    indent: bool = True  # the style's first-line indent


@dataclass(frozen=True, slots=True)
class BulletList:
    items: Sequence[Text]


@dataclass(frozen=True, slots=True)
class NumberedList:
    """Items numbered 1., 2., 3. (or a), b), c) with ``letters``), restarting at each list."""

    items: Sequence[Text]
    letters: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A table whose header rows repeat at the top of every page it runs onto.

    ``widths`` are the columns' relative widths (``(1, 3, 1)``), scaled to the text
    width; ``align`` each column's alignment (numbers: "right").
    """

    header: Sequence[Text]
    rows: Sequence[Sequence[Text]]
    widths: Sequence[float] = ()
    align: Sequence[Align] = ()
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    """A PNG or JPEG picture, ``width_mm`` wide, with its alternative text."""

    data: bytes
    width_mm: float
    alt_text: str
    caption: str = ""


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


@dataclass(frozen=True, slots=True)
class TableOfContents:
    """A TOC field over the headings (levels 1 to ``levels``), filled in as written.

    Word refreshes it, with page numbers, when the document is opened (it asks first).
    """

    title: str = ""
    levels: int = 3


@dataclass(frozen=True, slots=True)
class Signature:
    """The signer's block and the list of recipients at the end of the document.

    ``authority`` is the signing capacity (``"KT. GIÁM ĐỐC"``, ``"TM. ỦY BAN NHÂN DÂN"``),
    ``position`` the signer's title (``"PHÓ GIÁM ĐỐC"``), ``recipients`` the "Nơi nhận"
    list; the last recipient is usually the archive (``"Lưu: VT, HTQT."``).
    """

    name: str
    position: str
    authority: str = ""
    recipients: Sequence[str] = ()


Block = (
    Cover
    | Heading
    | Paragraph
    | BulletList
    | NumberedList
    | Table
    | Image
    | PageBreak
    | TableOfContents
    | Signature
)


@dataclass(frozen=True, slots=True)
class Document:
    """Blocks, and what goes around them: title, author, the running header text."""

    blocks: Sequence[Block]
    title: str = ""  # the file's title property; the cover's title when empty
    author: str = ""
    header_text: str = ""  # repeated on every page but the first
    subject: str = ""
    keywords: Sequence[str] = field(default_factory=tuple)
