"""The annual report: ``manage.py annual_report YEAR -o report.pdf|.docx`` and its download
page, on the demo data: the May 2025 visits, in the administrative style."""

import re
import subprocess
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from docx import Document as WordDocument
from docx.oxml.ns import qn
from docx.table import Table as WordTable

from delegations.models import Visit
from tests.factories import viewer

pytestmark = pytest.mark.django_db


def may_2025_titles() -> list[str]:
    titles = list(
        Visit.objects.filter(start_date__year=2025, start_date__month=5).values_list(
            "title", flat=True
        )
    )
    assert titles
    return titles


def test_the_word_report_shows_the_may_2025_visits_in_times_new_roman(demo, tmp_path):
    output = tmp_path / "report.docx"
    call_command("annual_report", "2025", "-o", str(output))
    document = WordDocument(str(output))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    for title in may_2025_titles():
        assert title in text
    with translation.override("vi"):  # the Vietnamese of the heading, once translated
        assert translation.gettext("Outgoing delegations") in text
    with zipfile.ZipFile(output) as archive:
        assert "Times New Roman" in archive.read("word/styles.xml").decode()


def test_the_pdf_report_shows_the_may_2025_visits(demo, tmp_path):
    output = tmp_path / "report.pdf"
    call_command("annual_report", "2025", "-o", str(output))
    assert output.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(output), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Minsk" in text
    assert "2025" in text


def test_the_english_report_is_in_english(demo, tmp_path):
    output = tmp_path / "report.docx"
    call_command("annual_report", "2025", "-o", str(output), "--lang", "en")
    assert "Incoming delegations" in word_text(output)


def test_the_download_page_hands_out_the_report(client, demo):
    client.force_login(viewer())
    assert client.get(reverse("workspace:annual_report")).status_code == 200
    response = client.get(
        reverse("workspace:annual_report"), {"year": 2025, "lang": "vi", "file_format": "docx"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-2025-vi.docx"'
    assert response.content.startswith(b"PK")


def test_a_bad_year_is_refused_with_the_form(client):
    client.force_login(viewer())
    response = client.get(
        reverse("workspace:annual_report"), {"year": "abc", "lang": "vi", "file_format": "pdf"}
    )
    assert response.status_code == 200
    assert "<form" in response.text


def test_the_download_page_is_prefilled_from_the_report_settings(client, settings):
    settings.REPORT_NUMBER = "7/BC-SNV"
    settings.REPORT_PLACE = "Hải Phòng"
    settings.REPORT_SIGNER_TITLE = "PHÓ GIÁM ĐỐC"
    settings.REPORT_SIGNER_NAME = "Lê Văn C"
    client.force_login(viewer())
    with translation.override("en"):
        page = client.get(reverse("workspace:annual_report")).text
    letterhead = page.split('id="letterhead"', 1)[1].split("</fieldset>", 1)[0]
    for name, value in (
        ("number", "7/BC-SNV"),
        ("place", "Hải Phòng"),
        ("signer_title", "PHÓ GIÁM ĐỐC"),
        ("signer_name", "Lê Văn C"),
    ):
        assert f'name="{name}" value="{value}"' in letterhead
    assert 'name="day"' in letterhead


def report_download(client, file_format: str, lang: str, tmp_path, **letterhead: str):
    client.force_login(viewer())
    query = {"year": 2025, "lang": lang, "file_format": file_format, **letterhead}
    response = client.get(reverse("workspace:annual_report"), query)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{file_format}"')
    output = tmp_path / f"report.{file_format}"
    output.write_bytes(response.content)
    return output


def test_the_downloaded_pdf_shows_the_number_place_date_and_signer_typed_on_the_page(
    client, demo, tmp_path, settings
):
    settings.REPORT_SIGNER_NAME = "Lê Văn C"  # the page's value wins over the settings'
    output = report_download(
        client, "pdf", "vi", tmp_path, number="15/BC-SNV", place="Đà Nẵng",
        day="05/01/2026", signer_title="Phó Giám đốc", signer_name="Trần Thị B",
    )  # fmt: skip
    text = pdf_text(output)
    assert "Số: 15/BC-SNV" in text
    assert "Đà Nẵng, ngày 05 tháng 01 năm 2026" in text
    assert in_order(text, "PHÓ GIÁM ĐỐC", "Trần Thị B")
    assert "Lê Văn C" not in text


def test_the_downloaded_word_report_shows_the_values_typed_on_the_page_in_english(
    client, demo, tmp_path
):
    output = report_download(
        client, "docx", "en", tmp_path, number="16/BC-SNV", place="Hanoi",
        day="2026-02-03", signer_title="Deputy Director", signer_name="Nguyễn Văn D",
    )  # fmt: skip
    text = word_text(output)
    assert "16/BC-SNV" in text
    assert "Hanoi, 3 February 2026" in text
    assert in_order(text, "Incoming delegations", "Nguyễn Văn D")
    assert "DEPUTY DIRECTOR" in text.upper()


def test_the_typed_values_serve_that_download_only(client, settings):
    settings.REPORT_NUMBER = "7/BC-SNV"
    client.force_login(viewer())
    url = reverse("workspace:annual_report")
    response = client.get(url, {"year": 2025, "lang": "vi", "file_format": "docx", "number": "99"})
    assert response.status_code == 200
    assert 'name="number" value="7/BC-SNV"' in client.get(url).text
    assert settings.REPORT_NUMBER == "7/BC-SNV"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("day", "31/02/2026"),  # no such day
        ("day", "01/06/2024"),  # before the year it reports on
        ("number", "12/BC\nSNV"),  # two lines
        ("signer_name", "x" * 121),
    ],
)
def test_a_bad_letterhead_value_is_refused_next_to_its_field(client, field, value):
    client.force_login(viewer())
    query = {"year": 2025, "lang": "vi", "file_format": "pdf", field: value}
    with translation.override("en"):
        response = client.get(reverse("workspace:annual_report"), query)
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert f'id="id_{field}_error"' in response.text


