"""Word documents in the administrative style of Decree 30/2020/NĐ-CP (common.word).

A sample document is built, opened again with python-docx and read as Word would read
it: styles, fonts, sizes, margins, heading levels, numbering, table headers, fields,
languages. LibreOffice then converts it to PDF and pdftotext checks that the text,
Vietnamese, Chinese, Korean and Lao names included, survives.
"""

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from PIL import Image as PILImage

from common.scripts import segments
from common.word import (
    Block,
    BulletList,
    Cover,
    Document,
    DocumentError,
    Heading,
    Image,
    NumberedList,
    PageBreak,
    Paragraph,
    Run,
    Signature,
    Table,
    TableOfContents,
    build_docx,
)
from common.word.cover import MOTTO, NATIONAL_TITLE
from common.word.metrics import text_width_mm
from common.word.styles import ADMINISTRATIVE_VI, vietnamese_date

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def png(width=120, height=60) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), "#1f5f99").save(buffer, "PNG")
    return buffer.getvalue()


def sample_blocks():
    return [
        Cover(
            "Chuẩn bị đoàn công tác thăm Minsk",
            kind="Báo cáo",
            issuing_body="Sở Ngoại vụ",
            parent_body="UBND Thành phố Hà Nội",
            reference="12/BC-SNV",
            place="Hà Nội",
            date=date(2025, 5, 1),
        ),
        TableOfContents(),
        Heading("Mục tiêu"),
        Paragraph(
            [
                "Gặp đại diện ",
                Run("Bắc Kinh (北京)", bold=True),
                ", ",
                Run("Xơ-un (서울)", italic=True),
                ", Viêng Chăn (ວຽງຈັນ) và Minsk (Минск).",
            ]
        ),
        Heading("Các thỏa thuận", level=2),
        BulletList(["Thỏa thuận hữu nghị 2004", "Chương trình hợp tác 2024–2026"]),
        NumberedList(["Ký kết", "Triển khai"]),
        NumberedList(["Văn hóa", "Du lịch"], letters=True),
        Heading("Chi tiết", level=3),
        Table(
            ["STT", "Nội dung", "Số lượt"],
            [[str(i), f"Hoạt động {i}", str(i * 2)] for i in range(1, 80)],
            widths=(1, 6, 2),
            align=("center", "left", "right"),
            caption="Bảng 1. Các hoạt động",
        ),
        Image(png(), 80, "Biểu đồ số đoàn theo năm", caption="Hình 1. Số đoàn"),
        PageBreak(),
        Heading("Kết luận"),
        Paragraph("Kết thúc.", align="left", indent=False),
        Signature(
            "Nguyễn Văn A",
            "Phó Giám đốc",
            authority="KT. Giám đốc",
            recipients=["UBND Thành phố", "Ban Giám đốc Sở;", "Lưu: VT, HTQT"],
        ),
    ]


@pytest.fixture(scope="module")
def vietnamese():
    data = build_docx(
        Document(sample_blocks(), header_text="Tài liệu phục vụ đoàn công tác"),
        "administrative_vi",
    )
    return data, docx.Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def english():
    cover = Cover("Visit to Minsk", kind="Visit brief", place="Hanoi", title_page=True)
    blocks: list[Block] = [
        cover,
        Heading("Objectives"),
        Paragraph("Meet the Minsk City Executive Committee."),
    ]
    return docx.Document(io.BytesIO(build_docx(Document(blocks, header_text="Brief"), "english")))


def paragraphs_in(document, style_name):
    return [p for p in document.paragraphs if p.style.name == style_name]


def test_the_page_is_a4_with_the_margins_of_decree_30(vietnamese):
    section = vietnamese[1].sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [20, 20, 30, 15]


def test_body_text_is_times_new_roman_14_point_justified_with_an_indented_first_line(vietnamese):
    document = vietnamese[1]
    body = document.styles["Body Text"]
    assert body.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert round(body.paragraph_format.first_line_indent.mm, 1) == 12.7
    assert body.paragraph_format.space_after.pt == 6
    defaults = document.styles.element.find(f"{W}docDefaults").find(f"{W}rPrDefault")
    fonts = defaults.find(f"{W}rPr").find(f"{W}rFonts")
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "Times New Roman"
    assert document.styles["Normal"].font.size.pt == 14


