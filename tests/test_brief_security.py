"""Hostile record text in a brief prints as text: nothing fetched, embedded or leaked.

A local HTTP server on 127.0.0.1 stands in for any host the text points at (an
intranet service, the cloud metadata address): the tests assert it never hears from
WeasyPrint. The fetcher's own log proves nothing else was even attempted, and
``pdfdetach`` that no file was attached to the PDF.
"""

import http.server
import subprocess
import threading
import time

import pytest

from delegations.brief import (
    STYLESHEET_URL,
    BriefURLFetcher,
    html_to_pdf,
    render_visit_brief,
    static_path,
)
from partnerships.models import City
from tests.factories import (
    ActionItemFactory,
    EngagementFactory,
    ProgressUpdateFactory,
    VisitFactory,
)

ALLOWED = {
    STYLESHEET_URL,
    *(
        f"https://brief.invalid/static/brief/fonts/noto-sans-{font}-{weight}.ttf"
        for font in ("brief", "lao", "thai", "khmer")
        for weight in (400, 700)
    ),
}


class _BaitServer(http.server.ThreadingHTTPServer):
    requests: list[str]  # the paths asked for


class _Recorder(http.server.BaseHTTPRequestHandler):
    server: _BaitServer

    def do_GET(self):
        self.server.requests.append(self.path)
        self.send_response(302)  # and if anything did come, send it to a local file
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def bait_server():
    server = _BaitServer(("127.0.0.1", 0), _Recorder)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def payloads(port: int) -> list[str]:
    here = f"http://127.0.0.1:{port}"
    return [
        f'<img src="{here}/img">',
        "file:///etc/passwd",
        "<link rel=attachment href=file:///etc/passwd>",
        f"<link rel=stylesheet href={here}/css>",
        f'<div style="background: url({here}/bg)">x</div>',
        f"<style>@import url({here}/import); body {{ background: url(file:///dev/urandom) }}</style>",
        "url(/dev/urandom)",
        '<img src="/dev/urandom">',
        "http://169.254.169.254/latest/meta-data/",
        f'<object data="{here}/object"></object><iframe src="{here}/iframe"></iframe>',
        f'<svg><image href="{here}/svg"/></svg>',
    ]


@pytest.fixture
def hostile_visit(db, bait_server):
    text = "\n".join(payloads(bait_server.server_address[1]))
    visit = VisitFactory(title=f"Đoàn <img src=x> {text[:200]}", purpose=text, notes=text)
    visit.talking_points = text
    visit.place = '<img src="file:///etc/passwd">'
    visit.save()
    City.objects.filter(pk=visit.partnership.partner_city_id).update(profile=text)
    EngagementFactory(visit=visit, summary=text, title="<b>Hội đàm</b>", place=text[:250])
    item = ActionItemFactory(visit=visit, description=text)
    ProgressUpdateFactory(action_item=item, note=text)
    return visit


def _poppler(tool: str, pdf: bytes, tmp_path, *args) -> str:
    path = tmp_path / "hostile.pdf"
    path.write_bytes(pdf)
    target = ["-"] if tool == "pdftotext" else []  # pdftotext writes to stdout only when asked
    out = subprocess.run(
        [tool, *args, str(path), *target], capture_output=True, text=True, check=True
    )
    return out.stdout


@pytest.fixture
def hostile_render(hostile_visit):
    fetcher = BriefURLFetcher()
    pdf = render_visit_brief(hostile_visit.pk, lang="vi", fetcher=fetcher)
    return pdf, fetcher


def test_hostile_markup_in_a_record_prints_as_text(hostile_render, bait_server, tmp_path):
    pdf, _ = hostile_render
    text = _poppler("pdftotext", pdf, tmp_path, "-nopgbrk").replace("\n", " ")
    port = bait_server.server_address[1]
    assert f'<img src="http://127.0.0.1:{port}/img">' in text
    assert "<link rel=attachment href=file:///etc/passwd>" in text
    assert "url(/dev/urandom)" in text
    assert "http://169.254.169.254/latest/meta-data/" in text


def test_rendering_hostile_records_asks_for_nothing_but_the_brief_stylesheet_and_fonts(
    hostile_render,
):
    _, fetcher = hostile_render
    assert set(fetcher.requested) <= ALLOWED
    assert fetcher.refused == []


def test_rendering_hostile_records_sends_no_request_anywhere(hostile_render, bait_server):
    time.sleep(0.2)  # let a stray request, if any, reach the server
    assert bait_server.requests == []


def test_brief_of_hostile_records_has_no_attachment(hostile_render, tmp_path):
    pdf, _ = hostile_render
    assert _poppler("pdfdetach", pdf, tmp_path, "-list").strip() == "0 embedded files"


def test_brief_of_hostile_records_leaks_no_local_file(hostile_render, tmp_path):
    pdf, _ = hostile_render
    text = _poppler("pdftotext", pdf, tmp_path)
    assert "root:" not in text
    assert b"root:x:0:0" not in pdf


# --- the fetcher itself: the second line of defence if markup ever got through ------------
def test_raw_hostile_html_fetches_nothing_and_embeds_nothing(bait_server, tmp_path):
    """As if the template had a hole: WeasyPrint sees the tags, the fetcher refuses them."""
    html = "<p>brief</p>" + "".join(payloads(bait_server.server_address[1]))
    html += '<a rel="attachment" href="file:///etc/hostname">a</a>'
    fetcher = BriefURLFetcher()
    started = time.monotonic()
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert time.monotonic() - started < 30  # /dev/urandom was never opened
    time.sleep(0.2)
    assert bait_server.requests == []
    assert set(fetcher.allowed_urls) <= ALLOWED
    assert any("127.0.0.1" in url for url in fetcher.refused)
    assert any(url.startswith("file:") for url in fetcher.refused)
    assert _poppler("pdfdetach", pdf, tmp_path, "-list").strip() == "0 embedded files"
    assert b"root:x:0:0" not in pdf


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///dev/urandom",
        "http://127.0.0.1/x",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/static/brief/brief.css",
        "ftp://brief.invalid/static/brief/brief.css",
        "https://brief.invalid/static/brief/../../../../etc/passwd",
        "https://brief.invalid/static/brief/%2e%2e/%2e%2e/config/settings.py",
        "https://brief.invalid/static/brief/fonts/..%2f..%2f..%2fconfig%2fsettings.py",
        "https://brief.invalid/static/brief/fonts/OFL.txt",
        "https://brief.invalid/static/brief/brief.css?x=1",
        "https://user@brief.invalid/static/brief/brief.css",
        "https://brief.invalid:8443/static/brief/brief.css",
        "https://brief.invalid/static/css/app.css",
        "https://brief.invalid/static/brief/",
        "https://brief.invalid/static/brief/nothing-here.css",
    ],
)
def test_fetcher_refuses_anything_but_the_brief_files(url):
    fetcher = BriefURLFetcher()
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_the_brief_stylesheet_from_static(settings):
    response = BriefURLFetcher().fetch(STYLESHEET_URL)
    assert response.content_type == "text/css"
    assert b"@font-face" in response.read()
    assert static_path(STYLESHEET_URL) == settings.BASE_DIR / "static" / "brief" / "brief.css"


def test_fetcher_serves_data_uris():
    response = BriefURLFetcher().fetch("data:text/plain;base64,SMOgIE7hu5lp")
    assert response.read().decode() == "Hà Nội"
