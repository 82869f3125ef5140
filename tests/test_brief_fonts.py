"""Names in every script a partner may write print in the PDF brief (issue 13, point 9).

One small document through the brief's own renderer (its stylesheet, fonts and
fetcher): every name must come out in a real glyph. WeasyPrint draws a missing glyph
as an empty box and only logs ".notdef glyph rendered", so the log is the test.
"""

import logging
import subprocess

import pytest

from delegations.brief import BriefURLFetcher, html_to_pdf

NAMES = {
    "vi": "Hà Nội",
    "ru": "Минск",
    "zh": "北京",
    "ja": "東京",
    "ko": "서울",
    "lo": "ວຽງຈັນ",
    "th": "กรุงเทพ",
    "km": "ភ្នំពេញ",
}
INSTALL_HINT = "install the CJK fonts: apt-get install fonts-noto-cjk (see README)"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render(body: str, tmp_path) -> tuple[bytes, list[str], BriefURLFetcher]:
    logger = logging.getLogger("weasyprint")
    records = _Records()
    logger.addHandler(records)
    fetcher = BriefURLFetcher()
    try:
        pdf = html_to_pdf(f'<html lang="vi"><body>{body}</body></html>', fetcher=fetcher)
    finally:
        logger.removeHandler(records)
    (tmp_path / "names.pdf").write_bytes(pdf)
    return pdf, records.messages, fetcher


def names_html() -> str:
    spans = " · ".join(f'<span lang="{lang}">{name}</span>' for lang, name in NAMES.items())
    return f"<p>{spans}</p><p><strong>{spans}</strong></p>"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("fonts")
    _pdf, messages, fetcher = render(names_html(), tmp_path)
    return tmp_path / "names.pdf", messages, fetcher


def test_no_name_in_any_script_is_drawn_as_a_missing_glyph(rendered):
    _path, messages, _fetcher = rendered
    missing = [message for message in messages if ".notdef" in message]
    assert missing == [], INSTALL_HINT


def test_every_font_used_is_embedded(rendered):
    path, _messages, _fetcher = rendered
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in out.stdout.splitlines()[2:]]
    families = {row[0].split("+", 1)[-1] for row in rows}
    assert {"Brief-Sans", "Brief-Lao", "Brief-Thai", "Brief-Khmer"} <= families
    assert any(family.startswith("Noto-Sans-CJK") for family in families), INSTALL_HINT
    assert all(row[-5] == "yes" for row in rows)  # the "emb" column


def test_every_name_can_be_copied_out_of_the_pdf(rendered):
    path, _messages, _fetcher = rendered
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    text = out.stdout.replace(" ", "")
    assert [lang for lang, name in NAMES.items() if name.replace(" ", "") not in text] == []


def test_the_names_are_drawn_on_the_page(rendered, tmp_path):
    path, _messages, _fetcher = rendered
    subprocess.run(
        ["pdftoppm", "-r", "100", "-gray", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    image = next(tmp_path.glob("p*.pgm")).read_bytes()
    pixels = image.split(maxsplit=4)[4]
    assert sum(1 for value in pixels if value < 128) > 1000


def test_system_fonts_are_used_without_any_fetch_outside_the_brief_files(rendered):
    _path, _messages, fetcher = rendered
    assert fetcher.refused == []
    assert all(url.startswith("https://brief.invalid/static/brief/") for url in fetcher.requested)


def test_a_character_no_font_has_is_reported(tmp_path):
    _pdf, messages, _fetcher = render("<p>\U0010fffd</p>", tmp_path)
    assert any(".notdef" in message for message in messages)
