"""The brief's parsed stylesheets and FontConfiguration are built once per process (issue 16).

``html_to_pdf`` with its default fetcher reuses them from render to render; a change to
the stylesheet file (development, DEBUG) is picked up at the next render, because the
cache is keyed by the file's modification time and size; a caller's own fetcher still
gets every resource fetched through it. Checked on the real PDF (pdftotext).
"""

import logging
import os
import shutil
import subprocess

import pytest

import delegations.brief as brief_module
from delegations.brief import BriefURLFetcher, html_to_pdf


def pdf_text(pdf: bytes, tmp_path, name: str = "out.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


@pytest.fixture
def own_static_dir(tmp_path, monkeypatch):
    """A copy of static/brief/ that the test may edit, and an empty cache."""
    copy = tmp_path / "brief-static"
    shutil.copytree(brief_module.STATIC_DIR, copy)
    monkeypatch.setattr(brief_module, "STATIC_DIR", copy)
    monkeypatch.setattr(brief_module, "_styles_cache", {})
    return copy


def test_stylesheets_and_fonts_are_built_once_and_reused(own_static_dir, tmp_path):
    first = html_to_pdf('<html lang="vi"><body><p>Hà Nội một</p></body></html>')
    (entry,) = brief_module._styles_cache.values()
    second = html_to_pdf('<html lang="vi"><body><p>Hà Nội hai</p></body></html>')
    assert list(brief_module._styles_cache.values()) == [entry]  # the same objects again
    assert "Hà Nội một" in pdf_text(first, tmp_path, "1.pdf")
    assert "Hà Nội hai" in pdf_text(second, tmp_path, "2.pdf")


def test_each_language_keeps_its_page_numbers(own_static_dir, tmp_path):
    html = "<html><body><p>x</p></body></html>"
    vi = pdf_text(html_to_pdf(html, lang="vi"), tmp_path, "vi.pdf")
    en = pdf_text(html_to_pdf(html, lang="en"), tmp_path, "en.pdf")
    assert "Page 1 of 1" in en
    assert "Page 1 of 1" not in vi
    assert len(brief_module._styles_cache) == 2


def test_a_changed_stylesheet_is_picked_up_at_the_next_render(own_static_dir, tmp_path):
    html = '<html lang="vi"><body><p class="probe">x</p></body></html>'
    assert "STYLESHEET-CHANGED" not in pdf_text(html_to_pdf(html), tmp_path, "before.pdf")
    stylesheet = own_static_dir / "brief.css"
    before = stylesheet.stat()
    with stylesheet.open("a") as css:
        css.write('\n.probe::after { content: " STYLESHEET-CHANGED"; }\n')
    # Same second on a coarse clock: move the time on so only the content could tell.
    os.utime(stylesheet, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert "STYLESHEET-CHANGED" in pdf_text(html_to_pdf(html), tmp_path, "after.pdf")
    assert len(brief_module._styles_cache) == 1  # replaced, not piled up


def test_a_callers_fetcher_still_fetches_the_stylesheet_and_fonts(own_static_dir):
    html_to_pdf("<html><body><p>x</p></body></html>")  # the cache is filled
    fetcher = BriefURLFetcher()
    html_to_pdf("<html><body><p>x</p></body></html>", fetcher=fetcher)
    assert "https://brief.invalid/static/brief/brief.css" in fetcher.requested
    assert any(url.endswith(".ttf") for url in fetcher.requested)
    assert fetcher.refused == []


def test_the_cached_fonts_still_carry_every_script(own_static_dir, tmp_path):
    """The reused FontConfiguration draws Vietnamese, Cyrillic, CJK, Lao, Thai and Khmer
    names without a missing glyph, on the first render and on the ones after it."""
    names = {"vi": "Hà Nội", "ru": "Минск", "zh": "北京", "ja": "東京"}
    names |= {"ko": "서울", "lo": "ວຽງຈັນ", "th": "กรุงเทพ", "km": "ភ្នំពេញ"}
    body = "".join(f'<p lang="{lang}">{name}</p>' for lang, name in names.items())
    logger = logging.getLogger("weasyprint")
    messages: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        pdfs = [html_to_pdf(f'<html lang="vi"><body>{body}</body></html>') for _ in range(2)]
    finally:
        logger.removeHandler(handler)
    assert not [m for m in messages if "notdef" in m.lower()]
    for i, pdf in enumerate(pdfs):
        text = pdf_text(pdf, tmp_path, f"names{i}.pdf")
        for name in ("Hà Nội", "Минск", "北京", "서울", "กรุงเทพ"):
            assert name in text
