"""The annual report on the year's foreign relations: visits in and out, agreements signed,
renewed and expired, action items done and overdue, by partnership, with the charts of the
statistics page; as PDF (WeasyPrint, through the brief's closed fetcher) or Word
(common.word, Decree 30/2020 administrative style in Vietnamese), in Vietnamese or English.

One content for both: ``report_sections`` gives titled tables; the Word blocks and the
PDF's HTML are written from them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.models import Agreement
from common.charts import Chart, render_svg
from common.word import Cover, Document, Heading, Paragraph, Table, build_docx
from common.word.charts import chart_blocks
from delegations.brief import html_to_pdf
from delegations.models import ActionItem, ProgressUpdate, Visit
from workspace.statistics import agreements_in_force, agreements_signed_per_year, visits_per_year

CHART_YEARS = 5
CITIES = ("partnership__home_city", "partnership__partner_city")


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list[str]]
    empty: str


def _visits(year: int, direction: str) -> list[list[str]]:
    visits = (
        Visit.objects.filter(start_date__year=year, direction=direction)
        .exclude(status=Visit.Status.CANCELLED)
        .select_related(*CITIES)
        .order_by("partnership__partner_city__name", "start_date", "pk")
    )
    return [[str(v.partnership), v.dates_label(), v.title] for v in visits]


def _agreements(condition: Q, *, date_field: str) -> list[list[str]]:
    rows = (
        Agreement.objects.filter(condition)
        .select_related(*CITIES)
        .order_by("partnership__partner_city__name", date_field, "reference")
    )
    return [
        [
            str(a.partnership),
            f"{getattr(a, date_field):%d/%m/%Y}" if getattr(a, date_field) else "—",
            f"{a.reference} · {a.title}",
        ]
        for a in rows
    ]


def _items_done(year: int) -> list[list[str]]:
    done_note = ProgressUpdate.objects.filter(
        action_item=OuterRef("pk"), status_after=ActionItem.Status.DONE
    ).order_by("-date")
    items = (
        ActionItem.objects.filter(status=ActionItem.Status.DONE)
        .annotate(done_on=Coalesce(Subquery(done_note.values("date")[:1]), TruncDate("updated_at")))
        .filter(done_on__year=year)
        .select_related(*CITIES)
        .order_by("partnership__partner_city__name", "done_on", "pk")
    )
    return [[str(i.partnership), f"{i.done_on:%d/%m/%Y}", i.description] for i in items]


def _items_overdue(year: int) -> list[list[str]]:
    year_end = min(dt.date(year, 12, 31), timezone.localdate())
    items = (
        ActionItem.objects.overdue(on=year_end + dt.timedelta(days=1))
        .select_related(*CITIES)
        .order_by("partnership__partner_city__name", "due_on", "pk")
    )
    return [[str(i.partnership), str(i.due), i.description] for i in items]


def report_sections(year: int) -> list[Section]:
    """The year's record, by partnership (in the active language)."""
    who, when, what = _("Partnership"), _("Date"), _("Subject")
    concluded = Q(status__in=Agreement.CONCLUDED, signed_on__year=year)
    return [
        Section(
            _("Incoming delegations"),
            [who, when, what],
            _visits(year, Visit.Direction.INCOMING),
            _("No incoming delegation."),
        ),
        Section(
            _("Outgoing delegations"),
            [who, when, what],
            _visits(year, Visit.Direction.OUTGOING),
            _("No outgoing delegation."),
        ),
        Section(
            _("Online meetings"),
            [who, when, what],
            _visits(year, Visit.Direction.ONLINE),
            _("No online meeting."),
        ),
        Section(
            _("Agreements signed"),
            [who, when, what],
            _agreements(
                concluded & ~Q(parent_relation=Agreement.Relation.RENEWS), date_field="signed_on"
            ),
            _("No agreement signed."),
        ),
        Section(
            _("Agreements renewed"),
            [who, when, what],
            _agreements(
                concluded & Q(parent_relation=Agreement.Relation.RENEWS), date_field="signed_on"
            ),
            _("No agreement renewed."),
        ),
        Section(
            _("Agreements expired"),
            [who, when, what],
            _agreements(
                Q(status__in=Agreement.BINDING, valid_until__year=year), date_field="valid_until"
            ),
            _("No agreement expired."),
        ),
        Section(
            _("Action items completed"),
            [who, when, what],
            _items_done(year),
            _("No action item completed."),
        ),
        Section(
            _("Action items overdue at the end of the year"),
            [who, _("Due"), what],
            _items_overdue(year),
            _("No action item overdue."),
        ),
    ]


def report_charts(year: int) -> list[Chart]:
    years = list(range(year - CHART_YEARS + 1, year + 1))
    return [
        visits_per_year(None, years),
        agreements_signed_per_year(None, years),
        agreements_in_force(None, years),
    ]


def _title(year: int) -> str:
    return _("Report on the city's sister-city relations in %(year)d") % {"year": year}


def build_word(year: int, lang: str = "vi") -> bytes:
    with translation.override(lang):
        blocks: list = [
            Cover(
                _title(year),
                kind=_("REPORT"),
                issuing_body=_("DEPARTMENT OF FOREIGN AFFAIRS"),
                parent_body=_("CITY PEOPLE'S COMMITTEE"),
                place=_("Hà Nội"),
                date=None,
            )
        ]
        for number, section in enumerate(report_sections(year), start=1):
            blocks.append(Heading(f"{number}. {section.title}"))
            if section.rows:
                blocks.append(Table(section.header, section.rows, widths=(2, 1.3, 4)))
            else:
                blocks.append(Paragraph(section.empty))
        blocks.append(Heading(_("Charts")))
        for chart in report_charts(year):
            blocks.extend(chart_blocks(chart))
        document = Document(blocks, title=_title(year))
        return build_docx(document, "administrative_vi" if lang == "vi" else "english")


def build_pdf(year: int, lang: str = "vi") -> bytes:
    with translation.override(lang):
        html = render_to_string(
            "workspace/annual_report_pdf.html",
            {
                "title": _title(year),
                "year": year,
                "sections": report_sections(year),
                "charts": [render_svg(c) for c in report_charts(year)],
                "lang": lang,
            },
        )
        return html_to_pdf(html, lang=lang)


# -- the download page --------------------------------------------------------------------

FORMATS = {
    "pdf": ("application/pdf", build_pdf),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        build_word,
    ),
}
