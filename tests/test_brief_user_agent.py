"""The brief's PDF is made with a trimmed copy of WeasyPrint's user-agent stylesheet and
fewer garbage-collector passes (issue 16), and comes out exactly as before.

WeasyPrint's own user-agent stylesheet styles ``::marker`` and the footnotes' and notes'
pseudo-elements of every element; the brief's copy keeps the markers of list items
(``li``, the only list items of the brief and the annual report) and drops the rest.
"""

import gc
import subprocess
import weakref

import pytest
from weasyprint import HTML
from weasyprint.html import UA

import delegations.brief as brief_module
from common.gcpause import fewer_gc_passes
from delegations.brief import (
    BASE_URL,
    BriefHTML,
    BriefURLFetcher,
    gather_brief,
    html_to_pdf,
    render_brief_html,
    user_agent_css_text,
)
from delegations.models import Visit
from demo.loader import load_demo

MINSK_2025 = "Đoàn đại biểu TP Hà Nội thăm, làm việc tại TP Minsk (Belarus)"


def test_the_user_agent_stylesheet_styles_no_pseudo_element_of_every_element():
    ours = user_agent_css_text()
    assert not [line for line in ours.splitlines() if line.startswith("::")]
    assert "\nli::marker {" in ours
    # Everything else of WeasyPrint's stylesheet is kept as it is.
    dropped = set(UA.splitlines()) - set(ours.splitlines())
    assert {line.split(" {")[0] for line in dropped} == {
        "::marker",
        "::footnote-call",
        "::footnote-marker",
        "::note-call",
        "::note-marker",
        "::note-callback",
    }
    assert set(ours.splitlines()) - set(UA.splitlines()) == {
        "li::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }"
    }


def test_the_brief_document_uses_the_trimmed_stylesheet():
    document = BriefHTML(string="<p>x</p>", base_url=BASE_URL, url_fetcher=BriefURLFetcher())
    (sheet,) = document._ua_stylesheets()
    assert sheet is brief_module._user_agent_stylesheet()
    assert sheet is not HTML(string="<p>x</p>")._ua_stylesheets()[0]


@pytest.mark.django_db
def test_the_brief_is_the_same_pdf_as_with_weasyprints_own_stylesheet(tmp_path):
    """The demo's Minsk brief (lists with markers, tables over pages, headings as
    bookmarks, line breaks, a photo and a map): byte for byte the same PDF."""
    load_demo(password="demo-pass-2025")
    visit = Visit.objects.get(title=MINSK_2025)
    html = render_brief_html(gather_brief(visit.pk, lang="vi", generated_by="Lê Thị Hồng"))
    assert "<li" in html
    stylesheets, font_config = brief_module._build_styles(None, "vi", BriefURLFetcher())

    def pdf(document_class: type[HTML]) -> bytes:
        document = document_class(string=html, base_url=BASE_URL, url_fetcher=BriefURLFetcher())
        return document.write_pdf(stylesheets=stylesheets, font_config=font_config)

    ours = pdf(BriefHTML)
    assert ours == pdf(HTML)
    assert ours == html_to_pdf(html, lang="vi")
    path = tmp_path / "brief.pdf"
    path.write_bytes(ours)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    text = out.stdout
    assert "•" in text  # the list items' markers


def test_cycles_left_by_the_work_are_freed_as_it_ends_when_asked():
    class Node:
        pass

    def cycle() -> weakref.ref:
        node = Node()
        node.me = node  # type: ignore[attr-defined]
        return weakref.ref(node)

    before = gc.get_threshold()
    with fewer_gc_passes(collect_after=True):
        left = cycle()
        assert gc.get_threshold()[0] >= 20_000
    assert gc.get_threshold() == before
    assert left() is None
