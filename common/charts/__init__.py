"""Charts drawn on the server: SVG for pages and PDFs, PNG for Word, a table for everyone.

For the statistics page and the annual report: bar, stacked bar, line and horizontal
(ranked) bar charts of a few series over a few dozen categories, laid out once
(:mod:`.layout`) and written as SVG (:mod:`.svg`) or drawn as PNG (:mod:`.png`).

Why not pygal: it writes an inline ``<style>`` element (and links pygal.js), which a
strict Content-Security-Policy (``style-src 'self'``) blocks when the SVG is inlined
in a page, so its charts would lose all colour; its output is also 30-50 KB a chart.
These are 2-8 KB, need no script or stylesheet, print, and WeasyPrint draws them.

Numbers are written as the active language writes them (Vietnamese 1.234,5; English
1,234.5: :func:`format_number`). Every chart has a text alternative
(:func:`describe`: ``<title>``/``<desc>``, the Word picture's alt text) and its data
table (:func:`table_html`, :func:`data_table`), which pages and documents show with it.

    chart = Chart("bar", "Đoàn ra, đoàn vào theo năm", ["2023", "2024", "2025"],
                  [Series("Đoàn ra", [2, 3, 1]), Series("Đoàn vào", [1, 2, 4])],
                  category_label="Năm")
    figure_html(chart)  # <figure> with the SVG, a caption and the table
    render_png(chart)   # for common.word.Image
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from . import layout, png, svg
from .model import PALETTE, Chart, ChartKind, Series, format_number, nice_ticks
from .table import DataTable, data_table, describe, table_html


def render_svg(chart: Chart) -> SafeString:
    """The chart as an SVG element, safe to inline in a page or a PDF's HTML."""
    return mark_safe(svg.to_svg(chart, layout.lay_out(chart), describe(chart)))  # noqa: S308 (labels escaped)


def render_png(chart: Chart, scale: float = 2.0) -> bytes:
    """The chart as a PNG (``scale`` pixels per SVG unit), for Word."""
    return png.to_png(layout.lay_out(chart), scale)


def figure_html(chart: Chart) -> SafeString:
    """A ``<figure>``: the SVG, the title as caption, the data table under it."""
    return format_html(
        '<figure class="chart-figure">{}<figcaption>{}</figcaption>{}</figure>',
        render_svg(chart),
        chart.title,
        table_html(chart, caption=False),
    )


__all__ = [
    "PALETTE",
    "Chart",
    "ChartKind",
    "DataTable",
    "Series",
    "data_table",
    "describe",
    "figure_html",
    "format_number",
    "nice_ticks",
    "render_png",
    "render_svg",
    "table_html",
]