def test_no_style_keeps_the_templates_theme_fonts_or_colours(vietnamese):
    styles = vietnamese[1].styles
    for name in ("Normal", "Body Text", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
        rpr = styles[name].element.rPr
        xml = rpr.xml if rpr is not None else ""
        assert "Theme" not in xml
        assert "theme" not in xml
        assert styles[name].font.color.rgb is None


def test_headings_are_word_heading_styles_with_outline_levels(vietnamese):
    document = vietnamese[1]
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", "Mục tiêu"),
        ("Heading 2", "Các thỏa thuận"),
        ("Heading 3", "Chi tiết"),
        ("Heading 1", "Kết luận"),
    ]
    for level in (1, 2, 3):
        outline = document.styles[f"Heading {level}"].element.pPr.find(qn("w:outlineLvl"))
        assert outline.get(qn("w:val")) == str(level - 1)


def test_level_one_headings_are_bold_capitals_at_14_point(vietnamese):
    heading = vietnamese[1].styles["Heading 1"]
    assert heading.font.bold
    assert heading.font.all_caps
    assert heading.font.size.pt == 14


def test_headings_are_numbered_roman_arabic_and_letters_by_word(vietnamese):
    document = vietnamese[1]
    num_id = document.styles["Heading 1"].element.pPr.numPr.numId.val
    numbering = document.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(num_id))
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(
        a
        for a in numbering.findall(qn("w:abstractNum"))
        if a.get(qn("w:abstractNumId")) == abstract_id
    )
    levels = [
        (lvl.find(qn("w:numFmt")).get(qn("w:val")), lvl.find(qn("w:lvlText")).get(qn("w:val")))
        for lvl in abstract.findall(qn("w:lvl"))
    ]
    assert levels == [("upperRoman", "%1."), ("decimal", "%2."), ("lowerLetter", "%3)")]


def test_the_cover_has_the_national_title_and_the_motto_with_a_rule_as_long_as_it(vietnamese):
    cell = vietnamese[1].tables[0].cell(0, 1)
    texts = [p.text for p in cell.paragraphs]
    assert texts[:2] == [NATIONAL_TITLE, MOTTO]
    assert cell.paragraphs[0].runs[0].font.bold
    assert cell.paragraphs[0].runs[0].font.size.pt == 12
    assert cell.paragraphs[1].runs[0].font.size.pt == 13
    rule = cell.paragraphs[2]
    assert rule.paragraph_format.element.pPr.find(qn("w:pBdr")) is not None
    column = cell.width.mm
    rule_length = (
        column - rule.paragraph_format.left_indent.mm - rule.paragraph_format.right_indent.mm
    )
    assert rule_length == pytest.approx(text_width_mm(MOTTO, 13, bold=True), abs=0.5)


def test_the_issuing_body_is_in_bold_capitals_under_its_parent(vietnamese):
    cell = vietnamese[1].tables[0].cell(0, 0)
    parent, body = cell.paragraphs[0], cell.paragraphs[1]
    assert parent.text == "UBND THÀNH PHỐ HÀ NỘI"
    assert not parent.runs[0].font.bold
    assert body.text == "SỞ NGOẠI VỤ"
    assert body.runs[0].font.bold


def test_the_number_and_the_place_and_date_share_a_line(vietnamese):
    row = vietnamese[1].tables[0].rows[1]
    assert row.cells[0].text == "Số: 12/BC-SNV"
    assert row.cells[1].text == "Hà Nội, ngày 01 tháng 5 năm 2025"
    assert row.cells[1].paragraphs[0].runs[0].font.italic


def test_days_below_ten_and_the_first_two_months_get_a_leading_zero():
    assert vietnamese_date(date(2025, 2, 9)) == "ngày 09 tháng 02 năm 2025"
    assert vietnamese_date(date(2025, 11, 20)) == "ngày 20 tháng 11 năm 2025"


def test_the_type_and_summary_follow_the_heading_block(vietnamese):
    document = vietnamese[1]
    assert [p.text for p in paragraphs_in(document, "Subtitle")] == ["Báo cáo"]
    assert document.styles["Subtitle"].font.all_caps
    assert [p.text for p in paragraphs_in(document, "Title")] == [
        "Chuẩn bị đoàn công tác thăm Minsk"
    ]
    assert document.core_properties.title == "Chuẩn bị đoàn công tác thăm Minsk"
    assert document.core_properties.language == "vi-VN"


def field_instructions(part) -> list[str]:
    return [t.text.strip() for t in part._element.iter(qn("w:instrText"))]


