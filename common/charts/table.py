"""Every chart's numbers as a table: for pages (HTML), Word and screen readers."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .model import Chart


@dataclass(frozen=True, slots=True)
class DataTable:
    """Header and rows of formatted strings; the first column names the category."""

    header: list[str]
    rows: list[list[str]]


def data_table(chart: Chart) -> DataTable:
    stacked = chart.kind in {"stacked_bar", "horizontal_bar"} and len(chart.series) > 1
    header = [chart.category_label, *(s.name for s in chart.series)]
    if stacked:
        header.append(_("Total"))
    totals = chart.totals()
    rows = []
    for index, category in enumerate(chart.categories):
        row = [category, *(chart.format(s.values[index]) for s in chart.series)]
        if stacked:
            row.append(chart.format(totals[index]))
        rows.append(row)
    return DataTable(header, rows)


def describe(chart: Chart) -> str:
    """The chart's text alternative: its description, or a summary of what it plots."""
    if chart.description:
        return chart.description
    kinds = {
        "bar": _("Bar chart"),
        "stacked_bar": _("Stacked bar chart"),
        "line": _("Line chart"),
        "horizontal_bar": _("Horizontal bar chart"),
    }
    parts = [kinds[chart.kind]]
    if chart.categories:
        parts.append(
            _("%(first)s to %(last)s")
            % {"first": chart.categories[0], "last": chart.categories[-1]}
        )
    if chart.series:
        parts.append(", ".join(s.name for s in chart.series))
    parts.append(_("the numbers are in the table that follows"))
    return "; ".join(parts) + "."


def table_html(chart: Chart, *, caption: bool = True) -> SafeString:
    """``<table class="chart-data">``, captioned with the chart's title unless it sits in
    a figure that is; numbers in ``td.num`` cells."""
    table = data_table(chart)
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in table.header))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html(
                    '<th scope="row">{}</th>{}',
                    row[0],
                    format_html_join("", '<td class="num">{}</td>', ((v,) for v in row[1:])),
                ),
            )
            for row in table.rows
        ),
    )
    # tabindex: on a phone the table scrolls inside its card, and a keyboard must reach it.
    title = format_html("<caption>{}</caption>", chart.title) if caption else ""
    return format_html(
        '<table class="chart-data" tabindex="0">{}<thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        title,
        head,
        body,
    )
