"""The annual report: ``manage.py annual_report YEAR -o report.pdf|.docx`` and its download
page, on the demo data: the May 2025 visits, in the administrative style."""

import subprocess
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from docx import Document as WordDocument

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
    text = "\n".join(p.text for p in WordDocument(str(output)).paragraphs)
    assert "Incoming delegations" in text


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