def test_page_numbers_are_centred_in_the_header_from_the_second_page(vietnamese):
    section = vietnamese[1].sections[0]
    assert section.different_first_page_header_footer
    assert field_instructions(section.first_page_header) == []
    assert section.first_page_header.paragraphs[0].text == ""
    assert field_instructions(section.header) == ["PAGE"]
    assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert vietnamese[1].styles["Header"].font.size.pt == 13
    assert section.footer.paragraphs[0].text == "Tài liệu phục vụ đoàn công tác"


def test_the_english_style_numbers_pages_in_the_footer_and_skips_the_title_page(english):
    section = english.sections[0]
    assert field_instructions(section.footer) == ["PAGE"]
    assert field_instructions(section.header) == []
    assert section.header.paragraphs[0].text == "Brief"
    assert section.different_first_page_header_footer
    assert round(section.left_margin.mm) == 25
    assert english.styles["Normal"].font.size.pt == 12
    assert english.styles["Heading 1"].element.pPr.numPr is None


def test_the_english_cover_writes_the_date_the_english_way():
    cover = Cover("Visit", place="Hanoi", date=date(2025, 5, 1))
    document = docx.Document(io.BytesIO(build_docx(Document([cover]), "english")))
    assert "Hanoi, 1 May 2025" in [p.text for p in document.paragraphs]


def test_the_table_header_repeats_on_every_page_and_rows_do_not_split(vietnamese):
    table = vietnamese[1].tables[1]
    rows = table._tbl.findall(qn("w:tr"))
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(row.trPr.find(qn("w:tblHeader")) is None for row in rows[1:])
    assert all(row.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    assert [c.text for c in table.rows[0].cells] == ["STT", "Nội dung", "Số lượt"]
    assert len(table.rows) == 80


def test_table_columns_take_their_share_of_the_text_width(vietnamese):
    table = vietnamese[1].tables[1]
    widths = [round(cell.width.mm, 1) for cell in table.rows[5].cells]
    text_width = ADMINISTRATIVE_VI.text_width_mm
    assert widths == [round(text_width * share / 9, 1) for share in (1, 6, 2)]
    assert table.rows[5].cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_a_row_of_the_wrong_length_is_refused_with_its_number():
    table = Table(["A", "B"], [["1", "2"], ["3"]], caption="Danh mục")
    with pytest.raises(DocumentError, match=r"Danh mục.*row 2: 1 cells, but the header has 2"):
        build_docx(Document([table]))


def test_a_heading_level_beyond_three_is_refused():
    with pytest.raises(DocumentError, match="levels are 1 to 3"):
        build_docx(Document([Heading("Quá sâu", level=4)]))


def runs_with_text(document, text):
    return [r for p in document.paragraphs for r in p.runs if r.text.startswith(text)]


def test_chinese_gets_an_east_asian_font_and_language(vietnamese):
    (run,) = runs_with_text(vietnamese[1], "北京")
    fonts = run._r.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "SimSun"
    assert fonts.get(qn("w:hint")) == "eastAsia"
    assert run._r.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert run.bold


def test_korean_and_lao_runs_carry_their_language(vietnamese):
    (korean,) = runs_with_text(vietnamese[1], "서울")
    assert korean._r.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "ko-KR"
    assert korean.italic
    (lao,) = runs_with_text(vietnamese[1], "ວຽງຈັນ")
    rpr = lao._r.rPr
    assert rpr.find(qn("w:cs")) is not None
    assert rpr.find(qn("w:lang")).get(qn("w:bidi")) == "lo-LA"


def test_vietnamese_text_takes_the_documents_language_without_extra_tags(vietnamese):
    document = vietnamese[1]
    defaults = document.styles.element.find(f"{W}docDefaults").find(f"{W}rPrDefault")
    assert defaults.find(f"{W}rPr").find(f"{W}lang").get(qn("w:val")) == "vi-VN"
    (run,) = runs_with_text(document, "Gặp đại diện ")
    assert run._r.rPr is None or run._r.rPr.find(qn("w:lang")) is None


def test_text_is_split_into_runs_by_script():
    parts = segments("Bắc Kinh (北京), Минск", "vi-VN")
    assert [(p.text, p.language) for p in parts] == [
        ("Bắc Kinh (", "vi-VN"),
        ("北京), ", "zh-CN"),
        ("Минск", "ru-RU"),
    ]


def test_a_japanese_hint_tags_han_characters_as_japanese():
    parts = segments("Tokyo 東京", "vi-VN", hint="ja-JP")
    assert [(p.text, p.language) for p in parts] == [("Tokyo ", "vi-VN"), ("東京", "ja-JP")]


def test_kana_makes_a_han_stretch_japanese():
    assert segments("東京タワー", "en-GB")[0].language == "ja-JP"


def numbering_of(paragraph):
    num_pr = paragraph._p.pPr.numPr
    return num_pr.numId.val


def test_each_list_has_its_own_numbering_and_numbered_lists_restart(vietnamese):
    document = vietnamese[1]
    bullets = paragraphs_in(document, "List Bullet")
    numbered = paragraphs_in(document, "List Number")
    assert [p.text for p in bullets] == [
        "Thỏa thuận hữu nghị 2004",
        "Chương trình hợp tác 2024–2026",
    ]
    assert len({numbering_of(p) for p in bullets}) == 1
    ids = [numbering_of(p) for p in numbered]
    assert ids[0] == ids[1] != ids[2] == ids[3]
    numbering = document.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(ids[2]))
    assert num.find(qn("w:lvlOverride")).find(qn("w:startOverride")).get(qn("w:val")) == "1"


