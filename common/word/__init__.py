"""Word documents built from structured content, in the Vietnamese administrative style.

Staff edit the brief and the annual report before sending them up, so both come as
.docx as well as PDF. A document is plain data (:mod:`common.word.blocks`: a cover,
headings, paragraphs with bold, italic and language runs, lists, tables, images, a
table of contents, a signature block) written by :func:`build_docx` in one of two
styles (:mod:`common.word.styles`): ``administrative_vi`` for the Vietnamese version and
``english`` for the English one. python-docx (MIT) writes the file; nothing is fetched.

    from common.word import Cover, Document, Heading, Paragraph, Run, build_docx

    data = build_docx(
        Document(
            [
                Cover("Chuẩn bị đoàn công tác thăm Minsk", kind="Báo cáo",
                      issuing_body="Sở Ngoại vụ", parent_body="UBND Thành phố Hà Nội",
                      reference="12/BC-SNV", place="Hà Nội", date=date(2025, 5, 1)),
                Heading("Mục tiêu"),
                Paragraph(["Gặp ", Run("Bắc Kinh (北京)", bold=True), "…"]),
            ]
        ),
        "administrative_vi",
    )

What Word and LibreOffice get, in both styles:

- real heading styles ("Heading 1"-"Heading 3", outline levels 0-2), so the navigation
  pane works and a ``TOC`` field (:class:`TableOfContents`, filled in as written,
  refreshed by Word on opening) lists them;
- every run tagged with its language (``w:lang``): the document's, or the script's for
  Chinese, Japanese, Korean, Lao, Thai, Khmer and Cyrillic stretches, which also get an
  East Asian font (``w:eastAsia``: SimSun, MS Mincho, Batang) or a complex-script font
  so that 北京, 서울 and ວຽງຈັນ render (:mod:`common.scripts`);
- charts (:func:`chart_blocks`, from :mod:`common.charts`) as a PNG picture with its
  alternative text, followed by the chart's data table;
- lists numbered by Word (each list restarts at 1), tables whose header row repeats on
  every page (``w:tblHeader``), rows that do not split, fixed column widths; pictures
  with alternative text; page numbers as ``PAGE`` fields; A4.

Decree 30/2020/NĐ-CP, Appendix I (the format and presentation of administrative
documents), as ``administrative_vi`` applies it:

- I.1-3 A4 portrait (210 × 297 mm); margins top and bottom 20 mm (20-25), left 30 mm
  (30-35), right 15 mm (15-20).
- I.4 Times New Roman throughout, black: no theme fonts or colours from the template.
- I.7 Page numbers in Arabic numerals, 13 pt upright, centred in the top margin (the
  header, 10 mm from the edge), not shown on the first page (a distinct, empty
  first-page header).
- II.1 National title "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in capitals, bold, 12 pt
  (12-13: 12 keeps it on one line in its half of the page), top right (cell 1); the
  motto "Độc lập - Tự do - Hạnh phúc" bold 13 pt (13-14), centred under it, the first
  letter of each phrase capitalised, hyphens with a space either side; under it a solid
  rule as long as the motto (a paragraph border sized from Times New Roman's advance
  widths, :mod:`common.word.metrics`; the decree asks for a drawn line, not underlining).
- II.2 Issuing body (cell 2, top left): the parent body in capitals, upright, 12 pt; the
  issuing body in capitals, bold, 12 pt, centred under it; a solid rule under it, 40 %
  of the name's length (1/3-1/2), centred.
- II.3 Number (cell 3): "Số:" and the number, 13 pt upright, centred under the body.
- II.4 Place and date (cell 4): italic, 14 pt (13-14), on the number's line, centred
  under the motto; a comma after the place; the day below 10 and the months 1 and 2
  with a leading zero ("Hà Nội, ngày 01 tháng 5 năm 2025"); left blank for the signer
  when no date is given.
- II.5 Type and summary (cell 5a): the type in capitals, bold, 14 pt, centred; the
  summary under it, bold, 14 pt, centred; a solid rule under it, 40 % of its length.
- II.6 Content: 14 pt (13-14), justified, first line indented 12.7 mm (10-12.7),
  6 pt between paragraphs (at least 6), line spacing 1.15 (single to 1.5). Parts
  numbered as the decree numbers them: level-1 headings with Roman numerals, in
  capitals, bold; level-2 with Arabic numerals, bold; level-3 with letters and a
  closing parenthesis ("a)"), bold italic (italic is this project's choice, to tell
  them from the text). Headings start at the paragraph indent.
- II.7 Signature (cells 7a-7c): the signing capacity and position in capitals, bold,
  14 pt, centred; room for the signature and seal; the name bold, centred.
- II.9 Recipients (cells 9a-9b): "Nơi nhận:" bold italic 12 pt; the list 11 pt, each
  line starting with "-" and ending with ";", the last (the archive) with ".".

Not applied: the confidentiality and urgency marks (cells 10a-10b), circulation
instructions (11), the drafter's initials and copy count (13), the body's address
(14), and the seal itself; a document needing them adds them as text.

``english`` is plain: A4, 25 mm margins, Times New Roman 12 pt, unnumbered headings,
a title block (optionally a page of its own), page numbers centred in the footer, the
running text (``Document.header_text``) in the header.
"""

from .blocks import (
    Align,
    Block,
    BulletList,
    Cover,
    Document,
    Heading,
    Image,
    NumberedList,
    PageBreak,
    Paragraph,
    Run,
    Signature,
    Table,
    TableOfContents,
    Text,
)
from .charts import chart_blocks
from .styles import ADMINISTRATIVE_VI, ENGLISH, STYLES, DocumentStyle
from .writer import DocumentError, build_docx

__all__ = [
    "ADMINISTRATIVE_VI",
    "ENGLISH",
    "STYLES",
    "Align",
    "Block",
    "BulletList",
    "Cover",
    "Document",
    "DocumentError",
    "DocumentStyle",
    "Heading",
    "Image",
    "NumberedList",
    "PageBreak",
    "Paragraph",
    "Run",
    "Signature",
    "Table",
    "TableOfContents",
    "Text",
    "build_docx",
    "chart_blocks",
]