# -- the administrative document (Decree 30/2020/NĐ-CP) ----------------------------------


def pdf_text(path, *, layout: bool = False) -> str:
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    text = subprocess.run(command, capture_output=True, check=True, text=True).stdout
    return text if layout else " ".join(text.split())


def word_text(path) -> str:
    """The document's text in reading order (the heading and signature blocks are tables)."""
    parts = []
    for block in WordDocument(str(path)).iter_inner_content():
        if isinstance(block, WordTable):
            parts += [c.text for r in block.rows for c in r.cells]
        else:
            parts.append(block.text)
    return " ".join(" ".join(parts).split())


def in_order(text: str, *parts: str) -> bool:
    positions = [text.find(part) for part in parts]
    return -1 not in positions and positions == sorted(positions)


def test_the_pdf_report_is_a_vietnamese_state_report_in_times_new_roman(demo, tmp_path):
    output = tmp_path / "report.pdf"
    call_command("annual_report", "2025", "-o", str(output), "--signer-name", "Nguyễn Văn An")
    text = pdf_text(output)
    with translation.override("vi"):
        summary, by_partnership, charts = (
            translation.gettext(s).upper() for s in ("Overall summary", "By partnership", "Charts")
        )
    # The heading block: two columns, read column by column.
    for part in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "SỞ NGOẠI VỤ",
    ):
        assert part in text
    assert re.search(r"Số:\s+/BC-SNV", pdf_text(output, layout=True))  # blank for the clerk
    assert in_order(
        text,
        "BÁO CÁO",
        f"I. {summary}",
        f"II. {by_partnership}",
        "Hà Nội – Minsk",
        f"III. {charts}",
        "Nơi nhận:",
        "Nguyễn Văn An",
    )
    # The date left blank for the signer.
    assert re.search(r"Hà Nội, ngày\s+tháng\s+năm", pdf_text(output, layout=True))
    for title in may_2025_titles():
        assert " ".join(title.split()) in text
    fonts = subprocess.run(
        ["pdffonts", str(output)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    families = {line.split()[0].split("+")[-1] for line in fonts}
    # The text in Times New Roman or its metric twin; the charts' labels in Noto Sans.
    assert families - {"Noto-Sans", "Noto-Sans-Bold"} <= {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
        "Liberation-Serif-Italic",
        "Liberation-Serif-Bold-Italic",
        "TimesNewRomanPSMT",
        "TimesNewRomanPS-BoldMT",
        "TimesNewRomanPS-ItalicMT",
        "TimesNewRomanPS-BoldItalicMT",
    }
    assert "Liberation-Serif" in families or "TimesNewRomanPSMT" in families


def test_the_report_number_date_and_signer_come_from_the_options(demo, tmp_path):
    output = tmp_path / "report.pdf"
    call_command(
        "annual_report", "2025", "-o", str(output), "--number", "12/BC-SNV",
        "--date", "2026-01-05", "--signer-title", "Giám đốc", "--signer-name", "Trần Thị B",
    )  # fmt: skip
    text = pdf_text(output)
    assert "Số: 12/BC-SNV" in text
    assert "Hà Nội, ngày 05 tháng 01 năm 2026" in text
    assert in_order(text, "GIÁM ĐỐC", "Trần Thị B")


def test_the_report_signer_defaults_to_the_settings(demo, tmp_path, settings):
    settings.REPORT_SIGNER_NAME = "Lê Văn C"
    settings.REPORT_NUMBER = "7/BC-SNV"
    output = tmp_path / "report.docx"
    call_command("annual_report", "2025", "-o", str(output))
    text = word_text(output)
    assert "Số: 7/BC-SNV" in text
    assert "Lê Văn C" in text


def test_the_word_report_has_the_decree_30_structure_in_14_pt_times(demo, tmp_path):
    output = tmp_path / "report.docx"
    call_command("annual_report", "2025", "-o", str(output), "--signer-name", "Nguyễn Văn An")
    text = word_text(output)
    with translation.override("vi"):
        summary, by_partnership, charts = (
            translation.gettext(s) for s in ("Overall summary", "By partnership", "Charts")
        )
    assert in_order(
        text,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số:",
        "BÁO CÁO",
        summary,
        by_partnership,
        "Hà Nội – Minsk",
        charts,
        "Nơi nhận:",
        "Nguyễn Văn An",
    )
    for title in may_2025_titles():
        assert " ".join(title.split()) in text
    styles = WordDocument(str(output)).styles
    fonts = styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "Times New Roman"
    assert styles["Normal"].font.size.pt == 14
    assert {styles[f"Heading {n}"].font.size.pt for n in (1, 2)} == {14}
    headings = [
        p.text
        for p in WordDocument(str(output)).paragraphs
        if p.style is not None and p.style.name == "Heading 1"
    ]
    assert headings == [summary, by_partnership, charts]


def test_the_english_report_has_the_same_structure_in_english(demo, tmp_path):
    docx, pdf = tmp_path / "report.docx", tmp_path / "report.pdf"
    call_command("annual_report", "2025", "-o", str(docx), "--lang", "en")
    call_command("annual_report", "2025", "-o", str(pdf), "--lang", "en")
    for text in (word_text(docx), pdf_text(pdf)):
        for part in ("SOCIALIST REPUBLIC OF VIET NAM", "Independence - Freedom - Happiness"):
            assert part in text
        assert in_order(
            text,
            "No.:",
            "REPORT",
            "OVERALL SUMMARY" if "OVERALL SUMMARY" in text else "Overall summary",
            "Hà Nội – Minsk",
            "Recipients:",
        )
        assert "Outgoing delegations" in text
    assert WordDocument(str(docx)).styles["Normal"].font.size.pt == 14
