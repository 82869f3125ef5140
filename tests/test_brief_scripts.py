"""The Beijing (北京) and Vientiane (ວຽງຈັນ) briefs print the cities' names in their own
scripts, in PDF and in Word, in both languages (issue 13, "Done when").

PDF: the text copied out (pdftotext), the fonts embedded (pdffonts), no glyph missing
(WeasyPrint logs ".notdef" for a character no font has) and the page drawn to PNG
(pdftoppm) has the name's ink. Word: the runs in python-docx, with the East Asian or
complex-script font and language Word needs to draw them.
"""

import io
import logging
import subprocess

import docx
import pytest
from django.db import transaction
from docx.oxml.ns import qn
from PIL import Image

from delegations.brief import render_visit_brief, render_visit_brief_docx
from delegations.models import Visit
from demo.loader import load_demo

BEIJING = ("Đoàn đại biểu Thành phố Hà Nội làm việc tại Bắc Kinh", "北京")
VIENTIANE = ("Hội đàm trực tuyến giữa Bí thư Thành ủy Hà Nội", "ວຽງຈັນ")


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def briefs(django_db_setup, django_db_blocker):
    """{(city name, lang, format): bytes} and the warnings WeasyPrint logged."""
    warnings = _Warnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(warnings)
    made = {}
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            load_demo(password="demo-pass-2025")
            for title, name in (BEIJING, VIENTIANE):
                visit = Visit.objects.get(title__startswith=title)
                for lang in ("vi", "en"):
                    made[name, lang, "pdf"] = render_visit_brief(visit.pk, lang=lang)
                    made[name, lang, "docx"] = render_visit_brief_docx(visit.pk, lang=lang)
            transaction.set_rollback(True)
    finally:
        logger.removeHandler(warnings)
    return made, warnings.messages


CASES = [(name, lang) for name in ("北京", "ວຽງຈັນ") for lang in ("vi", "en")]


def test_no_glyph_is_missing_in_any_of_the_briefs(briefs):
    _made, messages = briefs
    assert [m for m in messages if ".notdef" in m] == []


@pytest.mark.parametrize(("name", "lang"), CASES)
def test_the_pdf_brief_has_the_name_in_its_own_script(briefs, name, lang, tmp_path):
    path = tmp_path / "brief.pdf"
    path.write_bytes(briefs[0][name, lang, "pdf"])
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert name in text
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    expected = "Noto-Sans-CJK" if name == "北京" else "Brief-Lao"
    assert expected in fonts


@pytest.mark.parametrize(("name", "lang"), CASES)
def test_the_page_with_the_name_is_drawn_with_ink(briefs, name, lang, tmp_path):
    path = tmp_path / "brief.pdf"
    path.write_bytes(briefs[0][name, lang, "pdf"])
    pages = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    page = next(number for number, text in enumerate(pages, 1) if name in text)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            str(page),
            "-l",
            str(page),
            str(path),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    png = next(tmp_path.glob("p*.png"))
    with Image.open(png) as image:
        dark = sum(1 for value in image.convert("L").tobytes() if value < 128)
    assert dark > 500


@pytest.mark.parametrize(("name", "lang"), CASES)
def test_the_word_brief_has_the_name_in_a_run_with_a_font_for_its_script(briefs, name, lang):
    document = docx.Document(io.BytesIO(briefs[0][name, lang, "docx"]))
    runs = [
        run
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
        for run in paragraph.runs
    ] + [run for paragraph in document.paragraphs for run in paragraph.runs]
    named = [run for run in runs if name in run.text]
    assert named
    fonts = named[0]._element.rPr.find(qn("w:rFonts"))
    attribute = "w:eastAsia" if name == "北京" else "w:cs"
    assert fonts is not None
    assert fonts.get(qn(attribute))