def test_pictures_keep_their_alternative_text_and_width(vietnamese):
    document = vietnamese[1]
    (shape,) = document.inline_shapes
    assert shape._inline.docPr.get("descr") == "Biểu đồ số đoàn theo năm"
    assert round(shape.width.mm) == 80
    assert "Hình 1. Số đoàn" in [p.text for p in paragraphs_in(document, "Caption")]


def test_the_table_of_contents_is_a_toc_field_listing_the_numbered_headings(vietnamese):
    document = vietnamese[1]
    body = document.element.body
    assert 'TOC \\o "1-3" \\h \\z \\u' in [t.text.strip() for t in body.iter(qn("w:instrText"))]
    entries = [p.text for p in document.paragraphs if p.style.name.startswith("toc ")]
    assert entries == ["I. Mục tiêu", "1. Các thỏa thuận", "a) Chi tiết", "II. Kết luận"]
    update = document.settings.element.find(qn("w:updateFields"))
    assert update.get(qn("w:val")) == "true"


def test_recipients_end_with_semicolons_and_the_archive_with_a_full_stop(vietnamese):
    signature = vietnamese[1].tables[-1]
    recipients = [p.text for p in signature.cell(0, 0).paragraphs]
    assert recipients == [
        "Nơi nhận:",
        "- UBND Thành phố;",
        "- Ban Giám đốc Sở;",
        "- Lưu: VT, HTQT.",
    ]
    signer = [p.text for p in signature.cell(0, 1).paragraphs if p.text]
    assert signer == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn A"]


def test_the_document_is_a_valid_package_python_docx_can_edit_and_save(vietnamese):
    document = vietnamese[1]
    document.add_paragraph("Thêm một đoạn.", style="Body Text")
    buffer = io.BytesIO()
    document.save(buffer)
    assert docx.Document(io.BytesIO(buffer.getvalue())).paragraphs[-1].text == "Thêm một đoạn."


SOFFICE = shutil.which("soffice")
# soffice alone may be Calc only (Debian's libreoffice-calc-nogui, for the sheet fixtures),
# which cannot open a .docx: the test needs Writer's library next to soffice.
WRITER = SOFFICE is not None and (Path(SOFFICE).resolve().parent / "libswlo.so").exists()


@pytest.mark.skipif(not WRITER, reason="LibreOffice Writer (libreoffice-writer) is not installed")
def test_libreoffice_prints_the_document_with_every_script_intact(vietnamese, tmp_path):
    assert SOFFICE is not None
    source = tmp_path / "sample.docx"
    source.write_bytes(vietnamese[0])
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "sample.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for expected in (
        NATIONAL_TITLE,
        MOTTO,
        "Hà Nội, ngày 01 tháng 5 năm 2025",
        "I. MỤC TIÊU",
        "北京",
        "서울",
        "ວຽງຈັນ",
        "Минск",
        "Nơi nhận:",
    ):
        # Justified lines spread CJK characters apart, and pdftotext reads the gaps as
        # spaces: compare without them.
        assert "".join(expected.split()) in "".join(text.split()), expected
    pages = text.split("\f")
    assert pages[1].split()[0] == "2"  # the page number, first on the page: the top margin
    assert pages[0].split()[0] == "UBND"  # none on the first page
