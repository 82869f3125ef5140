"""Server-side charts (common.charts): SVG for pages and PDFs, PNG for Word, data tables."""

import io
import subprocess
import xml.etree.ElementTree as ET

import docx
import pytest
from django.utils import translation
from PIL import Image

from common.charts import (
    Chart,
    Series,
    data_table,
    describe,
    figure_html,
    format_number,
    nice_ticks,
    render_png,
    render_svg,
    table_html,
)
from common.charts.fonts import runs
from common.word import Document, build_docx, chart_blocks

SVG = "{http://www.w3.org/2000/svg}"
OUTGOING = "#1f5f99"  # the palette's first colour


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def visits(**options) -> Chart:
    return Chart(
        "bar",
        "Đoàn ra, đoàn vào theo năm",
        ["2023", "2024", "2025"],
        [Series("Đoàn ra", [2, 3, 1], "outgoing"), Series("Đoàn vào", [1, 0, 1234], "incoming")],
        category_label="Năm",
        **options,
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def child(element: ET.Element, tag: str) -> ET.Element:
    found = element.find(tag)
    assert found is not None, tag
    return found


def colour_counts(image: Image.Image, maxcolors: int) -> list[tuple[int, tuple[int, ...]]]:
    """The image's colours with their pixel counts (an RGB image's colours are tuples)."""
    colours = image.getcolors(maxcolors=maxcolors)
    assert colours is not None, "more colours than maxcolors"
    return [(count, colour) for count, colour in colours if isinstance(colour, tuple)]


def test_a_chart_is_an_svg_image_labelled_by_its_title_and_description():
    root = parse(render_svg(visits(chart_id="visits")))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "visits-title visits-desc"
    assert child(root, f"{SVG}title").get("id") == "visits-title"
    assert child(root, f"{SVG}title").text == "Đoàn ra, đoàn vào theo năm"
    assert child(root, f"{SVG}desc").get("id") == "visits-desc"


def test_the_description_summarises_the_chart_when_none_is_given():
    summary = describe(visits())
    assert "2023" in summary
    assert "2025" in summary
    assert "Đoàn ra, Đoàn vào" in summary
    assert describe(visits(description="Số đoàn")) == "Số đoàn"


def test_the_svg_has_no_script_no_style_element_and_no_style_attribute():
    root = parse(render_svg(visits()))
    assert not [el for el in root.iter() if el.tag in {f"{SVG}script", f"{SVG}style"}]
    assert not [el for el in root.iter() if "style" in el.attrib]
    assert not [el for el in root.iter() if any(a.startswith("on") for a in el.attrib)]
    assert "http" not in render_svg(visits()).replace("http://www.w3.org/2000/svg", "")


def test_each_bar_carries_its_series_class_colour_and_a_tooltip_with_its_value():
    root = parse(render_svg(visits()))
    bars = [r for r in root.iter(f"{SVG}rect") if "series" in r.get("class", "")]
    tips = [title.text for r in bars if (title := r.find(f"{SVG}title")) is not None]
    assert "2025 — Đoàn vào: 1.234" in tips
    outgoing = [r for r in bars if "outgoing" in r.get("class", "")]
    assert {r.get("fill") for r in outgoing} == {OUTGOING}
    assert len(tips) == 5  # the zero is not drawn


def test_labels_are_escaped():
    chart = Chart("bar", "<script>", ["<b>"], [Series("a&b", [1])])
    svg = render_svg(chart)
    assert "<script>" not in svg
    assert "<b>" not in svg
    parse(svg)


def test_vietnamese_numbers_group_thousands_with_dots_and_decimals_with_commas():
    assert format_number(1234567.5, 1, "vi") == "1.234.567,5"
    assert format_number(1234567.5, 1, "en") == "1,234,567.5"
    with translation.override("en"):
        assert format_number(1234) == "1,234"


def test_percentages_are_written_with_the_languages_decimal_mark():
    chart = Chart(
        "line", "Đúng hạn", ["Q1"], [Series("Tỷ lệ", [62.5])], value_format="percent", decimals=1
    )
    assert chart.format(62.5) == "62,5%"
    assert "62,5%" in render_svg(chart)


def test_axis_ticks_are_round_numbers_and_whole_for_counts():
    assert nice_ticks(7, integers=True) == [0, 2, 4, 6, 8]
    assert nice_ticks(1234, integers=True) == [0, 250, 500, 750, 1000, 1250]
    assert nice_ticks(3, integers=True) == [0, 1, 2, 3]
    assert nice_ticks(0, integers=True) == [0.0, 1.0]


def test_a_stacked_bar_chart_labels_each_column_with_its_total():
    chart = Chart(
        "stacked_bar", "Thỏa thuận", ["2024", "2025"], [Series("A", [1, 2]), Series("B", [3, 4])]
    )
    values = [
        t.text for t in parse(render_svg(chart)).iter(f"{SVG}text") if t.get("class") == "value"
    ]
    assert values == ["4", "6"]


def test_a_line_chart_breaks_where_a_value_is_missing():
    chart = Chart(
        "line", "Tỷ lệ", ["Q1", "Q2", "Q3", "Q4", "Q5"], [Series("A", [1, 2, None, 3, 4])]
    )
    lines = [
        p for p in parse(render_svg(chart)).iter(f"{SVG}polyline") if "series" in p.get("class", "")
    ]
    assert len(lines) == 2
    assert len(list(parse(render_svg(chart)).iter(f"{SVG}circle"))) == 4


def test_a_horizontal_bar_chart_shortens_long_names_at_a_word_boundary():
    name = "Hà Nội – Viêng Chăn (ວຽງຈັນ) " + "rất dài " * 30
    chart = Chart(
        "horizontal_bar", "Sôi động nhất", ["Hà Nội – Minsk", name], [Series("Hoạt động", [5, 3])]
    )
    texts = [t.text or "" for t in parse(render_svg(chart)).iter(f"{SVG}text")]
    assert "Hà Nội – Minsk" in texts
    shortened = next(t for t in texts if t.startswith("Hà Nội – Viêng Chăn"))
    assert shortened.endswith("…")
    assert shortened[:-1].rstrip() == shortened[:-1]


def test_an_empty_chart_says_there_is_no_data():
    chart = Chart("bar", "Trống", ["2024"], [Series("A", [0])])
    with translation.override("en"):
        texts = [t.text or "" for t in parse(render_svg(chart)).iter(f"{SVG}text")]
    assert "No data for this period" in texts


def test_a_series_with_the_wrong_number_of_values_is_refused():
    with pytest.raises(ValueError, match="“A” has 1 values for 2 categories"):
        Chart("bar", "Sai", ["2024", "2025"], [Series("A", [1])])


def test_the_data_table_holds_every_value_formatted():
    table = data_table(visits())
    assert table.header == ["Năm", "Đoàn ra", "Đoàn vào"]
    assert table.rows == [["2023", "2", "1"], ["2024", "3", "0"], ["2025", "1", "1.234"]]


def test_a_stacked_chart_table_adds_the_totals():
    chart = Chart("stacked_bar", "T", ["2025"], [Series("A", [1]), Series("B", [None])])
    with translation.override("en"):
        assert data_table(chart).header == ["", "A", "B", "Total"]
    assert data_table(chart).rows == [["2025", "1", "—", "1"]]


def test_the_html_table_has_a_caption_and_row_and_column_headers():
    html = str(table_html(visits()))
    assert "<caption>Đoàn ra, đoàn vào theo năm</caption>" in html
    assert '<th scope="col">Đoàn ra</th>' in html
    assert '<th scope="row">2025</th><td class="num">1</td><td class="num">1.234</td>' in html


def test_a_figure_holds_the_chart_its_caption_and_its_table():
    html = str(figure_html(visits()))
    assert html.startswith('<figure class="chart-figure"><svg')
    assert "<figcaption>Đoàn ra, đoàn vào theo năm</figcaption>" in html
    assert '<table class="chart-data" tabindex="0"><thead>' in html


def test_charts_stay_small():
    assert len(render_svg(visits()).encode()) < 8_000
    assert len(render_png(visits())) < 30_000


def test_the_png_is_drawn_at_twice_the_svg_size_with_the_series_colours():
    image = Image.open(io.BytesIO(render_png(visits()))).convert("RGB")
    assert image.size == (1280, 640)
    colours = {colour for _, colour in colour_counts(image, 1 << 16)}
    assert (0x1F, 0x5F, 0x99) in colours


def test_labels_in_other_scripts_are_drawn_with_fonts_that_have_them():
    parts = [(text, path.name) for text, path in runs("Hà Nội – Viêng Chăn (ວຽງຈັນ)", bold=False)]
    assert parts == [
        ("Hà Nội – Viêng Chăn (", "noto-sans-brief-400.ttf"),
        ("ວຽງຈັນ)", "noto-sans-lao-400.ttf"),
    ]
    cjk = {text: path.name for text, path in runs("Bắc Kinh 北京", bold=False)}
    assert cjk["北京"].startswith("NotoSansCJK")


def test_weasyprint_draws_the_chart_in_a_pdf(tmp_path):
    from delegations.brief import BriefURLFetcher, html_to_pdf

    chart = Chart("bar", "Đoàn ra", ["2023", "2024", "2025"], [Series("Đoàn ra", [5, 6, 7])])
    fetcher = BriefURLFetcher()
    pdf = html_to_pdf(f"<html><body>{figure_html(chart)}</body></html>", fetcher=fetcher)
    assert fetcher.refused == []
    (tmp_path / "chart.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            str(tmp_path / "chart.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    page = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    blue = sum(
        count
        for count, (r, g, b) in colour_counts(page, 1 << 20)
        if abs(r - 0x1F) < 8 and abs(g - 0x5F) < 8 and abs(b - 0x99) < 8
    )
    assert blue > 200


def test_a_chart_goes_into_word_as_a_described_picture_followed_by_its_numbers():
    data = build_docx(Document(chart_blocks(visits(), width_mm=150)))
    document = docx.Document(io.BytesIO(data))
    (shape,) = document.inline_shapes
    assert round(shape.width.mm) == 150
    assert shape._inline.docPr.get("descr") == describe(visits())
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == ["Năm", "Đoàn ra", "Đoàn vào"]
    assert [c.text for c in table.rows[3].cells] == ["2025", "1", "1.234"]


CSP = "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:"
# What pygal emits: colours in an inline <style> element inside the SVG.
STYLED_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" id="styled">'
    "<style>.bar { fill: #ff0000; }</style>"
    '<rect class="bar" id="styled-bar" width="100" height="50"/></svg>'
)


def test_under_the_strict_policy_our_bars_keep_their_colour_and_an_inline_style_does_not(page):
    """Why not pygal: a strict style-src blocks an SVG's own <style> once inlined."""
    html = f"<!doctype html><html><body>{render_svg(visits())}{STYLED_SVG}</body></html>"
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.route(
        "http://charts.test/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP},
            body=html,
        ),
    )
    page.goto("http://charts.test/")
    ours = page.eval_on_selector("rect.outgoing", "el => getComputedStyle(el).fill")
    theirs = page.eval_on_selector("#styled-bar", "el => getComputedStyle(el).fill")
    assert ours == "rgb(31, 95, 153)"
    assert theirs == "rgb(0, 0, 0)"  # the <style> was refused: default black
    assert any("style-src" in v for v in violations)
