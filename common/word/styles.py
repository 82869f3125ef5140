"""The two looks a document can take: Vietnamese administrative and plain English.

``ADMINISTRATIVE_VI`` follows Appendix I of Decree 30/2020/NĐ-CP (on clerical work: the
format and presentation of administrative documents); each rule and how it is applied
is listed in :mod:`common.word` (the package docstring). ``ENGLISH`` is a plain A4 style
for the English versions of the same documents.

A style's words ("Số:", "Nơi nhận:", "MỤC LỤC") are part of its language, not of the
interface: a Vietnamese administrative document says "Nơi nhận" whatever language the
person who downloads it reads the site in, so they are not run through gettext.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from .blocks import Align

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

NumberFormat = Literal["upperRoman", "decimal", "lowerLetter"]


@dataclass(frozen=True, slots=True)
class Labels:
    reference: str  # before the document number
    recipients: str  # the heading of the distribution list
    contents: str  # the table of contents' default title
    toc_placeholder: str  # shown when there is no heading yet
    undated: str  # the date line before the document is signed
    # Decree 30's national title and motto (cell 1), in the document's language.
    national_title: str = NATIONAL_TITLE
    motto: str = MOTTO


@dataclass(frozen=True, slots=True)
class DocumentStyle:
    """Fonts, sizes, margins and layout rules of one kind of document."""

    name: str
    language: str  # BCP 47, the document's default language (w:lang)
    font: str
    body_pt: float
    table_pt: float
    small_pt: float  # running header or footer text, captions
    page_number_pt: float
    heading_pt: tuple[float, float, float]
    heading_caps: tuple[bool, bool, bool]
    heading_italic: tuple[bool, bool, bool]
    # Word numbering of heading levels 1-3 (format, text), e.g. ("upperRoman", "%1.");
    # empty: headings are not numbered.
    heading_numbering: tuple[tuple[NumberFormat, str], ...]
    title_pt: float
    margins_mm: tuple[float, float, float, float]  # top, bottom, left, right
    header_distance_mm: float
    footer_distance_mm: float
    first_line_indent_mm: float
    space_after_pt: float
    line_spacing: float  # a multiple of single spacing
    body_align: Align
    page_number_in_header: bool  # else in the footer
    bullet: str
    cover: Literal["decree-30", "title-block"]
    labels: Labels
    # Sizes of the Decree 30 first-page block (unused by the title block).
    national_title_pt: float = 12
    motto_pt: float = 13
    body_name_pt: float = 12
    reference_pt: float = 13
    date_pt: float = 14
    recipients_label_pt: float = 12
    recipients_pt: float = 11

    @property
    def page_width_mm(self) -> float:
        return 210.0

    @property
    def page_height_mm(self) -> float:
        return 297.0

    @property
    def text_width_mm(self) -> float:
        return self.page_width_mm - self.margins_mm[2] - self.margins_mm[3]

    def date_line(self, place: str, day: date | None) -> str:
        """The place and date line: "Hà Nội, ngày 01 tháng 5 năm 2025" / "Hanoi, 1 May 2025"."""
        if self.language.startswith("vi"):
            text = vietnamese_date(day) if day else self.labels.undated
        else:
            text = english_date(day) if day else self.labels.undated
        return f"{place}, {text}" if place else text


def vietnamese_date(day: date) -> str:
    """Decree 30's date: day below 10 and months 1 and 2 with a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)  # noqa: PLR2004
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def english_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


ADMINISTRATIVE_VI = DocumentStyle(
    name="administrative_vi",
    language="vi-VN",
    font="Times New Roman",
    body_pt=14,
    table_pt=13,
    small_pt=12,
    page_number_pt=13,
    heading_pt=(14, 14, 14),
    heading_caps=(True, False, False),
    heading_italic=(False, False, True),
    heading_numbering=(("upperRoman", "%1."), ("decimal", "%2."), ("lowerLetter", "%3)")),
    title_pt=14,
    margins_mm=(20, 20, 30, 15),
    header_distance_mm=10,
    footer_distance_mm=10,
    first_line_indent_mm=12.7,
    space_after_pt=6,
    line_spacing=1.15,
    body_align="justify",
    page_number_in_header=True,
    bullet="-",
    cover="decree-30",
    labels=Labels(
        reference="Số:",
        recipients="Nơi nhận:",
        contents="MỤC LỤC",
        toc_placeholder="Nhấn chuột phải, chọn “Cập nhật trường” để lập mục lục.",
        undated="ngày     tháng     năm     ",
    ),
)

ENGLISH = DocumentStyle(
    name="english",
    language="en-GB",
    font="Times New Roman",
    body_pt=12,
    table_pt=11,
    small_pt=10,
    page_number_pt=11,
    heading_pt=(16, 13, 12),
    heading_caps=(False, False, False),
    heading_italic=(False, False, True),
    heading_numbering=(),
    title_pt=24,
    margins_mm=(25, 25, 25, 25),
    header_distance_mm=12.5,
    footer_distance_mm=12.5,
    first_line_indent_mm=0,
    space_after_pt=6,
    line_spacing=1.15,
    body_align="left",
    page_number_in_header=False,
    bullet="•",
    cover="title-block",
    labels=Labels(
        reference="Ref.:",
        recipients="Distribution:",
        contents="Contents",
        toc_placeholder="Right-click and choose “Update Field” to build the table of contents.",
        undated="(date)",
    ),
)

# The English version of an administrative document (the annual report): Decree 30's
# layout and sizes, its words in English.
ADMINISTRATIVE_EN = replace(
    ADMINISTRATIVE_VI,
    name="administrative_en",
    language="en-GB",
    labels=Labels(
        reference="No.:",
        recipients="Recipients:",
        contents="CONTENTS",
        toc_placeholder=ENGLISH.labels.toc_placeholder,
        undated="(date)",
        national_title="SOCIALIST REPUBLIC OF VIET NAM",
        motto="Independence - Freedom - Happiness",
    ),
)

STYLES = {style.name: style for style in (ADMINISTRATIVE_VI, ADMINISTRATIVE_EN, ENGLISH)}
